/* Private to the capi package: the public contract plus the small C helpers of thread.c. */
#ifndef GOJAMMY_CAPI_INTERNAL_H
#define GOJAMMY_CAPI_INTERNAL_H

/* cgo declares exported functions without const; an empty GJ_CONST makes the compiler check
 * every prototype of gojammy.h against the Go definitions. */
#define GJ_CONST
#include "gojammy.h"

#define GJ_HIDDEN __attribute__((visibility("hidden")))

/* Stores msg (malloc'd, ownership taken) as the calling thread's last error. */
GJ_HIDDEN void gjx_set_thread_error(char* msg);

/* The calling thread's last error ("" if none); valid until the thread's next failing call. */
GJ_HIDDEN const char* gjx_thread_error(void);

/* Reports whether the calling thread is inside a progress callback of gj_pdf_fit on handle. */
GJ_HIDDEN int gjx_in_callback(uint64_t handle);

/* Calls a progress callback, marking the calling thread as inside a callback of handle. */
GJ_HIDDEN int gjx_call_progress(gj_progress_fn fn, void* user_data, uint64_t handle,
                                int64_t step, int64_t epoch, double loss, double val_loss);

/* Calls a user function of points (gj_points_fn), marking the calling thread as inside a
 * callback of handle. */
GJ_HIDDEN int gjx_call_points(gj_points_fn fn, void* user_data, uint64_t handle, const double* x,
                              int64_t n, int64_t dim, double* values, double* grad);

/* Set to 1 in a fork()ed child of a process that loaded the library (a pthread_atfork handler);
 * Go reads it with a plain load, so the check costs no cgo call. */
GJ_HIDDEN extern int gjx_fork_mark;

/* The fork guard: returns 1 (and sets the calling thread's message, naming export `name`) in a
 * fork()ed child of a process that loaded the library, 0 otherwise. */
GJ_HIDDEN int gjx_forked(const char* name);

/* gj_last_error without Go: copies the calling thread's message into buf (used in a fork()ed
 * child, where entering the Go runtime beyond the guard is unsafe). */
GJ_HIDDEN int gjx_copy_thread_error(char* buf, size_t size);

#endif
