// density_grid.cpp -- evaluates a model trained and saved in Python (2-d, unconditional, e.g.
// the two-moons model of examples/cpp_deployment.py) on a regular grid with the C++ wrapper
// (gojammy.hpp) and writes one line "x y log_pdf" per grid point, for plotting elsewhere.
//
//   density_grid MODEL_FILE OUT_FILE XMIN XMAX YMIN YMAX N
//
// Exit status 0 on success; the library's error message otherwise.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "gojammy.hpp"

int main(int argc, char** argv) {
    if (argc != 8) {
        std::cerr << "usage: " << argv[0] << " MODEL_FILE OUT_FILE XMIN XMAX YMIN YMAX N\n";
        return 2;
    }
    try {
        const double xmin = std::stod(argv[3]), xmax = std::stod(argv[4]);
        const double ymin = std::stod(argv[5]), ymax = std::stod(argv[6]);
        const int64_t n = std::stoll(argv[7]);
        if (n < 2 || !(xmax > xmin) || !(ymax > ymin)) {
            std::cerr << "density_grid: need N >= 2 and XMIN < XMAX, YMIN < YMAX\n";
            return 2;
        }
        gojammy::Pdf pdf = gojammy::Pdf::load(argv[1]);
        if (pdf.dim() != 2 || pdf.conditional_dim() != 0) {
            std::cerr << "density_grid: expected an unconditional 2-d model, got " << pdf.describe() << "\n";
            return 2;
        }
        std::vector<double> x(static_cast<size_t>(2 * n * n));
        for (int64_t i = 0; i < n; i++) {
            for (int64_t j = 0; j < n; j++) {
                const size_t row = static_cast<size_t>(i * n + j);
                x[2 * row] = xmin + (xmax - xmin) * static_cast<double>(j) / static_cast<double>(n - 1);
                x[2 * row + 1] = ymin + (ymax - ymin) * static_cast<double>(i) / static_cast<double>(n - 1);
            }
        }
        gojammy::Density d = pdf.log_density(x);
        std::ofstream out(argv[2]);
        out << std::setprecision(17);
        for (size_t row = 0; row < d.log_pdf.size(); row++) {
            out << x[2 * row] << ' ' << x[2 * row + 1] << ' ' << d.log_pdf[row] << '\n';
        }
        if (!out) {
            std::cerr << "density_grid: cannot write " << argv[2] << "\n";
            return 1;
        }
        std::cout << "density_grid: " << d.log_pdf.size() << " log-densities of " << argv[1] << " written to "
                  << argv[2] << "\n";
    } catch (const std::exception& e) {
        std::cerr << "density_grid: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
