/*
 * check_errors.c -- checks that misuse of the C API gives the documented status codes and
 * messages instead of crashes: zero, unknown and freed handles, NULL pointers, wrong array
 * lengths, bad definitions and options (incl. amortization_json), struct_size values of option structs, bad coordinate
 * choices, bad files, small buffers, calls from a fit progress callback, per-thread / per-handle
 * error messages, and the version macros against the library's version.
 *
 *   check_errors SCRATCH_DIR        (a writable directory for temporary files)
 *   GOJAMMY_TEST_PANIC=gj_pdf_sample check_errors SCRATCH_DIR
 *                                   checks poisoned models instead: with that variable set, the
 *                                   library's gj_pdf_sample panics inside the library (a test hook
 *                                   of libgojammy, see docs/c_api.md)
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "gojammy.h"


static const gj_coords SAVED = GJ_COORDS_INIT(GJ_COORDS_SAVED);
static const gj_coords INTRINSIC = GJ_COORDS_INIT(GJ_COORDS_INTRINSIC);
static const gj_coords EMBEDDING = GJ_COORDS_INIT(GJ_COORDS_EMBEDDING);

/* create makes a model with the default options. */
static int create(const char* pdf_defs, const char* flow_defs, uint64_t* h) {
    gj_create_options o = GJ_CREATE_OPTIONS_INIT(pdf_defs, flow_defs);
    return gj_pdf_create(&o, h);
}

static void check_library(void) {
    char buf[4096], expected[64];
    int major = -1, minor = -1, patch = -1;
    TRUE(gj_abi_version() == GJ_ABI_VERSION && GJ_ABI_VERSION == 3);
    EXPECT(gj_version_numbers(&major, &minor, &patch), GJ_OK, NULL);
    TRUE(major == GJ_VERSION_MAJOR && minor == GJ_VERSION_MINOR && patch == GJ_VERSION_PATCH);
    EXPECT(gj_version_numbers(NULL, &minor, &patch), GJ_ERR_NULL_POINTER, "major");
    EXPECT(gj_version(buf, sizeof buf), GJ_OK, NULL);
    snprintf(expected, sizeof expected, "%d.%d.%d", GJ_VERSION_MAJOR, GJ_VERSION_MINOR,
             GJ_VERSION_PATCH);
    TRUE(strcmp(buf, expected) == 0);
    EXPECT(gj_version(NULL, 10), GJ_ERR_NULL_POINTER, "buf");
    EXPECT(gj_version(buf, 2), GJ_ERR_BUFFER_TOO_SMALL, "needed");
    TRUE(strlen(buf) == 1); /* truncated, NUL-terminated */
    EXPECT(gj_info(buf, sizeof buf), GJ_OK, NULL);
    TRUE(strstr(buf, "\"kernel_implementation\"") && strstr(buf, "\"cpu_features\""));
    EXPECT(gj_set_threads(-1), GJ_ERR_ARGUMENT, "gj_set_threads: n");
    EXPECT(gj_set_threads(0), GJ_OK, NULL);
    for (int s = GJ_OK; s <= GJ_ERR_FORKED; s++) {
        EXPECT(gj_status_string(s, buf, 128), GJ_OK, NULL);
    }
    EXPECT(gj_status_string(GJ_ERR_NULL_POINTER, buf, 128), GJ_OK, NULL);
    TRUE(strncmp(buf, "GJ_ERR_NULL_POINTER", 19) == 0);
    EXPECT(gj_status_string(99, buf, 128), GJ_ERR_ARGUMENT, "99");

    /* Reading the last error with a small buffer fails without replacing the message. */
    char small[8], full[1024];
    EXPECT(gj_set_threads(-5), GJ_ERR_ARGUMENT, "-5");
    TRUE(gj_last_error(small, sizeof small) == GJ_ERR_BUFFER_TOO_SMALL);
    TRUE(strlen(small) == 7);
    TRUE(gj_last_error(full, sizeof full) == GJ_OK && strstr(full, "-5"));
    TRUE(gj_last_error(NULL, 10) == GJ_ERR_NULL_POINTER);
}

