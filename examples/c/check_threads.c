/*
 * check_threads.c -- checks the thread-safety promises of the C API:
 *   - concurrent evaluations and samples on one handle give the same bits as serial calls;
 *   - results do not depend on gj_set_threads;
 *   - on a sphere model, concurrent calls in different coordinates (intrinsic, embedding, per
 *     sub-manifold) each get the shape and bits of their own arguments;
 *   - freeing a handle while other threads use it is safe: their calls return GJ_OK or
 *     GJ_ERR_INVALID_HANDLE, never crash.
 *
 *   check_threads
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gojammy.h"

enum { N = 3000, DIM = 2, THREADS = 4, REPEATS = 10 };

static const gj_coords SAVED = GJ_COORDS_INIT(GJ_COORDS_SAVED);

static uint64_t handle;
static double x[N * DIM];
static double reference[N];
static double reference_samples[N * DIM];

/* The sphere model e1+s2 and its serial samples in three coordinate choices (dims 3, 4, 4). */
enum { N_SPHERE = 500, CHOICES = 3 };
static uint64_t sphere;
static gj_coords choices[CHOICES];
static const int per_sub[2] = {0, 1};
static int64_t choice_dim[CHOICES];
static double sphere_reference[CHOICES][N_SPHERE * 4];

static int failures = 0;
static pthread_mutex_t failures_mu = PTHREAD_MUTEX_INITIALIZER;

static void failed(const char* what, int status) {
    char msg[512] = "";
    gj_last_error(msg, sizeof msg);
    pthread_mutex_lock(&failures_mu);
    fprintf(stderr, "FAIL: %s (status %d: %s)\n", what, status, msg);
    failures++;
    pthread_mutex_unlock(&failures_mu);
}

static void* evaluate_repeatedly(void* arg) {
    (void)arg;
    double* lp = malloc(sizeof(double) * N);
    double* s = malloc(sizeof(double) * N * DIM);
    for (int r = 0; r < REPEATS; r++) {
        int st = gj_pdf_log_density(handle, x, N, N * DIM, NULL, 0, &SAVED, lp, NULL, NULL, 0);
        if (st != GJ_OK || memcmp(lp, reference, sizeof(double) * N) != 0) {
            failed("concurrent log_density differs from the serial result", st);
            break;
        }
        st = gj_pdf_sample(handle, N, NULL, 0, 99, &SAVED, s, N * DIM, NULL, 0, NULL, NULL);
        if (st != GJ_OK || memcmp(s, reference_samples, sizeof(double) * N * DIM) != 0) {
            failed("concurrent samples differ from the serial result", st);
            break;
        }
    }
    free(lp);
    free(s);
    return NULL;
}

/* Evaluates until the handle is freed; any status but OK or INVALID_HANDLE is a failure. */
static void* evaluate_until_freed(void* arg) {
    long* calls = arg;
    double lp[64];
    for (;;) {
        int st = gj_pdf_log_density(handle, x, 64, 64 * DIM, NULL, 0, &SAVED, lp, NULL, NULL, 0);
        if (st == GJ_ERR_INVALID_HANDLE) return NULL;
        if (st != GJ_OK) {
            failed("log_density during free", st);
            return NULL;
        }
        (*calls)++;
    }
}

/* Thread k samples the sphere model in coordinate choice k % CHOICES, repeatedly. */
static void* sample_in_coordinates(void* arg) {
    int k = (int)(long)arg % CHOICES;
    int64_t len = N_SPHERE * choice_dim[k];
    double* s = malloc(sizeof(double) * len);
    for (int r = 0; r < REPEATS; r++) {
        int st = gj_pdf_sample(sphere, N_SPHERE, NULL, 0, 5, &choices[k], s, len, NULL, 0, NULL,
                               NULL);
        if (st != GJ_OK || memcmp(s, sphere_reference[k], sizeof(double) * len) != 0) {
            failed("concurrent samples in per-call coordinates differ from the serial result", st);
            break;
        }
    }
    free(s);
    return NULL;
}

int main(void) {
    int st;
    for (int i = 0; i < N * DIM; i++) x[i] = 2.0 * ((i * 7919) % 1000) / 1000.0 - 1.0;
    gj_create_options create = GJ_CREATE_OPTIONS_INIT("e2", "gggg");
    if ((st = gj_pdf_create(&create, &handle)) != GJ_OK) {
        failed("create", st);
        return 1;
    }
    gj_create_options create_sphere = GJ_CREATE_OPTIONS_INIT("e1+s2", "g+n");
    create_sphere.amortization_mlp_dims = "8";
    if ((st = gj_pdf_create(&create_sphere, &sphere)) != GJ_OK) {
        failed("create e1+s2", st);
        return 1;
    }
    const gj_coords intrinsic = GJ_COORDS_INIT(GJ_COORDS_INTRINSIC);
    const gj_coords embedding = GJ_COORDS_INIT(GJ_COORDS_EMBEDDING);
    gj_coords mixed = GJ_COORDS_INIT(GJ_COORDS_PER_SUB_MANIFOLD);
    mixed.embedding = per_sub;
    mixed.embedding_len = 2;
    choices[0] = intrinsic;
    choices[1] = embedding;
    choices[2] = mixed;

    gj_set_threads(1);
    gj_pdf_log_density(handle, x, N, N * DIM, NULL, 0, &SAVED, reference, NULL, NULL, 0);
    gj_pdf_sample(handle, N, NULL, 0, 99, &SAVED, reference_samples, N * DIM, NULL, 0, NULL, NULL);
    for (int k = 0; k < CHOICES; k++) {
        gj_pdf_dims(sphere, &choices[k], &choice_dim[k], NULL, NULL, NULL);
        st = gj_pdf_sample(sphere, N_SPHERE, NULL, 0, 5, &choices[k], sphere_reference[k],
                           N_SPHERE * choice_dim[k], NULL, 0, NULL, NULL);
        if (st != GJ_OK) failed("serial sphere samples", st);
    }
    gj_set_threads(0);
    if (choice_dim[0] != 3 || choice_dim[1] != 4 || choice_dim[2] != 4) {
        failed("sphere dimensions per coordinate choice", GJ_OK);
    }

    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, evaluate_repeatedly, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, sample_in_coordinates, (void*)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    gj_pdf_free(sphere);

    long calls[THREADS] = {0};
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, evaluate_until_freed, &calls[i]);
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    if ((st = gj_pdf_free(handle)) != GJ_OK) failed("free while in use", st);
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        total += calls[i];
    }

    if (failures) {
        fprintf(stderr, "check_threads: %d failures\n", failures);
        return 1;
    }
    printf("check_threads: %d threads x %d concurrent evaluations and samples identical to serial; "
           "free during %ld concurrent calls safe\n",
           THREADS, REPEATS, total);
    return 0;
}
