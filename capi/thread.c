/* Per-thread state of the C boundary: the last error message of each thread (a pthread key
 * whose destructor frees the message when the thread exits) and the stack of gj_pdf_fit
 * progress callbacks running on each thread. Go cannot hold per-thread state, but every
 * exported call runs on its caller's thread, so C thread-local storage gives the Go side the
 * caller's identity. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

/* The fork guard. The Go runtime does not survive fork(): its threads are gone in the child, so
 * a call that enters Go there may hang. A pthread_atfork child handler, installed when the
 * library is loaded, marks every child; each export then checks the mark first, before it
 * starts any goroutine, and returns GJ_ERR_FORKED with the message below. */
int gjx_fork_mark;

static void mark_forked(void) { gjx_fork_mark = 1; }

__attribute__((constructor)) static void install_fork_guard(void) {
    pthread_atfork(NULL, NULL, mark_forked);
}

static const char fork_message[] =
    ": gojammy cannot run in a fork()ed child of a process that used it (the Go runtime does not "
    "survive fork); use the spawn or forkserver start method, or fork before loading gojammy";

int gjx_forked(const char* name) {
    if (!gjx_fork_mark) return 0;
    size_t n = strlen(name);
    char* msg = malloc(n + sizeof fork_message);
    if (msg) {
        memcpy(msg, name, n);
        memcpy(msg + n, fork_message, sizeof fork_message);
        gjx_set_thread_error(msg);
    }
    return 1;
}

int gjx_copy_thread_error(char* buf, size_t size) {
    if (!buf) return GJ_ERR_NULL_POINTER;
    const char* msg = gjx_thread_error();
    size_t n = strlen(msg);
    if (size == 0) return GJ_ERR_BUFFER_TOO_SMALL;
    size_t k = n < size - 1 ? n : size - 1;
    memcpy(buf, msg, k);
    buf[k] = 0;
    return k == n ? GJ_OK : GJ_ERR_BUFFER_TOO_SMALL;
}