static void check_create(void) {
    uint64_t h = 0;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    EXPECT(gj_pdf_create(NULL, &h), GJ_ERR_NULL_POINTER, "opts is NULL");
    EXPECT(create(NULL, "gg", &h), GJ_ERR_NULL_POINTER, "pdf_defs");
    EXPECT(create("e2", NULL, &h), GJ_ERR_NULL_POINTER, "flow_defs");
    EXPECT(gj_pdf_create(&o, NULL), GJ_ERR_NULL_POINTER, "out_handle");
    EXPECT(create("q2", "gg", &h), GJ_ERR_DEFINITION, "pdf_defs");
    EXPECT(create("", "gg", &h), GJ_ERR_DEFINITION, "pdf_defs");
    EXPECT(create("e2", "gQ", &h), GJ_ERR_DEFINITION, "flow_defs");
    EXPECT(create("e2+e1", "gg", &h), GJ_ERR_DEFINITION, "flow_defs");
    o.options_json = "{not json";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "options_overwrite");
    o.options_json = "{\"g\": {\"no_such_option\": 1}}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "no_such_option");
    o.options_json = "{\"5\": {\"g\": {}}}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "sub-manifold index 5");
    o.options_json = "";
    o.conditional_input_dim = -1;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "conditional_input_dim");
    o.conditional_input_dim = 2;
    o.amortization_mlp_dims = "64-x";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "amortization_mlp_dims");
    o.amortization_mlp_dims = "8";
    int flags[3] = {0, 1, 0};
    o.embedding_flags = flags;
    o.embedding_flags_len = 2;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "embedding_flags: got 2 flags for 1");
    o.embedding_flags_len = 1;
    flags[0] = 2;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_ARGUMENT, "opts.embedding_flags[0]: must be 1");
    o.embedding_flags = NULL;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_NULL_POINTER, "opts.embedding_flags is NULL");

    /* struct_size: the size of the header's struct, or of an older (shorter) one ending after
     * a field; anything else names struct_size. */
    o.embedding_flags_len = 0;
    o.struct_size = sizeof(gj_create_options) + 8;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_ARGUMENT, "opts: struct_size");
    o.struct_size = offsetof(gj_create_options, flow_defs); /* flow_defs is required */
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_ARGUMENT, "opts: struct_size");
    o.struct_size = offsetof(gj_create_options, options_json) + 3; /* cuts a field */
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_ARGUMENT, "opts: struct_size");
    o.struct_size = 0;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_ARGUMENT, "opts: struct_size 0");
    TRUE(h == 0);
    /* An older caller's struct without the later fields: they take their defaults (here an
     * unconditional model, although conditional_input_dim = 2 lies beyond struct_size). */
    o.struct_size = offsetof(gj_create_options, conditional_input_dim);
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    int64_t cond_dim = -1;
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, &cond_dim, NULL), GJ_OK, NULL);
    TRUE(h != 0 && cond_dim == 0);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    EXPECT(create("e2", "gg", &h), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

static void check_handles(void) {
    int64_t dim;
    double v[4] = {0};
    char buf[256];
    EXPECT(gj_pdf_dims(0, &SAVED, &dim, NULL, NULL, NULL), GJ_ERR_INVALID_HANDLE, "handle 0");
    EXPECT(gj_pdf_dims(987654321, &SAVED, &dim, NULL, NULL, NULL), GJ_ERR_INVALID_HANDLE,
           "unknown or was freed");
    EXPECT(gj_pdf_free(0), GJ_ERR_INVALID_HANDLE, "handle 0");
    EXPECT(gj_pdf_log_density(0, v, 2, 4, NULL, 0, &SAVED, v, NULL, NULL, 0),
           GJ_ERR_INVALID_HANDLE, "gj_pdf_log_density");
    EXPECT(gj_pdf_sample(0, 1, NULL, 0, 1, &SAVED, v, 4, NULL, 0, NULL, NULL),
           GJ_ERR_INVALID_HANDLE, NULL);
    EXPECT(gj_pdf_get_params(0, v, 1), GJ_ERR_INVALID_HANDLE, NULL);
    EXPECT(gj_pdf_set_params(0, v, 1), GJ_ERR_INVALID_HANDLE, NULL);
    EXPECT(gj_pdf_save(0, "x", &SAVED), GJ_ERR_INVALID_HANDLE, NULL);
    EXPECT(gj_pdf_describe(0, buf, sizeof buf), GJ_ERR_INVALID_HANDLE, NULL);
    int flags[2];
    EXPECT(gj_pdf_get_embedding_flags(0, flags, 1), GJ_ERR_INVALID_HANDLE, "handle 0");
    EXPECT(gj_pdf_transform_target_space(0, v, 2, 4, &SAVED, &EMBEDDING, v, 4, NULL),
           GJ_ERR_INVALID_HANDLE, "handle 0");
    TRUE(gj_pdf_last_error(0, buf, sizeof buf) == GJ_ERR_INVALID_HANDLE);

    /* A freed handle stays invalid for every function. */
    uint64_t h;
    EXPECT(create("e2", "gg", &h), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_dims(h, &SAVED, &dim, NULL, NULL, NULL), GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_log_density(h, v, 2, 4, NULL, 0, &SAVED, v, NULL, NULL, 0),
           GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_grad(h, v, 2, 4, NULL, 0, &SAVED, v, NULL, 0, NULL, 0), GJ_ERR_INVALID_HANDLE,
           NULL);
    EXPECT(gj_pdf_log_density_vjp(h, v, 2, 4, NULL, 0, NULL, 0, &SAVED, NULL, 0, v, NULL, 0, NULL, 0, NULL, 0, NULL, 0),
           GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_sample_vjp(h, 1, NULL, 0, NULL, 0, 1, &SAVED, NULL, 0, NULL, 0, NULL, 0, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0),
           GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_init_params(h, NULL, 0, 0, &SAVED, 1000, 1), GJ_ERR_INVALID_HANDLE, NULL);
    EXPECT(gj_pdf_get_embedding_flags(h, flags, 1), GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_transform_target_space(h, v, 2, 4, &SAVED, &EMBEDDING, v, 4, NULL),
           GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_fit(h, v, 2, 4, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, NULL, NULL, NULL, NULL,
                      NULL, 0, NULL),
           GJ_ERR_INVALID_HANDLE, NULL);
    TRUE(gj_pdf_last_error(h, buf, sizeof buf) == GJ_ERR_INVALID_HANDLE);

    /* A new model never reuses the freed handle's value. */
    uint64_t h2;
    EXPECT(create("e2", "gg", &h2), GJ_OK, NULL);
    TRUE(h2 != h);
    EXPECT(gj_pdf_free(h2), GJ_OK, NULL);
}

static void check_shapes(uint64_t h) {
    int64_t dim, base_dim, cond_dim, n_params;
    EXPECT(gj_pdf_dims(h, &SAVED, &dim, &base_dim, &cond_dim, &n_params), GJ_OK, NULL);
    TRUE(dim == 2 && base_dim == 2 && cond_dim == 0 && n_params > 0);
    EXPECT(gj_pdf_dims(h, NULL, &dim, NULL, NULL, NULL), GJ_ERR_NULL_POINTER, "coords is NULL");
    gj_coords bad = GJ_COORDS_INIT(7);
    EXPECT(gj_pdf_dims(h, &bad, &dim, NULL, NULL, NULL), GJ_ERR_ARGUMENT, "coords.kind: 7");
    bad.kind = GJ_COORDS_EMBEDDING;
    bad.struct_size = sizeof(gj_coords) + 8;
    EXPECT(gj_pdf_dims(h, &bad, &dim, NULL, NULL, NULL), GJ_ERR_ARGUMENT, "coords: struct_size");
    bad.struct_size = sizeof(size_t); /* kind is required */
    EXPECT(gj_pdf_dims(h, &bad, &dim, NULL, NULL, NULL), GJ_ERR_ARGUMENT, "coords: struct_size");
    /* An older gj_coords that ends after kind: the per-sub-manifold fields are not read. */
    bad.struct_size = offsetof(gj_coords, embedding);
    bad.embedding_len = 99;
    EXPECT(gj_pdf_dims(h, &bad, NULL, NULL, NULL, NULL), GJ_OK, NULL);
    int one[1] = {1}, two[2] = {1, 0};
    gj_coords per_sub = GJ_COORDS_INIT(GJ_COORDS_PER_SUB_MANIFOLD);
    EXPECT(gj_pdf_dims(h, &per_sub, &dim, NULL, NULL, NULL), GJ_ERR_ARGUMENT,
           "coords: coordinates: 0 per-sub-manifold choices for a PDF of 1 sub-manifolds");
    per_sub.embedding = two;
    per_sub.embedding_len = 2;
    EXPECT(gj_pdf_dims(h, &per_sub, &dim, NULL, NULL, NULL), GJ_ERR_ARGUMENT, "2 per-sub");
    per_sub.embedding = NULL;
    per_sub.embedding_len = 1;
    EXPECT(gj_pdf_dims(h, &per_sub, &dim, NULL, NULL, NULL), GJ_ERR_NULL_POINTER,
           "coords.embedding is NULL");
    per_sub.embedding = one;
    EXPECT(gj_pdf_dims(h, &per_sub, &dim, NULL, NULL, NULL), GJ_OK, NULL);
    TRUE(dim == 2);

    double x[6] = {0.1, 0.2, -0.3, 0.4, 1.0, -1.0}, lp[3], base[6];
    double cond[3] = {1, 2, 3};
    EXPECT(gj_pdf_log_density(h, x, 3, 6, NULL, 0, &SAVED, lp, NULL, base, 6), GJ_OK, NULL);
    TRUE(isfinite(lp[0]) && isfinite(lp[2]) && isfinite(base[5]));
    EXPECT(gj_pdf_log_density(h, x, 3, 6, NULL, 0, &per_sub, NULL, NULL, NULL, 0), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density(h, NULL, 0, 0, NULL, 0, &SAVED, NULL, NULL, NULL, 0), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density(h, NULL, 3, 6, NULL, 0, &SAVED, lp, NULL, NULL, 0),
           GJ_ERR_NULL_POINTER, "x is NULL");
    EXPECT(gj_pdf_log_density(h, x, 3, 5, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "x: length is 5, expected n*dim = 3*2 = 6");
    EXPECT(gj_pdf_log_density(h, x, 3, 6, NULL, 0, &SAVED, lp, NULL, base, 5), GJ_ERR_ARGUMENT,
           "base_len: is 5, expected n*base_dim = 3*2 = 6");
    EXPECT(gj_pdf_log_density(h, x, -1, 6, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "n: must be >= 0");
    EXPECT(gj_pdf_log_density(h, x, 3, 6, cond, 3, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "unconditional");
    EXPECT(gj_pdf_log_density(h, x, 3, 6, NULL, 0, NULL, lp, NULL, NULL, 0), GJ_ERR_NULL_POINTER,
           "coords");
    EXPECT(gj_pdf_log_density(h, x, INT64_MAX / 2, 6, NULL, 0, &SAVED, lp, NULL, NULL, 0),
           GJ_ERR_ARGUMENT, "too large");

    /* Outside the support and NaN are values, not errors. */
    double odd[4] = {NAN, 0.0, 0.5, 0.5};
    EXPECT(gj_pdf_log_density(h, odd, 2, 4, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(isnan(lp[0]) && isfinite(lp[1]));

    double *params = malloc(sizeof(double) * n_params), *grad = malloc(sizeof(double) * n_params);
    EXPECT(gj_pdf_get_params(h, params, n_params - 1), GJ_ERR_ARGUMENT, "n_params");
    EXPECT(gj_pdf_get_params(h, NULL, n_params), GJ_ERR_NULL_POINTER, "out");
    EXPECT(gj_pdf_get_params(h, params, n_params), GJ_OK, NULL);
    EXPECT(gj_pdf_set_params(h, params, n_params + 1), GJ_ERR_ARGUMENT, "values");
    EXPECT(gj_pdf_set_params(h, NULL, n_params), GJ_ERR_NULL_POINTER, "values");
    EXPECT(gj_pdf_set_params(h, params, n_params), GJ_OK, NULL);

    double gx[6];
    EXPECT(gj_pdf_grad(h, x, 3, 6, NULL, 0, &SAVED, lp, grad, n_params - 1, gx, 6),
           GJ_ERR_ARGUMENT, "grad_params");
    EXPECT(gj_pdf_grad(h, x, 3, 6, NULL, 0, &SAVED, lp, grad, n_params, gx, 4), GJ_ERR_ARGUMENT,
           "grad_x_len: is 4, expected n*dim = 3*2 = 6");
    EXPECT(gj_pdf_grad(h, x, 3, 6, NULL, 0, &SAVED, lp, grad, n_params, gx, 6), GJ_OK, NULL);
    EXPECT(gj_pdf_grad(h, x, 3, 6, NULL, 0, &SAVED, NULL, NULL, 0, NULL, 0), GJ_OK, NULL);

    /* Vector-Jacobian products: weights and seeds checked like inputs, outputs like outputs. */
    double w3[3] = {1.0, -0.5, 2.0}, gs[6], gb[6];
    EXPECT(gj_pdf_log_density_vjp(h, x, 3, 6, NULL, 0, NULL, 0, &SAVED, w3, 2, lp, grad, n_params, gx, 6,
                                  NULL, 0, NULL, 0),
           GJ_ERR_ARGUMENT, "weights: length is 2");
    EXPECT(gj_pdf_log_density_vjp(h, x, 3, 6, NULL, 0, NULL, 0, &SAVED, NULL, 3, lp, grad, n_params, gx, 6,
                                  NULL, 0, NULL, 0),
           GJ_ERR_NULL_POINTER, "weights");
    EXPECT(gj_pdf_log_density_vjp(h, x, 3, 6, NULL, 0, NULL, 0, &SAVED, w3, 3, lp, grad, n_params, gx, 6,
                                  gs, 6, NULL, 0),
           GJ_ERR_ARGUMENT, "grad_cond_len");
    EXPECT(gj_pdf_log_density_vjp(h, x, 3, 6, NULL, 0, NULL, 0, &SAVED, w3, 3, lp, grad, n_params, gx, 6,
                                  NULL, 0, NULL, 0),
           GJ_OK, NULL);
    EXPECT(gj_pdf_sample_vjp(h, 3, NULL, 0, NULL, 0, 1, &SAVED, x, 5, NULL, 0, NULL, 0, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0),
           GJ_ERR_ARGUMENT, "d_samples: length is 5");
    EXPECT(gj_pdf_sample_vjp(h, 3, NULL, 0, NULL, 0, 1, &SAVED, x, 6, w3, 3, gs, 6, lp, grad, n_params, NULL, 0, NULL, 0, gb, 5),
           GJ_ERR_ARGUMENT, "grad_base_len");
    EXPECT(gj_pdf_sample_vjp(h, 3, NULL, 0, NULL, 0, 1, &SAVED, x, 6, w3, 3, gs, 6, lp, grad, n_params, NULL, 0, NULL, 0, gb, 6),
           GJ_OK, NULL);

    EXPECT(gj_pdf_sample(h, -2, NULL, 0, 1, &SAVED, NULL, 0, NULL, 0, NULL, NULL),
           GJ_ERR_ARGUMENT, "n");
    EXPECT(gj_pdf_sample(h, 3, NULL, 0, 1, &SAVED, x, 5, NULL, 0, NULL, NULL), GJ_ERR_ARGUMENT,
           "samples_len: is 5, expected n*dim = 3*2 = 6");
    EXPECT(gj_pdf_sample(h, 3, NULL, 0, 1, &SAVED, x, 7, NULL, 0, NULL, NULL), GJ_ERR_ARGUMENT,
           "samples_len: is 7");
    EXPECT(gj_pdf_sample(h, 3, NULL, 0, 1, &SAVED, x, 6, base, 5, NULL, NULL), GJ_ERR_ARGUMENT,
           "base_len: is 5");
    EXPECT(gj_pdf_sample(h, 3, cond, 3, 1, &SAVED, x, 6, NULL, 0, NULL, NULL), GJ_ERR_ARGUMENT,
           "unconditional");
    EXPECT(gj_pdf_sample(h, 3, NULL, 0, 1, NULL, x, 6, NULL, 0, NULL, NULL), GJ_ERR_NULL_POINTER,
           "coords");
    EXPECT(gj_pdf_sample(h, 3, NULL, 0, 1, &SAVED, x, 6, base, 6, lp, NULL), GJ_OK, NULL);

    EXPECT(gj_pdf_init_params(h, NULL, 0, 0, &SAVED, 0.0, 1), GJ_ERR_ARGUMENT, "damping");
    EXPECT(gj_pdf_init_params(h, NULL, 3, 6, &SAVED, 1000, 1), GJ_ERR_NULL_POINTER,
           "data is NULL");
    EXPECT(gj_pdf_init_params(h, x, 3, 4, &SAVED, 1000, 1), GJ_ERR_ARGUMENT, "data: length is 4");
    EXPECT(gj_pdf_init_params(h, odd, 2, 4, &SAVED, 1000, 1), GJ_ERR_ARGUMENT, "NaN");
    EXPECT(gj_pdf_init_params(h, x, 3, 6, NULL, 1000, 1), GJ_ERR_NULL_POINTER, "coords");
    EXPECT(gj_pdf_init_params(h, NULL, 0, 0, &SAVED, 1000, 1), GJ_OK, NULL);

    /* The per-handle message is the last failure on that handle. */
    char buf[1024];
    EXPECT(gj_pdf_get_params(h, params, 0), GJ_ERR_ARGUMENT, "len");
    EXPECT(gj_set_threads(-3), GJ_ERR_ARGUMENT, NULL);
    TRUE(gj_pdf_last_error(h, buf, sizeof buf) == GJ_OK && strstr(buf, "gj_pdf_get_params"));
    free(params);
    free(grad);
}

/* Saved embedding flags and coordinate transforms on a Euclidean + interval model: flags set at
 * creation, identity transforms with zero log-det, and every bad argument. */
static void check_embedding(void) {
    uint64_t h;
    int flags[3] = {-1, -1, -1}, created[2] = {0, 1};
    char buf[4096];
    int64_t dim_saved, dim_embedding;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2+i1_-1.0_2.0", "gg+r");
    o.embedding_flags = created;
    o.embedding_flags_len = 2;
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    created[1] = 0; /* the library keeps its own copy */
    EXPECT(gj_pdf_get_embedding_flags(h, flags, 2), GJ_OK, NULL);
    TRUE(flags[0] == 0 && flags[1] == 1 && flags[2] == -1);
    EXPECT(gj_pdf_get_embedding_flags(h, flags, 1), GJ_ERR_ARGUMENT,
           "len: is 1, expected the number of sub-manifolds = 2");
    EXPECT(gj_pdf_get_embedding_flags(h, flags, 3), GJ_ERR_ARGUMENT, "sub-manifolds = 2");
    EXPECT(gj_pdf_get_embedding_flags(h, flags, -1), GJ_ERR_ARGUMENT, "len");
    EXPECT(gj_pdf_get_embedding_flags(h, NULL, 2), GJ_ERR_NULL_POINTER, "flags is NULL");
    EXPECT(gj_pdf_describe(h, buf, sizeof buf), GJ_OK, NULL);
    TRUE(strstr(buf, "\"embedding_flags\":[false,true]") != NULL);
    TRUE(strstr(buf, "\"saved\":3") != NULL);
    EXPECT(gj_pdf_dims(h, &SAVED, &dim_saved, NULL, NULL, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_dims(h, &EMBEDDING, &dim_embedding, NULL, NULL, NULL), GJ_OK, NULL);
    TRUE(dim_saved == 3 && dim_embedding == 3);

    /* Euclidean and interval coordinates are the same in every system: identity, log-det 0. */
    double x[6] = {0.1, -2.0, 0.5, 3.0, 0.25, 1.5}, y[6], log_det[2] = {NAN, NAN};
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &INTRINSIC, &EMBEDDING, y, 6, log_det),
           GJ_OK, NULL);
    TRUE(memcmp(x, y, sizeof x) == 0 && log_det[0] == 0 && log_det[1] == 0);
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &SAVED, &SAVED, y, 6, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_transform_target_space(h, NULL, 0, 0, &SAVED, &EMBEDDING, NULL, 0, NULL), GJ_OK,
           NULL);
    EXPECT(gj_pdf_transform_target_space(h, NULL, 2, 6, &SAVED, &EMBEDDING, y, 6, NULL),
           GJ_ERR_NULL_POINTER, "x is NULL");
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &SAVED, &EMBEDDING, NULL, 6, log_det),
           GJ_ERR_NULL_POINTER, "out is NULL");
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 5, &SAVED, &EMBEDDING, y, 6, NULL),
           GJ_ERR_ARGUMENT, "x: length is 5, expected n*dim(from_coords) = 2*3 = 6");
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &SAVED, &EMBEDDING, y, 4, NULL),
           GJ_ERR_ARGUMENT, "out: length is 4, expected n*dim(to_coords) = 2*3 = 6");
    EXPECT(gj_pdf_transform_target_space(h, x, -1, 6, &SAVED, &EMBEDDING, y, 6, NULL),
           GJ_ERR_ARGUMENT, "n: must be >= 0");
    gj_coords bad = GJ_COORDS_INIT(3);
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &bad, &EMBEDDING, y, 6, NULL),
           GJ_ERR_ARGUMENT, "from_coords: coordinates: 0 per-sub-manifold choices");
    bad.kind = -1;
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &SAVED, &bad, y, 6, NULL), GJ_ERR_ARGUMENT,
           "to_coords.kind: -1 is not");
    EXPECT(gj_pdf_transform_target_space(h, x, 2, 6, &SAVED, NULL, y, 6, NULL),
           GJ_ERR_NULL_POINTER, "to_coords is NULL");
    EXPECT(gj_pdf_transform_target_space(h, x, INT64_MAX / 2, 6, &SAVED, &EMBEDDING, y, 6, NULL),
           GJ_ERR_ARGUMENT, "too large");
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

