// app.cpp -- a program built against an installed gojammy (make install), once with CMake
// (find_package(gojammy) + gojammy::gojammy) and once with pkg-config: it creates a model,
// samples and evaluates it through the C++ wrapper, checks that 8 threads evaluating and
// sampling one model at the same time give exactly the serial results, and that errors arrive as
// gojammy::Error exceptions.
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "gojammy.hpp"

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what);
        ++failures;
    }
}

}  // namespace

int main() {
    try {
        std::printf("gojammy %s\n", gojammy::version().c_str());
        gojammy::Pdf pdf("e2+s2", "gg+f");
        const int64_t n = 500;
        gojammy::Samples s = pdf.sample(n, 7);
        gojammy::Density d = pdf.log_density(s.x);
        double worst = 0;
        for (int64_t i = 0; i < n; ++i) worst = std::fmax(worst, std::fabs(d.log_pdf[i] - s.log_pdf[i]));
        expect(worst < 1e-9, "samples evaluate to their sampling log-density");
        // A view of part of a buffer: the first 10 points, no copy.
        gojammy::Density part = pdf.log_density(gojammy::Values(s.x.data(), 10 * pdf.dim()));
        expect(part.log_pdf.size() == 10 && part.log_pdf[3] == d.log_pdf[3], "evaluation of a view");

        // Many threads on one model: every result equals the serial one, bit for bit.
        const int threads = 8;
        std::vector<gojammy::Density> dens(threads);
        std::vector<gojammy::Samples> samp(threads);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                dens[t] = pdf.log_density(s.x);
                samp[t] = pdf.sample(n, 100 + t);
            });
        }
        for (auto& th : pool) th.join();
        for (int t = 0; t < threads; ++t) {
            expect(dens[t].log_pdf == d.log_pdf, "concurrent evaluation equals the serial one");
            expect(samp[t].x == pdf.sample(n, 100 + t).x, "concurrent sampling equals the serial one");
        }

        bool thrown = false;
        try {
            gojammy::Pdf bad("e2", "q");
        } catch (const gojammy::Error& e) {
            thrown = e.status() == GJ_ERR_DEFINITION;
        }
        expect(thrown, "a bad flow definition throws gojammy::Error with GJ_ERR_DEFINITION");
    } catch (const gojammy::Error& e) {
        std::fprintf(stderr, "gojammy error %d: %s\n", e.status(), e.what());
        return 1;
    }
    if (failures) return 1;
    std::printf("installed gojammy: model, evaluation, sampling, 8 threads and errors all checked\n");
    return 0;
}
