// gojammy.hpp -- a small header-only C++17 wrapper over the gojammy C API (include/gojammy.h):
// an owning gojammy::Pdf (move-only, frees its handle), inputs as gojammy::Values views (a
// std::vector, or a pointer and a length: no copies), std::vector out, and gojammy::Error
// exceptions carrying the status code and the library's message.
// Installed next to gojammy.h by `make install`.
#ifndef GOJAMMY_HPP
#define GOJAMMY_HPP

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gojammy.h"

namespace gojammy {

// Error is a failed gojammy call: status() is a GJ_ERR_* code, what() the library's message.
class Error : public std::runtime_error {
public:
    Error(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const noexcept { return status_; }

private:
    int status_;
};

// check throws Error for a failed status, with the calling thread's last error message.
inline void check(int status) {
    if (status == GJ_OK) return;
    std::string msg(2048, '\0');
    gj_last_error(&msg[0], msg.size());
    msg.resize(msg.find('\0'));
    throw Error(status, msg);
}

// version returns the library version; it throws if the library's ABI or major version differs
// from the header's.
inline std::string version() {
    int major = 0, minor = 0, patch = 0;
    check(gj_version_numbers(&major, &minor, &patch));
    if (gj_abi_version() != GJ_ABI_VERSION || major != GJ_VERSION_MAJOR) {
        throw Error(GJ_ERR_ARGUMENT, "libgojammy ABI " + std::to_string(gj_abi_version()) +
                                         ", version " + std::to_string(major) +
                                         ".x does not match gojammy.h ABI " +
                                         std::to_string(GJ_ABI_VERSION) + ", version " +
                                         std::to_string(GJ_VERSION_MAJOR) + ".x");
    }
    char buf[64];
    check(gj_version(buf, sizeof buf));
    return buf;
}

// Values is a read-only view of contiguous doubles: a std::vector, or a pointer and a length. The
// viewed memory must outlive the call it is passed to.
class Values {
public:
    Values() = default;
    Values(const std::vector<double>& v) : data_(v.data()), size_(v.size()) {}  // NOLINT: implicit
    Values(const double* data, size_t size) : data_(data), size_(size) {}

    // data is nullptr for an empty view (what the C API expects for absent inputs).
    const double* data() const noexcept { return size_ != 0 ? data_ : nullptr; }
    size_t size() const noexcept { return size_; }

private:
    const double* data_ = nullptr;
    size_t size_ = 0;
};

// Coords is the coordinate choice of one call (see "Coordinates" in gojammy.h).
class Coords {
public:
    // The model's saved embedding flags.
    static Coords saved() { return Coords(GJ_COORDS_SAVED, {}); }
    // Intrinsic coordinates on every sub-manifold.
    static Coords intrinsic() { return Coords(GJ_COORDS_INTRINSIC, {}); }
    // Embedding coordinates on every sub-manifold.
    static Coords embedding() { return Coords(GJ_COORDS_EMBEDDING, {}); }
    // Per sub-manifold: embedding coordinates where embedding[k] is true.
    static Coords per_sub_manifold(const std::vector<bool>& embedding) {
        return Coords(GJ_COORDS_PER_SUB_MANIFOLD,
                      std::vector<int>(embedding.begin(), embedding.end()));
    }

    // The C struct; it points into this object, so use it while this object lives.
    gj_coords c() const {
        gj_coords c = GJ_COORDS_INIT(kind_);
        if (kind_ == GJ_COORDS_PER_SUB_MANIFOLD) {
            c.embedding = flags_.data();
            c.embedding_len = static_cast<int64_t>(flags_.size());
        }
        return c;
    }

private:
    Coords(int kind, std::vector<int> flags) : kind_(kind), flags_(std::move(flags)) {}

    int kind_;
    std::vector<int> flags_;
};

// Density is the result of Pdf::log_density for n points.
struct Density {
    std::vector<double> log_pdf, base_log_pdf, base;
};

// Samples is the result of Pdf::sample.
struct Samples {
    std::vector<double> x, base, log_pdf, base_log_pdf;
};

// Transformed is the result of Pdf::transform_target_space: the converted points and, per point,
// the log-det with log p_to(x) = log p_from(x_in) - log_det.
struct Transformed {
    std::vector<double> x, log_det;
};

// Pdf owns one model handle. Const methods may be called from several threads at once. Every
// method that takes or returns points has a Coords argument (default: the saved flags).
class Pdf {
public:
    // Creates a model from definition strings and its saved embedding flags (empty: all false;
    // see gj_pdf_create).
    Pdf(const std::string& pdf_defs, const std::string& flow_defs,
        const std::string& options_json = "", int64_t conditional_input_dim = 0,
        const std::string& amortization_mlp_dims = "128",
        const std::vector<bool>& embedding_flags = {}) {
        gj_create_options o = GJ_CREATE_OPTIONS_INIT(pdf_defs.c_str(), flow_defs.c_str());
        o.options_json = options_json.c_str();
        o.conditional_input_dim = conditional_input_dim;
        o.amortization_mlp_dims = amortization_mlp_dims.c_str();
        std::vector<int> flags(embedding_flags.begin(), embedding_flags.end());
        o.embedding_flags = flags.empty() ? nullptr : flags.data();
        o.embedding_flags_len = static_cast<int64_t>(flags.size());
        check(gj_pdf_create(&o, &h_));
    }

    // Loads a model file.
    static Pdf load(const std::string& path) {
        uint64_t h = 0;
        check(gj_pdf_load(path.c_str(), &h));
        return Pdf(h);
    }