/* On a sphere, transforms convert angles to unit vectors with log-det log(sin(zenith)); the
 * saved flags and explicit per-sub-manifold choices decide the dimension of a call. */
static void check_sphere_embedding(const char* dir) {
    uint64_t h, h2;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e1+s2", "g+n");
    o.amortization_mlp_dims = "8";
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    const double theta = 1.0, phi = 2.0;
    double x[3] = {0.3, theta, phi}, y[4], back[3], log_det[1], log_det_back[1];
    EXPECT(gj_pdf_transform_target_space(h, x, 1, 3, &INTRINSIC, &EMBEDDING, y, 4, log_det),
           GJ_OK, NULL);
    TRUE(y[0] == 0.3 && fabs(y[1] - sin(theta) * cos(phi)) < 1e-14 &&
         fabs(y[2] - sin(theta) * sin(phi)) < 1e-14 && fabs(y[3] - cos(theta)) < 1e-14);
    TRUE(fabs(log_det[0] - log(sin(theta))) < 1e-14);
    EXPECT(gj_pdf_transform_target_space(h, y, 1, 4, &EMBEDDING, &INTRINSIC, back, 3,
                                         log_det_back),
           GJ_OK, NULL);
    TRUE(fabs(back[1] - theta) < 1e-12 && fabs(back[2] - phi) < 1e-12);
    TRUE(fabs(log_det[0] + log_det_back[0]) < 1e-12);
    EXPECT(gj_pdf_transform_target_space(h, x, 1, 3, &SAVED, &EMBEDDING, y, 3, NULL),
           GJ_ERR_ARGUMENT, "out: length is 3, expected n*dim(to_coords) = 1*4 = 4");

    /* Per sub-manifold: intrinsic e1, embedding s2 -- the dimension follows the argument. */
    int choice[2] = {0, 1}, flags[2] = {-1, -1};
    gj_coords per_sub = GJ_COORDS_INIT(GJ_COORDS_PER_SUB_MANIFOLD);
    per_sub.embedding = choice;
    per_sub.embedding_len = 2;
    int64_t dim;
    EXPECT(gj_pdf_dims(h, &per_sub, &dim, NULL, NULL, NULL), GJ_OK, NULL);
    TRUE(dim == 4);
    double lp_saved[1], lp_per_sub[1];
    EXPECT(gj_pdf_log_density(h, y, 1, 4, NULL, 0, &per_sub, lp_per_sub, NULL, NULL, 0), GJ_OK,
           NULL);
    EXPECT(gj_pdf_log_density(h, x, 1, 4, NULL, 0, &SAVED, lp_saved, NULL, NULL, 0),
           GJ_ERR_ARGUMENT, "x: length is 4, expected n*dim = 1*3 = 3");
    choice[1] = 2;
    EXPECT(gj_pdf_dims(h, &per_sub, &dim, NULL, NULL, NULL), GJ_ERR_ARGUMENT,
           "coords.embedding[1]: must be 1");
    choice[1] = 1;

    /* Saving with other coordinates records them as the saved flags of the file only. */
    char path[1024];
    snprintf(path, sizeof path, "%s/check_errors_sphere.safetensors", dir);
    EXPECT(gj_pdf_save(h, path, &per_sub), GJ_OK, NULL);
    EXPECT(gj_pdf_get_embedding_flags(h, flags, 2), GJ_OK, NULL);
    TRUE(flags[0] == 0 && flags[1] == 0);
    EXPECT(gj_pdf_load(path, &h2), GJ_OK, NULL);
    EXPECT(gj_pdf_get_embedding_flags(h2, flags, 2), GJ_OK, NULL);
    TRUE(flags[0] == 0 && flags[1] == 1);
    EXPECT(gj_pdf_dims(h2, &SAVED, &dim, NULL, NULL, NULL), GJ_OK, NULL);
    TRUE(dim == 4);
    EXPECT(gj_pdf_log_density(h2, y, 1, 4, NULL, 0, &SAVED, lp_saved, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(lp_saved[0] == lp_per_sub[0]);
    EXPECT(gj_pdf_transform_target_space(h2, x, 1, 3, &SAVED, &EMBEDDING, y, 4, NULL),
           GJ_ERR_ARGUMENT, "x: length is 3, expected n*dim(from_coords) = 1*4 = 4");
    EXPECT(gj_pdf_save(h2, path, &INTRINSIC), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h2), GJ_OK, NULL);
    EXPECT(gj_pdf_load(path, &h2), GJ_OK, NULL);
    EXPECT(gj_pdf_get_embedding_flags(h2, flags, 2), GJ_OK, NULL);
    TRUE(flags[0] == 0 && flags[1] == 0);
    choice[0] = 5;
    EXPECT(gj_pdf_save(h2, path, &per_sub), GJ_ERR_ARGUMENT, "saved_coords.embedding[0]");
    EXPECT(gj_pdf_save(h2, path, NULL), GJ_ERR_NULL_POINTER, "saved_coords");
    EXPECT(gj_pdf_free(h2), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    remove(path);
}

/* Conditional models require n x cond_dim conditional inputs. */
static void check_conditional(void) {
    uint64_t h;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    o.conditional_input_dim = 3;
    o.amortization_mlp_dims = "8";
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    double x[4] = {0.1, 0.2, 0.3, 0.4}, cond[6] = {1, 2, 3, 4, 5, 6}, lp[2];
    EXPECT(gj_pdf_log_density(h, x, 2, 4, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "cond: length is 0, expected n*cond_dim = 2*3 = 6");
    EXPECT(gj_pdf_log_density(h, x, 2, 4, NULL, 6, &SAVED, lp, NULL, NULL, 0),
           GJ_ERR_NULL_POINTER, "cond is NULL");
    EXPECT(gj_pdf_log_density(h, x, 2, 4, cond, 5, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "cond");
    EXPECT(gj_pdf_log_density(h, x, 2, 4, cond, 6, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    EXPECT(gj_pdf_sample(h, 2, NULL, 0, 1, &SAVED, x, 4, NULL, 0, NULL, NULL), GJ_ERR_ARGUMENT,
           "cond");
    EXPECT(gj_pdf_sample(h, 2, cond, 6, 1, &SAVED, x, 4, NULL, 0, NULL, NULL), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

/* Per-sub-manifold conditioning and the custom MLP through opts.amortization_json: the
 * conditional row is the sub-manifolds' inputs concatenated; bad settings name the argument. */
static void check_amortization(const char* dir) {
    uint64_t h = 0, h2 = 0;
    char path[1024], desc[4096];
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e1+e1", "g+g");
    o.amortization_json =
        "{\"conditional_input_dim\": [2, null], \"amortization_mlp_dims\": [\"8\", \"4-4\"],"
        " \"amortization_mlp_use_custom_mode\": true, \"amortization_mlp_ranks\": [1, \"1-0-2-1-0\"],"
        " \"amortization_mlp_highway_mode\": 4}";
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    int64_t cond_dim = -1, n_params = -1;
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, &cond_dim, &n_params), GJ_OK, NULL);
    TRUE(cond_dim == 2 && n_params > 0);
    EXPECT(gj_pdf_describe(h, desc, sizeof desc), GJ_OK, NULL);
    TRUE(strstr(desc, "\"conditional_input_dim\":[2,null]") != NULL);
    TRUE(strstr(desc, "\"amortization_mlp_highway_mode\":4") != NULL);
    double x[4] = {0.1, 0.2, 0.3, 0.4}, cond[4] = {1, 2, 3, 4}, lp[2], lp2[2];
    EXPECT(gj_pdf_log_density(h, x, 2, 4, cond, 2, &SAVED, lp, NULL, NULL, 0), GJ_ERR_ARGUMENT,
           "n*cond_dim = 2*2 = 4");
    EXPECT(gj_pdf_log_density(h, x, 2, 4, cond, 4, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(isfinite(lp[0]) && isfinite(lp[1]));
    snprintf(path, sizeof path, "%s/check_errors_amortized.safetensors", dir);
    EXPECT(gj_pdf_save(h, path, &SAVED), GJ_OK, NULL);
    EXPECT(gj_pdf_load(path, &h2), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density(h2, x, 2, 4, cond, 4, &SAVED, lp2, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(lp[0] == lp2[0] && lp[1] == lp2[1]);
    EXPECT(gj_pdf_free(h2), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    remove(path);

    o.amortization_json = "{\"conditional_input_dim\": [2]}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION,
           "conditional_input_dim: a list needs one entry per sub-manifold (2), got 1");
    o.amortization_json = "{\"conditional_input_dim\": 2, \"amortization_mlp_dims\": [\"8\"]}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "amortization_mlp_dims: a list needs one entry");
    o.amortization_json = "{\"conditional_input_dim\": 2, \"amortization_mlp_use_custom_mode\": true,"
                          " \"amortization_mlp_ranks\": \"2-x\"}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "amortization_mlp_ranks \"2-x\"");
    o.amortization_json = "{\"conditional_input_dim\": 2, \"amortization_mlp_highway_mode\": 5}";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "amortization_mlp_highway_mode must be 0, 1, 2, 3 or 4");
    o.amortization_json = "[1, 2]";
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "opts.amortization_json: not a JSON object");
    o.amortization_json = "{\"conditional_input_dim\": 2}";
    o.conditional_input_dim = 3;
    EXPECT(gj_pdf_create(&o, &h), GJ_ERR_DEFINITION, "conditional_input_dim is also set");
    /* An older caller's struct ending before amortization_json: the field takes its default. */
    o.struct_size = offsetof(gj_create_options, amortization_json);
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, &cond_dim, NULL), GJ_OK, NULL);
    TRUE(cond_dim == 3);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
}

static void check_files(uint64_t h, const char* dir) {
    char path[1024], bad[1024];
    snprintf(path, sizeof path, "%s/check_errors_model.safetensors", dir);
    snprintf(bad, sizeof bad, "%s/check_errors_garbage.bin", dir);
    uint64_t h2 = 0;
    EXPECT(gj_pdf_save(h, NULL, &SAVED), GJ_ERR_NULL_POINTER, "path");
    EXPECT(gj_pdf_save(h, "/nonexistent-dir/sub/model.safetensors", &SAVED), GJ_ERR_IO,
           "nonexistent");
    EXPECT(gj_pdf_load(NULL, &h2), GJ_ERR_NULL_POINTER, "path");
    EXPECT(gj_pdf_load(path, NULL), GJ_ERR_NULL_POINTER, "out_handle");
    EXPECT(gj_pdf_load("/nonexistent-dir/model.safetensors", &h2), GJ_ERR_IO, "nonexistent");
    FILE* f = fopen(bad, "wb");
    fputs("this is not a model", f);
    fclose(f);
    EXPECT(gj_pdf_load(bad, &h2), GJ_ERR_IO, "not a gojammy model");
    EXPECT(gj_pdf_save(h, path, &SAVED), GJ_OK, NULL);
    EXPECT(gj_pdf_load(path, &h2), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h2), GJ_OK, NULL);

    /* In-memory round trip: query the size, then serialize and load. */
    int64_t size = 0, size2 = 0;
    uint8_t tiny[4];
    EXPECT(gj_pdf_save_buffer(h, &SAVED, NULL, 0, NULL), GJ_ERR_NULL_POINTER, "size");
    EXPECT(gj_pdf_save_buffer(h, NULL, NULL, 0, &size), GJ_ERR_NULL_POINTER, "saved_coords");
    EXPECT(gj_pdf_save_buffer(h, &SAVED, NULL, 0, &size), GJ_OK, NULL);
    TRUE(size > 8);
    EXPECT(gj_pdf_save_buffer(h, &SAVED, tiny, sizeof tiny, &size2), GJ_ERR_BUFFER_TOO_SMALL,
           "too small");
    TRUE(size2 == size);
    uint8_t* bytes = malloc(size);
    EXPECT(gj_pdf_save_buffer(h, &SAVED, bytes, size, &size2), GJ_OK, NULL);
    EXPECT(gj_pdf_load_buffer(bytes, size - 1, &h2), GJ_ERR_IO, "truncated");
    EXPECT(gj_pdf_load_buffer(NULL, size, &h2), GJ_ERR_NULL_POINTER, "buf");
    EXPECT(gj_pdf_load_buffer(bytes, -1, &h2), GJ_ERR_ARGUMENT, "len");
    bytes[size - 1] ^= 1;
    EXPECT(gj_pdf_load_buffer(bytes, size, &h2), GJ_ERR_IO, "checksum");
    bytes[size - 1] ^= 1;
    EXPECT(gj_pdf_load_buffer(bytes, size, &h2), GJ_OK, NULL);
    int64_t n_params;
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, NULL, &n_params), GJ_OK, NULL);
    double *p1 = malloc(sizeof(double) * n_params), *p2 = malloc(sizeof(double) * n_params);
    EXPECT(gj_pdf_get_params(h, p1, n_params), GJ_OK, NULL);
    EXPECT(gj_pdf_get_params(h2, p2, n_params), GJ_OK, NULL);
    TRUE(memcmp(p1, p2, sizeof(double) * n_params) == 0);
    EXPECT(gj_pdf_free(h2), GJ_OK, NULL);
    free(bytes);
    free(p1);
    free(p2);
    remove(path);
    remove(bad);
}

/* A progress callback that uses the model it is training, then stops at step 3. */
struct callback_state {
    uint64_t handle;
    int64_t n_params;
    int calls;
    int statuses[5]; /* get_params, set_params, free, dims, init_params */
};

static int probing_callback(void* user_data, int64_t step, int64_t epoch, double loss,
                            double val_loss) {
    struct callback_state* s = user_data;
    (void)epoch;
    (void)val_loss;
    s->calls++;
    if (step == 2) {
        double* p = malloc(sizeof(double) * s->n_params);
        int64_t dim;
        s->statuses[0] = gj_pdf_get_params(s->handle, p, s->n_params);
        s->statuses[1] = gj_pdf_set_params(s->handle, p, s->n_params);
        s->statuses[2] = gj_pdf_free(s->handle);
        s->statuses[3] = gj_pdf_dims(s->handle, &SAVED, &dim, NULL, NULL, NULL);
        s->statuses[4] = gj_pdf_init_params(s->handle, NULL, 0, 0, &SAVED, 1000, 1);
        free(p);
    }
    return step >= 3 || !isfinite(loss);
}

static void check_fit(uint64_t h) {
    enum { N = 300 };
    double data[2 * N], loss[4] = {0}, val[4] = {0};
    for (int i = 0; i < 2 * N; i++) data[i] = sin(1.7 * i) + 0.1 * cos(0.3 * i);
    int64_t n_params, epochs = -1;
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, NULL, &n_params), GJ_OK, NULL);

    gj_fit_options opts = GJ_FIT_OPTIONS_INIT;
    TRUE(opts.struct_size == sizeof opts && opts.epochs == 10 && opts.batch_size == 256 &&
         opts.learning_rate == 1e-2);
    EXPECT(gj_pdf_fit(h, data, N, 2 * N - 1, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL,
                      NULL, loss, val, 4, &epochs),
           GJ_ERR_ARGUMENT, "data: length");
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 10, 20, NULL, 0, &SAVED, &opts, NULL,
                      NULL, loss, val, 4, &epochs),
           GJ_ERR_NULL_POINTER, "val_data");
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, data, 10, 19, NULL, 0, &SAVED, &opts, NULL,
                      NULL, loss, val, 4, &epochs),
           GJ_ERR_ARGUMENT, "val_data: length");
    EXPECT(gj_pdf_fit(h, data, 0, 0, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL, NULL,
                      loss, val, 4, &epochs),
           GJ_ERR_ARGUMENT, "no rows");
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL, NULL,
                      loss, val, -1, &epochs),
           GJ_ERR_ARGUMENT, "history_len");
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, NULL, &opts, NULL, NULL,
                      loss, val, 4, &epochs),
           GJ_ERR_NULL_POINTER, "coords");
    opts.struct_size = sizeof opts + 8;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL, NULL,
                      loss, val, 4, &epochs),
           GJ_ERR_ARGUMENT, "opts: struct_size");
    opts.struct_size = 4;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL, NULL,
                      loss, val, 4, &epochs),
           GJ_ERR_ARGUMENT, "opts: struct_size 4");
    /* An older struct that ends before learning_rate: the rate beyond it is not read. */
    opts.struct_size = offsetof(gj_fit_options, learning_rate);
    opts.learning_rate = -1;
    opts.epochs = 1;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL, NULL,
                      loss, val, 4, &epochs),
           GJ_OK, NULL);
    TRUE(epochs == 1);
    opts.struct_size = sizeof opts;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, &opts, NULL, NULL,
                      loss, val, 4, &epochs),
           GJ_ERR_ARGUMENT, "learning_rate");

    /* Two epochs without validation: histories written, validation losses NaN. */
    opts.learning_rate = 1e-3;
    opts.epochs = 2;
    opts.batch_size = 100;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, NULL, 0, 0, NULL, 0, &INTRINSIC, &opts, NULL,
                      NULL, loss, val, 4, &epochs),
           GJ_OK, NULL);
    TRUE(epochs == 2 && isfinite(loss[0]) && isfinite(loss[1]) && isnan(val[0]) && loss[2] == 0);

    /* The callback may read the model but not modify or free it; it stops training. */
    struct callback_state s = {h, n_params, 0, {-1, -1, -1, -1, -1}};
    epochs = -1;
    EXPECT(gj_pdf_fit(h, data, N, 2 * N, NULL, 0, data, 50, 100, NULL, 0, &SAVED, &opts,
                      probing_callback, &s, loss, val, 1, &epochs),
           GJ_ERR_STOPPED, "stopped by the progress callback");
    TRUE(s.calls == 3 && epochs == 1 && isfinite(loss[0]) && isfinite(val[0]));
    TRUE(s.statuses[0] == GJ_OK && s.statuses[1] == GJ_ERR_BUSY && s.statuses[2] == GJ_ERR_BUSY &&
         s.statuses[3] == GJ_OK && s.statuses[4] == GJ_ERR_BUSY);
    /* The handle is intact after its callback tried to free it. */
    EXPECT(gj_pdf_dims(h, &SAVED, NULL, NULL, NULL, &n_params), GJ_OK, NULL);
}

