/*
 * check_stats.c -- checks the statistics functions of the C API from C: entropies and their
 * gradients, an expectation through a C callback (values and gradients, a failing callback, a
 * callback that evaluates the same model), moments, marginal moments, the goodness-of-fit
 * p-value and a variational fit with a C target, the marginal coverage scan of a sub-manifold, the
 * _amortized forms for an amortize_everything model, the s2 entropy scan, and the status codes of
 * misuse.
 *
 *   check_stats
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "expect.h"
#include "gojammy.h"

static const gj_coords EMB = GJ_COORDS_INIT(GJ_COORDS_EMBEDDING);
static const gj_coords INTR = GJ_COORDS_INIT(GJ_COORDS_INTRINSIC);

/* f(x) = |x|^2 with gradient 2x; user_data counts the points seen. */
static int squared_norm(void* user_data, const double* x, int64_t n, int64_t dim, double* values, double* grad) {
    *(int64_t*)user_data += n;
    for (int64_t i = 0; i < n; i++) {
        values[i] = 0;
        for (int64_t j = 0; j < dim; j++) {
            values[i] += x[i * dim + j] * x[i * dim + j];
            if (grad) grad[i * dim + j] = 2 * x[i * dim + j];
        }
    }
    return 0;
}

static int failing(void* user_data, const double* x, int64_t n, int64_t dim, double* values, double* grad) {
    (void)user_data, (void)x, (void)n, (void)dim, (void)values, (void)grad;
    return 7;
}

/* The log-density of the model itself (handle in user_data): calls back into the library. */
static int own_log_density(void* user_data, const double* x, int64_t n, int64_t dim, double* values, double* grad) {
    (void)grad;
    return gj_pdf_log_density(*(uint64_t*)user_data, x, n, n * dim, NULL, 0, &EMB, values, NULL, NULL, 0);
}

/* A standard normal target in 2-d. */
static int normal_target(void* user_data, const double* x, int64_t n, int64_t dim, double* values, double* grad) {
    (void)user_data;
    for (int64_t i = 0; i < n; i++) {
        values[i] = 0;
        for (int64_t j = 0; j < dim; j++) {
            values[i] -= 0.5 * x[i * dim + j] * x[i * dim + j];
            grad[i * dim + j] = -x[i * dim + j];
        }
    }
    return 0;
}

/* The _amortized statistics of an amortize_everything e1 model (two rows of amortization
 * parameters) and the s2 entropy scan of marginal moments. */
