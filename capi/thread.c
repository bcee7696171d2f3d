/* Per-thread state of the C boundary: the last error message of each thread (a pthread key
 * whose destructor frees the message when the thread exits) and the stack of gj_pdf_fit
 * progress callbacks running on each thread. Go cannot hold per-thread state, but every
 * exported call runs on its caller's thread, so C thread-local storage gives the Go side the
 * caller's identity. */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

static pthread_key_t error_key;
static pthread_once_t error_once = PTHREAD_ONCE_INIT;

static void make_error_key(void) { pthread_key_create(&error_key, free); }

void gjx_set_thread_error(char* msg) {
    pthread_once(&error_once, make_error_key);
    free(pthread_getspecific(error_key));
    pthread_setspecific(error_key, msg);
}

const char* gjx_thread_error(void) {
    pthread_once(&error_once, make_error_key);
    const char* msg = pthread_getspecific(error_key);
    return msg ? msg : "";
}

/* One running progress callback; frames live on the C stack of gjx_call_progress. */
struct callback_frame {
    uint64_t handle;
    struct callback_frame* outer;
};

static _Thread_local struct callback_frame* callbacks;

int gjx_in_callback(uint64_t handle) {
    for (struct callback_frame* f = callbacks; f; f = f->outer) {
        if (f->handle == handle) return 1;
    }
    return 0;
}

int gjx_call_progress(gj_progress_fn fn, void* user_data, uint64_t handle, int64_t step,
                      int64_t epoch, double loss, double val_loss) {
    struct callback_frame frame = {handle, callbacks};
    callbacks = &frame;
    int stop = fn(user_data, step, epoch, loss, val_loss);
    callbacks = frame.outer;
    return stop;
}

int gjx_call_points(gj_points_fn fn, void* user_data, uint64_t handle, const double* x, int64_t n,
                    int64_t dim, double* values, double* grad) {
    struct callback_frame frame = {handle, callbacks};
    callbacks = &frame;
    int status = fn(user_data, x, n, dim, values, grad);
    callbacks = frame.outer;
    return status;
}