/* Messages are per thread: a failure on another thread does not replace this thread's. */
static void* fail_on_thread(void* arg) {
    (void)arg;
    char buf[256];
    gj_set_threads(-42);
    gj_last_error(buf, sizeof buf);
    return strstr(buf, "-42") ? (void*)1 : NULL;
}

static void check_thread_messages(void) {
    char buf[256];
    EXPECT(gj_set_threads(-7), GJ_ERR_ARGUMENT, "-7");
    pthread_t t;
    void* seen = NULL;
    pthread_create(&t, NULL, fail_on_thread, NULL);
    pthread_join(t, &seen);
    TRUE(seen != NULL);
    TRUE(gj_last_error(buf, sizeof buf) == GJ_OK && strstr(buf, "-7") && !strstr(buf, "-42"));
}

/* With GOJAMMY_TEST_PANIC=gj_pdf_sample, gj_pdf_sample panics inside the library: it returns
 * GJ_ERR_INTERNAL and poisons its model; every later call on that model returns GJ_ERR_POISONED
 * quoting the panic, gj_pdf_last_error and gj_pdf_free still work, other models are unaffected. */
static void check_poisoned(void) {
    uint64_t h, other;
    double x[2] = {0.1, 0.2}, lp[1], params[1];
    int64_t dim;
    char buf[1024];
    EXPECT(create("e2", "gg", &h), GJ_OK, NULL);
    EXPECT(create("e2", "gg", &other), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density(h, x, 1, 2, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    EXPECT(gj_pdf_sample(h, 1, NULL, 0, 1, &SAVED, x, 2, NULL, 0, NULL, NULL), GJ_ERR_INTERNAL,
           "gj_pdf_sample: internal error (please report): GOJAMMY_TEST_PANIC=gj_pdf_sample");
    EXPECT(gj_pdf_log_density(h, x, 1, 2, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_ERR_POISONED,
           "is unusable because an earlier call failed inside the library (gj_pdf_sample: "
           "GOJAMMY_TEST_PANIC=gj_pdf_sample)");
    EXPECT(gj_pdf_dims(h, &SAVED, &dim, NULL, NULL, NULL), GJ_ERR_POISONED, "gj_pdf_dims");
    EXPECT(gj_pdf_set_params(h, params, 1), GJ_ERR_POISONED, "unusable");
    EXPECT(gj_pdf_save_buffer(h, &SAVED, NULL, 0, &dim), GJ_ERR_POISONED, "unusable");
    EXPECT(gj_pdf_fit(h, x, 1, 2, NULL, 0, NULL, 0, 0, NULL, 0, &SAVED, NULL, NULL, NULL, NULL,
                      NULL, 0, NULL),
           GJ_ERR_POISONED, "unusable");
    TRUE(gj_pdf_last_error(h, buf, sizeof buf) == GJ_OK && strstr(buf, "unusable"));
    EXPECT(gj_pdf_log_density(other, x, 1, 2, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    EXPECT(gj_pdf_free(h), GJ_ERR_INVALID_HANDLE, "freed");
    EXPECT(gj_pdf_free(other), GJ_OK, NULL);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    const char* panic_hook = getenv("GOJAMMY_TEST_PANIC");
    if (panic_hook && strcmp(panic_hook, "gj_pdf_sample") == 0) {
        check_poisoned();
    } else {
        check_library();
        check_create();
        check_handles();
        uint64_t h;
        EXPECT(create("e2", "gg", &h), GJ_OK, NULL);
        check_shapes(h);
        check_conditional();
        check_amortization(argv[1]);
        check_embedding();
        check_sphere_embedding(argv[1]);
        check_files(h, argv[1]);
        check_fit(h);
        EXPECT(gj_pdf_free(h), GJ_OK, NULL);
        check_thread_messages();
    }
    if (failures) {
        fprintf(stderr, "check_errors: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("check_errors: all %d checks passed%s\n", checks,
           panic_hook ? " (poisoned models, GOJAMMY_TEST_PANIC)" : "");
    return 0;
}
