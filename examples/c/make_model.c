/*
 * make_model.c -- creates a gojammy model with the C API, trains it briefly on generated data
 * and saves it.
 *
 *   make_model OUTPUT [PDF_DEFS FLOW_DEFS [CONDITIONAL_INPUT_DIM]]     (default: e2 gggg 0)
 *
 * The data are a curved two-dimensional distribution (x2 depends on x1^2, plus a shift by the
 * conditional input for a conditional model); extra dimensions are independent normals.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

/* A small deterministic normal generator (xorshift64* + Box-Muller). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static double uniform(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((rng_state * 0x2545F4914F6CDD1Du) >> 11) * (1.0 / 9007199254740992.0) + 0x1p-54;
}

static double normal(void) {
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static int print_progress(void* user_data, int64_t step, int64_t epoch, double loss,
                          double val_loss) {
    (void)user_data;
    if (step % 20 == 0) {
        printf("  epoch %lld step %4lld  loss %.4f  val_loss %.4f\n", (long long)epoch,
               (long long)step, loss, val_loss);
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc != 2 && argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s OUTPUT [PDF_DEFS FLOW_DEFS [CONDITIONAL_INPUT_DIM]]\n", argv[0]);
        return 2;
    }
    int major, minor, patch;
    CHECK(gj_version_numbers(&major, &minor, &patch));
    if (gj_abi_version() != GJ_ABI_VERSION || major != GJ_VERSION_MAJOR) {
        fprintf(stderr, "libgojammy %d.%d.%d (ABI %d), header %d.%d.%d (ABI %d)\n", major, minor,
                patch, gj_abi_version(), GJ_VERSION_MAJOR, GJ_VERSION_MINOR, GJ_VERSION_PATCH,
                GJ_ABI_VERSION);
        return 1;
    }
    gj_create_options create = GJ_CREATE_OPTIONS_INIT(argc >= 4 ? argv[2] : "e2",
                                                      argc >= 4 ? argv[3] : "gggg");
    create.conditional_input_dim = argc == 5 ? atoi(argv[4]) : 0;
    const char* pdf_defs = create.pdf_defs;
    const char* flow_defs = create.flow_defs;
    int cond_dim = (int)create.conditional_input_dim;

    uint64_t h = 0;
    CHECK(gj_pdf_create(&create, &h));
    /* The data below are in intrinsic coordinates; a new model's saved flags are all 0, so
     * GJ_COORDS_SAVED would mean the same, but stating the choice needs no such reasoning. */
    const gj_coords intrinsic = GJ_COORDS_INIT(GJ_COORDS_INTRINSIC);
    const gj_coords saved = GJ_COORDS_INIT(GJ_COORDS_SAVED);
    int64_t dim, n_params;
    CHECK(gj_pdf_dims(h, &intrinsic, &dim, NULL, NULL, &n_params));
    printf("created pdf(\"%s\", \"%s\") conditional_input_dim %d: dim %lld, %lld parameters\n",
           pdf_defs, flow_defs, cond_dim, (long long)dim, (long long)n_params);

    enum { N = 2000, N_VAL = 500 };
    int64_t rows = N + N_VAL;
    double* x = malloc(sizeof(double) * rows * dim);
    double* cond = cond_dim > 0 ? malloc(sizeof(double) * rows * cond_dim) : NULL;
    for (int64_t i = 0; i < rows; i++) {
        double shift = 0;
        for (int j = 0; j < cond_dim; j++) {
            cond[i * cond_dim + j] = normal();
            shift += 0.5 * cond[i * cond_dim + j];
        }
        for (int64_t j = 0; j < dim; j++) x[i * dim + j] = normal();
        x[i * dim] += shift;
        if (dim > 1) x[i * dim + 1] = 0.5 * x[i * dim] * x[i * dim] + 0.3 * x[i * dim + 1];
    }

    /* A data-driven start for unconditional models; conditional ones keep the default. */
    if (cond_dim == 0) CHECK(gj_pdf_init_params(h, x, N, N * dim, &intrinsic, 1000.0, 1));

    gj_fit_options opts = GJ_FIT_OPTIONS_INIT;
    opts.epochs = 3;
    opts.batch_size = 200;
    opts.learning_rate = 0.02;
    opts.seed = 7;
    double loss[8], val_loss[8];
    int64_t epochs = 0;
    CHECK(gj_pdf_fit(h, x, N, N * dim, cond, cond ? N * cond_dim : 0, x + N * dim, N_VAL,
                     N_VAL * dim, cond ? cond + N * cond_dim : NULL, cond ? N_VAL * cond_dim : 0,
                     &intrinsic, &opts, print_progress, NULL, loss, val_loss, 8, &epochs));
    for (int64_t e = 0; e < epochs && e < 8; e++) {
        printf("epoch %lld: loss %.4f, validation loss %.4f\n", (long long)e + 1, loss[e],
               val_loss[e]);
    }

    CHECK(gj_pdf_save(h, argv[1], &saved));
    printf("saved %s\n", argv[1]);
    CHECK(gj_pdf_free(h));
    free(x);
    free(cond);
    return 0;
}
