/*
 * check_threads.c -- checks the thread-safety promises of the C API:
 *   - concurrent evaluations and samples on one handle give the same bits as serial calls;
 *   - results do not depend on gj_set_threads;
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

static uint64_t handle;
static double x[N * DIM];
static double reference[N];
static double reference_samples[N * DIM];

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
        int st = gj_pdf_log_density(handle, x, N, N * DIM, NULL, 0, GJ_COORDS_DEFAULT, lp, NULL,
                                    NULL);
        if (st != GJ_OK || memcmp(lp, reference, sizeof(double) * N) != 0) {
            failed("concurrent log_density differs from the serial result", st);
            break;
        }
        st = gj_pdf_sample(handle, N, NULL, 0, 99, GJ_COORDS_DEFAULT, s, N * DIM, NULL, NULL, NULL);
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
        int st = gj_pdf_log_density(handle, x, 64, 64 * DIM, NULL, 0, GJ_COORDS_DEFAULT, lp, NULL,
                                    NULL);
        if (st == GJ_ERR_INVALID_HANDLE) return NULL;
        if (st != GJ_OK) {
            failed("log_density during free", st);
            return NULL;
        }
        (*calls)++;
    }
}

int main(void) {
    int st;
    for (int i = 0; i < N * DIM; i++) x[i] = 2.0 * ((i * 7919) % 1000) / 1000.0 - 1.0;
    if ((st = gj_pdf_create("e2", "gggg", NULL, 0, NULL, &handle)) != GJ_OK) {
        failed("create", st);
        return 1;
    }
    gj_set_threads(1);
    gj_pdf_log_density(handle, x, N, N * DIM, NULL, 0, GJ_COORDS_DEFAULT, reference, NULL, NULL);
    gj_pdf_sample(handle, N, NULL, 0, 99, GJ_COORDS_DEFAULT, reference_samples, N * DIM, NULL, NULL, NULL);
    gj_set_threads(0);

    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, evaluate_repeatedly, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);

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
