/*
 * eval_model.c -- loads a gojammy model file, samples it, evaluates the density of the samples
 * and checks that the evaluated log-density reproduces the one returned by sampling, and that
 * converting the samples to embedding coordinates and back (gj_pdf_transform_target_space)
 * round-trips and changes the log-density by the returned log-det.
 *
 *   eval_model MODEL_FILE
 *
 * Exit status 0 when every check passes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojammy.h"

#define CHECK(call)                                                                   \
    do {                                                                              \
        int status_ = (call);                                                         \
        if (status_ != GJ_OK) {                                                       \
            char msg_[1024];                                                          \
            gj_last_error(msg_, sizeof msg_);                                         \
            fprintf(stderr, "%s:%d: %s failed (status %d): %s\n", __FILE__, __LINE__, \
                    #call, status_, msg_);                                            \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

static int all_finite(const double* v, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) return 0;
    }
    return 1;
}

/* Largest |a - b| / max(1, |a|). */
static double max_rel_diff(const double* a, const double* b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(a[i]));
        if (!(d <= m)) m = d; /* also propagates NaN */
    }
    return m;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODEL_FILE\n", argv[0]);
        return 2;
    }
    char version[32], expected[32];
    int major, minor, patch;
    CHECK(gj_version(version, sizeof version));
    CHECK(gj_version_numbers(&major, &minor, &patch));
    snprintf(expected, sizeof expected, "%d.%d.%d", major, minor, patch);
    if (gj_abi_version() != GJ_ABI_VERSION || strcmp(version, expected) != 0 ||
        major != GJ_VERSION_MAJOR) {
        fprintf(stderr, "libgojammy %s (%s, ABI %d), header %d.%d.%d (ABI %d)\n", version,
                expected, gj_abi_version(), GJ_VERSION_MAJOR, GJ_VERSION_MINOR, GJ_VERSION_PATCH,
                GJ_ABI_VERSION);
        return 1;
    }
    /* Points in the coordinates the model was saved with, and in embedding coordinates. */
    const gj_coords saved = GJ_COORDS_INIT(GJ_COORDS_SAVED);
    const gj_coords embedding = GJ_COORDS_INIT(GJ_COORDS_EMBEDDING);

    uint64_t h = 0;
    CHECK(gj_pdf_load(argv[1], &h));
    char description[4096];
    CHECK(gj_pdf_describe(h, description, sizeof description));
    int64_t dim, base_dim, cond_dim, n_params;
    CHECK(gj_pdf_dims(h, &saved, &dim, &base_dim, &cond_dim, &n_params));
    printf("gojammy %s: loaded %s\n  %s\n", version, argv[1], description);

    const int64_t n = 1000;
    double* cond = NULL;
    if (cond_dim > 0) {
        cond = malloc(sizeof(double) * n * cond_dim);
        for (int64_t i = 0; i < n * cond_dim; i++) cond[i] = sin(0.37 * (double)i);
    }
    const int64_t cond_len = n * cond_dim;

    double* samples = malloc(sizeof(double) * n * dim);
    double* base = malloc(sizeof(double) * n * base_dim);
    double* log_pdf = malloc(sizeof(double) * n);
    double* base_log_pdf = malloc(sizeof(double) * n);
    CHECK(gj_pdf_sample(h, n, cond, cond_len, 42, &saved, samples, n * dim, base, n * base_dim,
                        log_pdf, base_log_pdf));

    double* log_pdf2 = malloc(sizeof(double) * n);
    double* base_log_pdf2 = malloc(sizeof(double) * n);
    double* base2 = malloc(sizeof(double) * n * base_dim);
    CHECK(gj_pdf_log_density(h, samples, n, n * dim, cond, cond_len, &saved, log_pdf2,
                             base_log_pdf2, base2, n * base_dim));

    double* grad_params = malloc(sizeof(double) * (n_params > 0 ? n_params : 1));
    double* grad_x = malloc(sizeof(double) * n * dim);
    CHECK(gj_pdf_grad(h, samples, n, n * dim, cond, cond_len, &saved, NULL, grad_params,
                      n_params, grad_x, n * dim));

    /* Samples in embedding coordinates: log p_emb(y) = log p(x) - log_det; and back again. */
    int64_t dim_emb;
    CHECK(gj_pdf_dims(h, &embedding, &dim_emb, NULL, NULL, NULL));
    double* emb = malloc(sizeof(double) * n * dim_emb);
    double* back = malloc(sizeof(double) * n * dim);
    double* log_det = malloc(sizeof(double) * n);
    double* log_det_back = malloc(sizeof(double) * n);
    double* log_pdf_emb = malloc(sizeof(double) * n);
    CHECK(gj_pdf_transform_target_space(h, samples, n, n * dim, &saved, &embedding, emb,
                                        n * dim_emb, log_det));
    CHECK(gj_pdf_transform_target_space(h, emb, n, n * dim_emb, &embedding, &saved, back,
                                        n * dim, log_det_back));
    CHECK(gj_pdf_log_density(h, emb, n, n * dim_emb, cond, cond_len, &embedding, log_pdf_emb,
                             NULL, NULL, 0));
    double d_log_det = 0; /* largest |log_det + log_det_back|: 0 after a round trip */
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(log_det[i] + log_det_back[i]);
        if (!(d <= d_log_det)) d_log_det = d;
        log_pdf_emb[i] += log_det[i]; /* log p(x) again */
    }
    double d_round_trip = max_rel_diff(samples, back, n * dim);
    double d_embedding = max_rel_diff(log_pdf2, log_pdf_emb, n);

    int ok = 1;
    double d_log_pdf = max_rel_diff(log_pdf, log_pdf2, n);
    double d_base = max_rel_diff(base, base2, n * base_dim);
    if (!all_finite(samples, n * dim) || !all_finite(log_pdf, n) || !all_finite(log_pdf2, n) ||
        !all_finite(base2, n * base_dim) || !all_finite(grad_params, n_params) ||
        !all_finite(grad_x, n * dim)) {
        fprintf(stderr, "FAIL: non-finite values in samples, densities or gradients\n");
        ok = 0;
    }
    if (!(d_log_pdf <= 1e-9)) {
        fprintf(stderr, "FAIL: log_pdf(samples) differs from the sampled log_pdf by %g\n",
                d_log_pdf);
        ok = 0;
    }
    if (!(d_base <= 1e-6)) {
        fprintf(stderr, "FAIL: base points of the samples differ by %g\n", d_base);
        ok = 0;
    }
    if (!(d_round_trip <= 1e-8) || !(d_log_det <= 1e-9) || !(d_embedding <= 1e-9)) {
        fprintf(stderr,
                "FAIL: embedding coordinates: round trip differs by %g, log-dets by %g, "
                "log_pdf by %g\n",
                d_round_trip, d_log_det, d_embedding);
        ok = 0;
    }

    double mean_log_pdf = 0;
    for (int64_t i = 0; i < n; i++) mean_log_pdf += log_pdf2[i] / (double)n;
    printf("  %lld samples of dimension %lld: first (", (long long)n, (long long)dim);
    for (int64_t j = 0; j < dim; j++) printf(j ? ", %.4f" : "%.4f", samples[j]);
    printf("), mean log_pdf %.4f\n", mean_log_pdf);
    printf("  max relative difference: log_pdf %.3g, base %.3g\n", d_log_pdf, d_base);
    printf("  embedding coordinates (dim %lld): round trip %.3g, log-det sum %.3g, log_pdf %.3g\n",
           (long long)dim_emb, d_round_trip, d_log_det, d_embedding);
    printf("%s\n", ok ? "eval_model (C): all checks passed" : "eval_model (C): FAILED");

    CHECK(gj_pdf_free(h));
    free(cond);
    free(samples);
    free(base);
    free(log_pdf);
    free(base_log_pdf);
    free(log_pdf2);
    free(base_log_pdf2);
    free(base2);
    free(grad_params);
    free(grad_x);
    free(emb);
    free(back);
    free(log_det);
    free(log_det_back);
    free(log_pdf_emb);
    return ok ? 0 : 1;
}