static void check_amortized_stats(void) {
    uint64_t h = 0, s2 = 0;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e1", "g");
    o.amortization_json = "{\"amortize_everything\": true, \"amortization_mlp_use_custom_mode\": true}";
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    int64_t n_amort = 0;
    EXPECT(gj_pdf_amortization_init(h, NULL, 0, &n_amort), GJ_OK, NULL);
    double* amort = malloc(2 * n_amort * sizeof(double));
    double* grad = malloc(2 * n_amort * sizeof(double));
    EXPECT(gj_pdf_amortization_init(h, amort, n_amort, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_amortization_init(h, amort + n_amort, n_amort, NULL), GJ_OK, NULL);
    int64_t key = -1;
    double ent[2], err[2], ent2[2];
    EXPECT(gj_pdf_entropy_amortized(h, NULL, 2, 0, amort, 2 * n_amort, &key, 1, 500, 1, &EMB, ent, err, 2), GJ_OK, NULL);
    TRUE(fabs(ent[0] - ent[1]) < 5 * (err[0] + err[1])); /* two rows of the same PDF, other draws */
    EXPECT(gj_pdf_entropy_grad_amortized(h, NULL, 2, 0, amort, 2 * n_amort, 500, 1, &EMB, ent2, NULL, 2, NULL, 0, NULL, 0,
                                         grad, 2 * n_amort), GJ_OK, NULL);
    TRUE(ent2[0] == ent[0] && ent2[1] == ent[1] && isfinite(grad[0]));
    EXPECT(gj_pdf_entropy_grad_amortized(h, NULL, 2, 0, amort, 2 * n_amort, 500, 1, &EMB, ent2, NULL, 2, NULL, 0, NULL, 0,
                                         grad, n_amort), GJ_ERR_ARGUMENT, "grad_amortization_len");
    EXPECT(gj_pdf_entropy(h, NULL, 1, 0, &key, 1, 100, 1, &EMB, ent, err, 1), GJ_ERR_ARGUMENT, "amortization");
    EXPECT(gj_pdf_entropy_amortized(h, NULL, 2, 0, amort, n_amort, &key, 1, 100, 1, &EMB, ent, err, 2), GJ_ERR_ARGUMENT,
           "amortization");
    int64_t seen = 0;
    double mean[2], moments[2];
    EXPECT(gj_pdf_expectation_amortized(h, squared_norm, &seen, NULL, 2, 0, amort, 2 * n_amort, 100, 2, &EMB, 1, mean, NULL, 2,
                                        NULL, 0, NULL, 0, grad, 2 * n_amort), GJ_OK, NULL);
    EXPECT(gj_pdf_moments_amortized(h, 1, NULL, 2, 0, amort, 2 * n_amort, 100, 2, &EMB, moments, NULL, 2), GJ_OK, NULL);
    TRUE(seen == 200 && isfinite(mean[1]) && isfinite(moments[1]));

    /* s2 entropy scan: entropy_0 and entropy_total of a pure-s2 model are the mesh quadrature */
    gj_create_options so = GJ_CREATE_OPTIONS_INIT("s2", "f");
    EXPECT(gj_pdf_create(&so, &s2), GJ_OK, NULL);
    int64_t needed = 0;
    double mm[31];
    EXPECT(gj_pdf_marginal_moments_amortized(s2, NULL, 1, 0, NULL, 0, 200, 1, 0, 1, 32, NULL, 0, &needed), GJ_OK, NULL);
    TRUE(needed == 31); /* 3+1+3+1 moments, 2+2 angles, 2 variances, 11 Kent, 3 KL, total, 2 reverse */
    EXPECT(gj_pdf_marginal_moments_amortized(s2, NULL, 1, 0, NULL, 0, 200, 1, 0, 1, 32, mm, needed, &needed), GJ_OK, NULL);
    TRUE(mm[25] == mm[28] && mm[25] < log(4 * M_PI) + 1e-9 && mm[25] > log(4 * M_PI) - 1);
    EXPECT(gj_pdf_marginal_moments_amortized(s2, NULL, 1, 0, NULL, 0, 200, 1, 0, 1, 24, mm, needed, &needed),
           GJ_ERR_ARGUMENT, "s2_entropy_scan_nside");
    EXPECT(gj_pdf_marginal_moments_amortized(s2, NULL, 1, 0, amort, n_amort, 200, 1, 0, 1, 0, mm, needed, &needed),
           GJ_ERR_ARGUMENT, "amortization");
    free(amort);
    free(grad);
    EXPECT(gj_pdf_free(s2), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

int main(void) {
    uint64_t h = 0, lik = 0;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "x"); /* the identity: a standard normal */
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    int64_t keys[2] = {-1, 0};
    double ent[2], err[2];
    EXPECT(gj_pdf_entropy(h, NULL, 1, 0, keys, 2, 20000, 1, &EMB, ent, err, 2), GJ_OK, NULL);
    TRUE(fabs(ent[0] - log(2 * M_PI * M_E)) < 4 * err[0] + 1e-3 && ent[0] == ent[1]);
    EXPECT(gj_pdf_entropy(h, NULL, 1, 0, keys, 2, 100, 1, &EMB, ent, err, 3), GJ_ERR_ARGUMENT, "entropy_len");
    keys[1] = 3;
    EXPECT(gj_pdf_entropy(h, NULL, 1, 0, keys, 2, 100, 1, &EMB, ent, err, 2), GJ_ERR_ARGUMENT, "sub_manifolds");
    EXPECT(gj_pdf_entropy(h, NULL, 2, 0, keys, 1, 100, 1, &EMB, ent, err, 2), GJ_ERR_ARGUMENT, "n_rows");

    int64_t seen = 0;
    double mean, se;
    EXPECT(gj_pdf_expectation(h, squared_norm, &seen, NULL, 1, 0, 5000, 2, &EMB, 0, &mean, &se, 1, NULL, 0, NULL, 0),
           GJ_OK, NULL);
    TRUE(seen == 5000 && fabs(mean - 2) < 4 * se); /* E|x|^2 = 2 */
    EXPECT(gj_pdf_expectation(h, failing, NULL, NULL, 1, 0, 10, 2, &EMB, 0, &mean, NULL, 1, NULL, 0, NULL, 0),
           GJ_ERR_ARGUMENT, "returned 7");
    EXPECT(gj_pdf_expectation(h, NULL, NULL, NULL, 1, 0, 10, 2, &EMB, 0, &mean, NULL, 1, NULL, 0, NULL, 0),
           GJ_ERR_NULL_POINTER, "f is NULL");
    EXPECT(gj_pdf_expectation(h, own_log_density, &h, NULL, 1, 0, 20000, 3, &EMB, 0, &mean, &se, 1, NULL, 0, NULL, 0),
           GJ_OK, NULL);
    TRUE(fabs(-mean - log(2 * M_PI * M_E)) < 4 * se + 1e-3); /* -E[log p] is the entropy */

    double moments[2 * 2]; /* 1 row x order 2 x dim 2 */
    EXPECT(gj_pdf_moments(h, 2, NULL, 1, 0, 20000, 4, &EMB, moments, NULL, 4), GJ_OK, NULL);
    TRUE(fabs(moments[0]) < 0.05 && fabs(moments[2] - 1) < 0.05 && fabs(moments[3] - 1) < 0.05);

    int64_t needed = -1;
    EXPECT(gj_pdf_marginal_moments(h, NULL, 1, 0, 2000, 5, 0, 1, NULL, 0, &needed), GJ_OK, NULL);
    TRUE(needed == 2 + 4 + 2 + 1 + 3 + 1 + 2); /* mean, cov, argmax, approx, KL x3, total, reverse x2 */
    double mm[15];
    EXPECT(gj_pdf_marginal_moments(h, NULL, 1, 0, 2000, 5, 0, 1, mm, needed, &needed), GJ_OK, NULL);
    TRUE(fabs(mm[2] - 1) < 0.1 && fabs(mm[8] - log(2 * M_PI * M_E)) < 0.05);
    EXPECT(gj_pdf_marginal_moments(h, NULL, 1, 0, 2000, 5, 0, 1, mm, needed - 1, &needed), GJ_ERR_ARGUMENT, "out_len");

    /* goodness of fit: a conditional e2 likelihood, the unconditional model as its posterior of z */
    gj_create_options lo = GJ_CREATE_OPTIONS_INIT("e2", "g");
    lo.conditional_input_dim = 2;
    lo.amortization_mlp_dims = "8";
    EXPECT(gj_pdf_create(&lo, &lik), GJ_OK, NULL);
    double x_obs[6] = {0.1, 0.2, -0.5, 1.0, 0.3, -0.2}, p, pse, t[50], t_obs[50], z[100];
    EXPECT(gj_gof_pvalue(lik, &EMB, h, NULL, 0, &EMB, x_obs, 3, 6, 50, 6, &p, &pse, t, t_obs, 50, z, 100), GJ_OK, NULL);
    int above = 0;
    for (int i = 0; i < 50; i++) above += t[i] > t_obs[i];
    TRUE(p == above / 50.0 && fabs(pse - sqrt(p * (1 - p) / 50)) < 1e-15);
    EXPECT(gj_gof_pvalue(lik, &EMB, lik, NULL, 0, &EMB, x_obs, 3, 6, 50, 6, &p, NULL, NULL, NULL, 0, NULL, 0),
           GJ_ERR_ARGUMENT, "posterior_cond");

    /* a variational fit of an e2 flow to the standard normal: the loss (KL - log Z) goes to
     * -log Z = -log(2 pi) */
    uint64_t q = 0;
    gj_create_options qo = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    EXPECT(gj_pdf_create(&qo, &q), GJ_OK, NULL);
    gj_fit_options fo = GJ_FIT_OPTIONS_INIT;
    fo.steps = 200;
    double loss[2];
    int64_t n_hist = 0;
    EXPECT(gj_pdf_fit_variational(q, normal_target, NULL, &EMB, &fo, NULL, NULL, loss, NULL, 2, &n_hist), GJ_OK, NULL);
    TRUE(n_hist == 2 && fabs(loss[1] + log(2 * M_PI)) < 0.1);
    EXPECT(gj_pdf_fit_variational(q, NULL, NULL, &EMB, &fo, NULL, NULL, loss, NULL, 2, &n_hist), GJ_ERR_NULL_POINTER,
           "log_target");
    EXPECT(gj_pdf_fit_variational(lik, normal_target, NULL, &EMB, &fo, NULL, NULL, loss, NULL, 2, &n_hist),
           GJ_ERR_ARGUMENT, "unconditional");

    /* the marginal scan of sub-manifold 1 of "e2+e2" with identity flows: a standard normal
     * whatever the first part, so the label (1, 0) has coverage 1 - e^{-1/2} and the 68% region
     * the area 2 pi (-log 0.32) */
    uint64_t joint = 0, scan = 0;
    gj_create_options jo = GJ_CREATE_OPTIONS_INIT("e2+e2", "x+x");
    EXPECT(gj_pdf_create(&jo, &joint), GJ_OK, NULL);
    gj_scan_options so = GJ_SCAN_OPTIONS_INIT;
    so.contours = 1;
    double label[4] = {0.3, -2.0, 1.0, 0.0}, cov, vol[3];
    int64_t n_scans = 0, dim = 0, lines = 0, points = 0;
    int method = -1;
    EXPECT(gj_pdf_coverage_scan_marginal(joint, 1, 10, label, 1, 4, &INTR, NULL, 0, &so, &scan), GJ_OK, NULL);
    EXPECT(gj_scan_dims(scan, &n_scans, NULL, &dim, NULL, &method), GJ_OK, NULL);
    TRUE(n_scans == 1 && dim == 2 && method == GJ_SCAN_GRID);
    EXPECT(gj_scan_labels(scan, NULL, &cov, NULL, 1), GJ_OK, NULL);
    TRUE(fabs(cov - (1 - exp(-0.5))) < 2e-3);
    EXPECT(gj_scan_maps(scan, NULL, 0, NULL, vol, 3, 1), GJ_OK, NULL);
    TRUE(fabs(vol[1] / (-2 * M_PI * log(0.32)) - 1) < 0.02);
    EXPECT(gj_scan_contours(scan, 0, 1, &lines, &points, NULL, 0, NULL, 0), GJ_OK, NULL);
    TRUE(lines == 1 && points > 10);
    EXPECT(gj_scan_free(scan), GJ_OK, NULL);
    EXPECT(gj_pdf_coverage_scan_marginal(joint, 2, 10, label, 1, 4, &INTR, NULL, 0, &so, &scan), GJ_ERR_ARGUMENT,
           "sub_manifolds");
    EXPECT(gj_pdf_coverage_scan_marginal(joint, 1, -1, label, 1, 4, &INTR, NULL, 0, &so, &scan), GJ_ERR_ARGUMENT,
           "conditioning_samples");
    EXPECT(gj_pdf_free(joint), GJ_OK, NULL);

    EXPECT(gj_pdf_free(q), GJ_OK, NULL);
    EXPECT(gj_pdf_free(lik), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    check_amortized_stats();
    if (failures) {
        fprintf(stderr, "check_stats: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("check_stats: all %d checks passed\n", checks);
    return 0;
}
