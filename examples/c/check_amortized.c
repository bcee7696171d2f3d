/*
 * check_amortized.c -- checks the C API of amortize_everything models (per-row amortization
 * parameters in log-density, gradient and sampling calls), fully amortized models and the Poisson
 * head (log_mean_poisson, fit with poisson_counts): results, shapes and the status codes and
 * messages of misuse.
 *
 *   check_amortized
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "gojammy.h"

static const gj_coords SAVED = GJ_COORDS_INIT(GJ_COORDS_SAVED);

static int create(const char* pdf_defs, const char* flow_defs, const char* json, uint64_t* h) {
    gj_create_options o = GJ_CREATE_OPTIONS_INIT(pdf_defs, flow_defs);
    o.amortization_json = json;
    return gj_pdf_create(&o, h);
}

/* An amortize_everything model: every call takes one row of amortization parameters per point. */
static void check_amortize_everything(void) {
    uint64_t h = 0, plain = 0;
    char desc[8192];
    EXPECT(create("e1+s2", "g+f", "{\"amortize_everything\": true, \"amortization_mlp_use_custom_mode\": true,"
                  " \"amortization_mlp_dims\": \"8\"}", &h), GJ_OK, NULL);
    EXPECT(create("e1", "g", "{\"amortize_everything\": true}", &plain), GJ_ERR_DEFINITION,
           "amortize_everything requires amortization_mlp_use_custom_mode");
    int64_t n_params = -1, n_amort = -1;
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, NULL, &n_params), GJ_OK, NULL);
    EXPECT(gj_pdf_amortization_init(h, NULL, 0, &n_amort), GJ_OK, NULL);
    TRUE(n_params == 0 && n_amort > 0);
    EXPECT(gj_pdf_describe(h, desc, sizeof desc), GJ_OK, NULL);
    TRUE(strstr(desc, "\"takes_amortization_parameters\":true") && strstr(desc, "\"amortize_everything\":true"));
    double* amort = malloc(2 * (size_t)n_amort * sizeof(double));
    double* grad = malloc(2 * (size_t)n_amort * sizeof(double));
    EXPECT(gj_pdf_amortization_init(h, amort, n_amort - 1, NULL), GJ_ERR_ARGUMENT, "n_amortization");
    EXPECT(gj_pdf_amortization_init(h, amort, n_amort, NULL), GJ_OK, NULL);
    memcpy(amort + n_amort, amort, (size_t)n_amort * sizeof(double));
    amort[n_amort] += 0.1;
    double x[6] = {0.1, 1.0, 2.0, -0.3, 2.0, 0.5}, lp[2], lp2[2], gx[6], s[6], slp[2];
    EXPECT(gj_pdf_log_density_amortized(h, x, 2, 6, NULL, 0, amort, 2 * n_amort, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(isfinite(lp[0]) && isfinite(lp[1]));
    EXPECT(gj_pdf_grad_amortized(h, x, 2, 6, NULL, 0, amort, 2 * n_amort, &SAVED, lp2, NULL, 0, gx, 6, grad, 2 * n_amort),
           GJ_OK, NULL);
    TRUE(lp2[0] == lp[0] && lp2[1] == lp[1] && isfinite(grad[0]) && isfinite(grad[2 * n_amort - 1]));
    EXPECT(gj_pdf_sample_amortized(h, 2, NULL, 0, amort, 2 * n_amort, 7, &SAVED, s, 6, NULL, 0, slp, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density_amortized(h, s, 2, 6, NULL, 0, amort, 2 * n_amort, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(fabs(lp[0] - slp[0]) < 1e-9 && fabs(lp[1] - slp[1]) < 1e-9);
    /* Misuse. */
    EXPECT(gj_pdf_log_density_amortized(h, x, 2, 6, NULL, 0, amort, n_amort, &SAVED, lp, NULL, NULL, 0),
           GJ_ERR_ARGUMENT, "amortization: length");
    EXPECT(gj_pdf_log_density_amortized(h, x, 2, 6, NULL, 0, NULL, 2 * n_amort, &SAVED, lp, NULL, NULL, 0),
           GJ_ERR_NULL_POINTER, "amortization is NULL");
    EXPECT(gj_pdf_log_density(h, x, 2, 6, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT, "amortization: length");
    EXPECT(gj_pdf_grad_amortized(h, x, 2, 6, NULL, 0, amort, 2 * n_amort, &SAVED, lp2, NULL, 0, NULL, 0, grad, 3),
           GJ_ERR_ARGUMENT, "grad_amortization_len");
    EXPECT(gj_pdf_fit(h, x, 2, 6, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, NULL, NULL, NULL, NULL, NULL, 0, NULL),
           GJ_ERR_ARGUMENT, "amortize_everything PDF has no parameters of its own");
    EXPECT(create("e1", "g", NULL, &plain), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density_amortized(plain, x, 1, 1, NULL, 0, amort, 1, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "not amortize_everything");
    EXPECT(gj_pdf_log_mean_poisson(plain, NULL, 0, 0, lp, 1), GJ_ERR_ARGUMENT, "predict_log_normalization");
    EXPECT(gj_pdf_free(plain), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    free(amort);
    free(grad);
}

/* fully_amortized_pdf("e2+s2", "gg+f", conditional_input_dim=3): jammy_flows' counts. */
static void check_fully_amortized(void) {
    uint64_t h = 0;
    char desc[8192];
    EXPECT(create("e2+s2", "gg+f", "{\"fully_amortized_pdf\": {\"conditional_input_dim\": 3}}", &h), GJ_OK, NULL);
    int64_t cond_dim = -1, n_params = -1, n_amort = -1;
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, &cond_dim, &n_params), GJ_OK, NULL);
    EXPECT(gj_pdf_amortization_init(h, NULL, 0, &n_amort), GJ_OK, NULL);
    TRUE(cond_dim == 3 && n_params == 12096 && n_amort == 1824);
    EXPECT(gj_pdf_describe(h, desc, sizeof desc), GJ_OK, NULL);
    TRUE(strstr(desc, "\"takes_amortization_parameters\":false") && strstr(desc, "\"fully_amortized_pdf\":{"));
    double cond[6] = {1, 2, 3, -1, 0, 1}, s[8], lp[2], slp[2];
    EXPECT(gj_pdf_sample(h, 2, cond, 6, 3, &SAVED, s, 8, NULL, 0, slp, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density(h, s, 2, 8, cond, 6, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(fabs(lp[0] - slp[0]) < 1e-9 && fabs(lp[1] - slp[1]) < 1e-9);
    EXPECT(gj_pdf_log_density_amortized(h, s, 2, 8, cond, 6, cond, 6, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "not amortize_everything");
    EXPECT(create("e2", "gg", "{\"fully_amortized_pdf\": {\"conditional_input_dim\": 2, \"amortization_mlp_highway_mode\": 9}}", &h),
           GJ_ERR_DEFINITION, "amortization_mlp_highway_mode");
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    o.amortization_json = "{\"fully_amortized_pdf\": {\"conditional_input_dim\": 2}}";
    o.conditional_input_dim = 2;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "fully_amortized_pdf takes conditional_input_dim");
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

/* The Poisson head: log_mean_poisson and fit with poisson_counts. */
static void check_poisson(void) {
    uint64_t h = 0, u = 0;
    EXPECT(create("e1", "g", "{\"conditional_input_dim\": 1, \"amortization_mlp_dims\": \"8\","
                  " \"predict_log_normalization\": true, \"join_poisson_and_pdf_description\": true}", &h), GJ_OK, NULL);
    double cond[4] = {0, 0, 1, 1}, x[4] = {0.1, -0.2, 1.1, 0.9}, counts[4] = {2, 2, 2, 2}, lm[4];
    EXPECT(gj_pdf_log_mean_poisson(h, cond, 4, 4, lm, 4), GJ_OK, NULL);
    TRUE(fabs(lm[0] - 0.1) < 1e-2); /* upstream's initial log-lambda, the final bias */
    EXPECT(gj_pdf_log_mean_poisson(h, cond, 4, 4, lm, 3), GJ_ERR_ARGUMENT, "out_len");
    EXPECT(gj_pdf_log_mean_poisson(h, cond, 4, 3, lm, 4), GJ_ERR_ARGUMENT, "cond");
    gj_fit_options o = GJ_FIT_OPTIONS_INIT;
    o.steps = 3;
    EXPECT(gj_pdf_fit(h, x, 4, 4, cond, 4, NULL, 0, 0, NULL, 0, &SAVED, &o, NULL, NULL, NULL, NULL, 0, NULL),
           GJ_ERR_ARGUMENT, "poisson_counts: a conditional PDF");
    o.poisson_counts = counts;
    o.poisson_counts_len = 3;
    EXPECT(gj_pdf_fit(h, x, 4, 4, cond, 4, NULL, 0, 0, NULL, 0, &SAVED, &o, NULL, NULL, NULL, NULL, 0, NULL),
           GJ_ERR_ARGUMENT, "opts.poisson_counts");
    o.poisson_counts_len = 4;
    EXPECT(gj_pdf_fit(h, x, 4, 4, cond, 4, NULL, 0, 0, NULL, 0, &SAVED, &o, NULL, NULL, NULL, NULL, 0, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_log_mean_poisson(h, cond, 4, 4, lm, 4), GJ_OK, NULL);
    TRUE(lm[0] > 0.1); /* moves towards log 2 */
    EXPECT(create("e1", "g", "{\"predict_log_normalization\": true}", &u), GJ_OK, NULL);
    EXPECT(gj_pdf_log_mean_poisson(u, NULL, 0, 0, lm, 1), GJ_OK, NULL);
    TRUE(isfinite(lm[0]));
    EXPECT(create("e1+e1", "g+g", "{\"predict_log_normalization\": true}", &u), GJ_ERR_DEFINITION,
           "predict_log_normalization");
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

int main(void) {
    check_amortize_everything();
    check_fully_amortized();
    check_poisson();
    if (failures) {
        fprintf(stderr, "check_amortized: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("check_amortized: all %d checks passed\n", checks);
    return 0;
}
