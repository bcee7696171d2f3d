/*
 * check_limits.c -- absurd sizes give an argument or definition error naming the argument,
 * checked before anything is allocated (instead of an out-of-memory abort of the process):
 * huge dimensions, option values, conditional dimensions, MLP widths, sample counts whose
 * n x dim overflows, the memory budget (gj_set_memory_budget) and crafted model files; fit
 * reports the rows it skipped, and init_params checks its damping factor.
 *
 *   check_limits SCRATCH_DIR        (a writable directory for temporary files)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "gojammy.h"

static const gj_coords SAVED = GJ_COORDS_INIT(GJ_COORDS_SAVED);

static void check_sizes(void) {
    uint64_t h = 0;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e100000", "g");
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "limit of 4096");
    o.pdf_defs = "e2";
    o.options_json = "{\"g\": {\"num_kde\": 1000000000000}}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "num_kde");
    o.options_json = "{\"g\": {\"num_householder_iter\": 1000000000}}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "num_householder_iter");
    o.options_json = "";
    o.conditional_input_dim = 1000000000;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "conditional_input_dim");
    o.conditional_input_dim = 2;
    o.amortization_mlp_dims = "1000000000";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "amortization_mlp_dims");
    TRUE(h == 0);

    /* sample counts: n x dim overflows, or the internal results exceed the budget */
    gj_create_options ok = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    EXPECT(gj_pdf_create(&ok, &h), GJ_OK, NULL);
    EXPECT(gj_pdf_sample(h, INT64_C(1) << 62, NULL, 0, 1, &SAVED, NULL, 0, NULL, 0, NULL, NULL),
           GJ_ERR_ARGUMENT, "samplesize");
    EXPECT(gj_set_memory_budget(INT64_C(1) << 30), GJ_OK, NULL);
    EXPECT(gj_pdf_sample(h, INT64_C(1) << 31, NULL, 0, 1, &SAVED, NULL, 0, NULL, 0, NULL, NULL),
           GJ_ERR_ARGUMENT, "memory budget");
    EXPECT(gj_set_memory_budget(0), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

static void check_budget(void) {
    int64_t budget = 0, before = 0;
    uint64_t h = 0;
    EXPECT(gj_memory_budget(&before), GJ_OK, NULL);
    TRUE(before >= (INT64_C(1) << 30));
    EXPECT(gj_memory_budget(NULL), GJ_ERR_NULL_POINTER, "bytes");
    EXPECT(gj_set_memory_budget(1000), GJ_ERR_ARGUMENT, "memory budget");
    EXPECT(gj_set_memory_budget(-1), GJ_ERR_ARGUMENT, "memory budget");
    EXPECT(gj_set_memory_budget(INT64_C(1) << 20), GJ_OK, NULL);
    EXPECT(gj_memory_budget(&budget), GJ_OK, NULL);
    TRUE(budget == (INT64_C(1) << 20));
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2000", "g");
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "above the memory budget");
    EXPECT(gj_set_memory_budget(0), GJ_OK, NULL);
    EXPECT(gj_memory_budget(&budget), GJ_OK, NULL);
    TRUE(budget == before);
}

/* write_file writes a model file of header JSON `header` and `data_len` zero bytes of data. */
static void write_file(const char* path, const char* header, size_t data_len) {
    FILE* f = fopen(path, "wb");
    uint64_t n = strlen(header);
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(n >> (8 * i));
    fwrite(len, 1, 8, f);
    fwrite(header, 1, n, f);
    for (size_t i = 0; i < data_len; i++) fputc(0, f);
    fclose(f);
}

/* Crafted model files: a definition beyond the limits (the 400-byte "e100000" file, with
 * a correct checksum of its empty data) and a declared parameter count far beyond the file's
 * length are refused before a model is built. */
static void check_crafted_files(const char* dir) {
    char path[4096];
    uint64_t h = 0;
    snprintf(path, sizeof path, "%s/crafted.safetensors", dir);
    write_file(path,
               "{\"__metadata__\":{\"amortization_mlp_dims\":\"128\",\"conditional_input_dim\":\"0\","
               "\"embedding_flags\":\"[false]\",\"flow_defs\":\"g\",\"format\":\"gojammy-model\","
               "\"format_version\":\"1\",\"gojammy_version\":\"0.1.0\",\"options_overwrite\":\"{}\","
               "\"params_sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
               "\"pdf_defs\":\"e100000\"},\"params\":{\"dtype\":\"F64\",\"shape\":[0],"
               "\"data_offsets\":[0,0]}}",
               0);
    EXPECT(gj_pdf_load(path, &h), GJ_ERR_IO, "limit of 4096");
    write_file(path,
               "{\"__metadata__\":{\"amortization_mlp_dims\":\"128\",\"conditional_input_dim\":\"0\","
               "\"embedding_flags\":\"[false]\",\"flow_defs\":\"g\",\"format\":\"gojammy-model\","
               "\"format_version\":\"1\",\"gojammy_version\":\"0.1.0\",\"options_overwrite\":\"{}\","
               "\"params_sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
               "\"pdf_defs\":\"e2\"},\"params\":{\"dtype\":\"F64\",\"shape\":[100000000000],"
               "\"data_offsets\":[0,800000000000]}}",
               16);
    EXPECT(gj_pdf_load(path, &h), GJ_ERR_IO, "load");
    TRUE(h == 0);
    remove(path);
}

/* Fit: rows that are NaN or outside the support are counted per epoch in the history arrays of
 * gj_fit_options; init_params' damping factor must be finite and in range. */
static void check_fit(void) {
    enum { N = 40, EPOCHS = 2 };
    double data[2 * N], loss[EPOCHS];
    int64_t nan_rows[EPOCHS] = {-1, -1}, outside_rows[EPOCHS] = {-1, -1}, n_hist = 0;
    for (int i = 0; i < N; i++) {
        data[2 * i] = 0.05 * i - 1.0;
        data[2 * i + 1] = 0.02 * i + 0.1;
    }
    data[2 * 7] = NAN;
    data[2 * 30 + 1] = 1.5; /* outside i1 = [0, 1] */
    data[2 * 31 + 1] = -0.5;
    uint64_t h = 0;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e1+i1", "g+r");
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    EXPECT(gj_pdf_init_params(h, NULL, 0, 0, &SAVED, INFINITY, 1), GJ_ERR_ARGUMENT, "damping_factor");
    EXPECT(gj_pdf_init_params(h, NULL, 0, 0, &SAVED, 1e-300, 1), GJ_ERR_ARGUMENT, "damping_factor");
    gj_fit_options f = GJ_FIT_OPTIONS_INIT;
    f.epochs = EPOCHS;
    f.batch_size = 8;
    f.learning_rate = 1e-3;
    f.skipped_nan_history = nan_rows;
    f.skipped_outside_history = outside_rows;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &f, NULL, NULL, loss,
                      NULL, EPOCHS, &n_hist),
           GJ_OK, NULL);
    TRUE(n_hist == EPOCHS);
    for (int e = 0; e < EPOCHS; e++) TRUE(nan_rows[e] == 1 && outside_rows[e] == 2);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: check_limits SCRATCH_DIR\n");
        return 2;
    }
    check_sizes();
    check_budget();
    check_crafted_files(argv[1]);
    check_fit();
    if (failures) {
        fprintf(stderr, "check_limits: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("check_limits: all %d checks passed\n", checks);
    return 0;
}