    Pdf(Pdf&& o) noexcept : h_(std::exchange(o.h_, 0)) {}
    Pdf& operator=(Pdf&& o) noexcept {
        std::swap(h_, o.h_);
        return *this;
    }
    Pdf(const Pdf&) = delete;
    Pdf& operator=(const Pdf&) = delete;
    ~Pdf() {
        if (h_ != 0) gj_pdf_free(h_);
    }

    // Saves the model, recording saved_coords as its saved embedding flags (see gj_pdf_save).
    void save(const std::string& path, const Coords& saved_coords = Coords::saved()) const {
        const gj_coords c = saved_coords.c();
        check(gj_pdf_save(h_, path.c_str(), &c));
    }

    int64_t dim(const Coords& coords = Coords::saved()) const { return dims(coords)[0]; }
    int64_t base_dim() const { return dims(Coords::saved())[1]; }
    int64_t conditional_dim() const { return dims(Coords::saved())[2]; }
    int64_t num_params() const { return dims(Coords::saved())[3]; }

    // The model as JSON (see gj_pdf_describe).
    std::string describe() const {
        std::string s(1 << 16, '\0');
        check(gj_pdf_describe(h_, &s[0], s.size()));
        s.resize(s.find('\0'));
        return s;
    }

    // The number of sub-manifolds (the '+'-separated parts of pdf_defs).
    int64_t num_sub_manifolds() const {
        const std::string s = describe(), key = "\"num_sub_manifolds\":";
        size_t at = s.find(key);
        if (at == std::string::npos) throw Error(GJ_ERR_INTERNAL, "describe: no num_sub_manifolds");
        return std::stoll(s.substr(at + key.size()));
    }

    // Per sub-manifold: the saved embedding flag (fixed for the model's lifetime).
    std::vector<bool> embedding_flags() const {
        std::vector<int> f(static_cast<size_t>(num_sub_manifolds()));
        check(gj_pdf_get_embedding_flags(h_, f.data(), static_cast<int64_t>(f.size())));
        return std::vector<bool>(f.begin(), f.end());
    }

    // Converts n points x (n x dim(from)) to coordinates `to`.
    Transformed transform_target_space(Values x,
                                       const Coords& from = Coords::saved(),
                                       const Coords& to = Coords::embedding()) const {
        int64_t n = rows(x, dim(from));
        Transformed t{std::vector<double>(n * dim(to)), std::vector<double>(n)};
        const gj_coords cf = from.c(), ct = to.c();
        check(gj_pdf_transform_target_space(h_, x.data(), n, size(x), &cf, &ct, t.x.data(),
                                            size(t.x), t.log_det.data()));
        return t;
    }

    // log p of n points x (n x dim(coords)), with n x conditional_dim() inputs cond if the model
    // is conditional.
    Density log_density(Values x, Values cond = {},
                        const Coords& coords = Coords::saved()) const {
        int64_t n = rows(x, dim(coords));
        Density d{std::vector<double>(n), std::vector<double>(n),
                  std::vector<double>(n * base_dim())};
        const gj_coords c = coords.c();
        check(gj_pdf_log_density(h_, x.data(), n, size(x), cond.data(), size(cond), &c,
                                 d.log_pdf.data(), d.base_log_pdf.data(), d.base.data(),
                                 size(d.base)));
        return d;
    }

    // n samples drawn with seed (one per conditional row if the model is conditional).
    Samples sample(int64_t n, uint64_t seed, Values cond = {},
                   const Coords& coords = Coords::saved()) const {
        Samples s{std::vector<double>(n * dim(coords)), std::vector<double>(n * base_dim()),
                  std::vector<double>(n), std::vector<double>(n)};
        const gj_coords c = coords.c();
        check(gj_pdf_sample(h_, n, cond.data(), size(cond), seed, &c, s.x.data(), size(s.x),
                            s.base.data(), size(s.base), s.log_pdf.data(), s.base_log_pdf.data()));
        return s;
    }

    // The gradient of sum_i log p(x_i) with respect to the parameters.
    std::vector<double> grad_params(Values x, Values cond = {},
                                    const Coords& coords = Coords::saved()) const {
        int64_t n = rows(x, dim(coords));
        std::vector<double> g(num_params());
        const gj_coords c = coords.c();
        check(gj_pdf_grad(h_, x.data(), n, size(x), cond.data(), size(cond), &c, nullptr, g.data(),
                          size(g), nullptr, 0));
        return g;
    }

    std::vector<double> params() const {
        std::vector<double> p(num_params());
        check(gj_pdf_get_params(h_, p.data(), size(p)));
        return p;
    }

    void set_params(Values p) {
        check(gj_pdf_set_params(h_, p.data(), size(p)));
    }

    uint64_t handle() const noexcept { return h_; }

private:
    explicit Pdf(uint64_t h) : h_(h) {}

    std::vector<int64_t> dims(const Coords& coords) const {
        std::vector<int64_t> d(4);
        const gj_coords c = coords.c();
        check(gj_pdf_dims(h_, &c, &d[0], &d[1], &d[2], &d[3]));
        return d;
    }

    static int64_t size(Values v) { return static_cast<int64_t>(v.size()); }
    static int64_t size(const std::vector<double>& v) { return static_cast<int64_t>(v.size()); }
    static int64_t rows(Values x, int64_t width) {
        if (width <= 0 || x.size() % static_cast<size_t>(width) != 0) {
            throw Error(GJ_ERR_ARGUMENT, "x: length " + std::to_string(x.size()) +
                                             " is not a multiple of the dimension " +
                                             std::to_string(width));
        }
        return size(x) / width;
    }

    uint64_t h_ = 0;
};

}  // namespace gojammy

#endif  // GOJAMMY_HPP
