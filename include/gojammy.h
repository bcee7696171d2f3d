/*
 * gojammy.h -- the C interface of libgojammy, a float64 normalizing-flow library
 * (joint, autoregressive, optionally conditional PDFs with jammy_flows' definitions).
 *
 * This header is the contract. It is written by hand and versioned by GJ_ABI_VERSION;
 * the header that cgo generates next to the library is not part of the interface. The library's
 * version comes from the GJ_VERSION_* macros below (it is built against this header).
 *
 * ------------------------------------------------------------------------------------------
 * Conventions (they hold for every function below)
 * ------------------------------------------------------------------------------------------
 *
 * Status.  Every function except gj_abi_version returns an int status: GJ_OK (0) on success,
 *   otherwise one of the GJ_ERR_* codes. A function that fails leaves its outputs in an
 *   unspecified state (it may have written part of them), except where noted.
 *
 * Poisoned models.  A call that fails inside the library (a bug in gojammy: GJ_ERR_INTERNAL)
 *   is recovered without harm to the process, but the model it was given may be inconsistent:
 *   it is marked unusable. Every later call on that handle returns GJ_ERR_POISONED with a
 *   message quoting the failed call's message; only gj_pdf_free and gj_pdf_last_error still
 *   work on it. Other handles are not affected.
 *
 * Error messages.  A failing call stores a one-line message naming the argument at fault:
 *   - per thread: gj_last_error() returns the message of the most recent failing gj_ call made
 *     on the calling thread (like errno: successful calls do not clear it);
 *   - per model: gj_pdf_last_error() returns the message of the most recent failing call that
 *     was given that handle, from any thread.
 *   Read the message right after the failing call.
 *
 * Handles.  A model is an opaque uint64_t handle. 0 is never a valid handle; handle values are
 *   never reused within a process, so a freed, zero or made-up handle gives
 *   GJ_ERR_INVALID_HANDLE, never a crash.
 *
 * Memory.  The caller allocates every input and output array and every string buffer; the
 *   library never returns a pointer, never keeps a pointer passed to it after the call returns,
 *   and never frees caller memory. Arrays are C-contiguous row-major float64 (double). Shapes
 *   follow from the call's arguments alone (n, the coordinates chosen, the model's fixed shapes
 *   from gj_pdf_dims), never from state that can change between calls. Input arrays come with
 *   their length in elements (the *_len arguments); a length that does not match the documented
 *   shape gives GJ_ERR_ARGUMENT before anything is read. Output arrays whose size depends on the
 *   model (n x dim, n x base_dim, n_params) also come with a *_len argument that must equal the
 *   documented size, checked before anything is written; outputs of n values (one per row) are
 *   sized by n itself. A NULL output marked "may be NULL" is skipped (its *_len is then
 *   ignored).
 *   Strings are NUL-terminated UTF-8. String outputs are written to (buf, len) and always
 *   NUL-terminated when len > 0; if the text does not fit, the truncated text is written and
 *   GJ_ERR_BUFFER_TOO_SMALL is returned (the message says how many bytes are needed).
 *
 * Option structs.  gj_create_options, gj_fit_options and gj_coords start with a size_t
 *   struct_size that the caller sets to sizeof(the struct) of the header it was built against
 *   (the GJ_*_INIT macros do). Structs only grow at the end, without an ABI change: the library
 *   accepts the struct_size of an older, shorter struct (the fields beyond it take their
 *   defaults) and rejects a struct_size it does not know (larger than its own struct, too small
 *   for the required fields, or cutting a field) with GJ_ERR_ARGUMENT naming struct_size.
 *
 * Coordinates.  Every call that takes or returns points states their coordinates with a
 *   required const gj_coords* argument (GJ_ERR_NULL_POINTER if NULL): per sub-manifold,
 *   intrinsic coordinates (angles on spheres) or embedding coordinates (unit vectors on
 *   spheres; other manifolds have the same values in both). GJ_COORDS_SAVED uses the model's
 *   saved embedding flags, GJ_COORDS_INTRINSIC and GJ_COORDS_EMBEDDING choose one kind for all
 *   sub-manifolds, GJ_COORDS_PER_SUB_MANIFOLD lists the choice per sub-manifold. The saved
 *   embedding flags (jammy_flows' embedding flags) are fixed when a model is created
 *   (gj_create_options.embedding_flags) or loaded (they are stored in the model file) and never
 *   change on a handle, so the point dimension "dim" (gj_pdf_dims) depends only on the
 *   coordinates a call is given.
 *
 * Numbers.  A point outside the support gets log_pdf = -inf; a row containing NaN gets NaN
 *   outputs for that row only. Neither is an error.
 *
 * Threads.  All functions may be called from any thread. On one handle, evaluation functions
 *   (gj_pdf_dims, gj_pdf_describe, gj_pdf_log_density, gj_pdf_grad, gj_pdf_log_density_vjp,
 *   gj_pdf_sample, gj_pdf_sample_vjp, the _amortized forms, gj_pdf_amortization_init,
 *   gj_pdf_log_mean_poisson, gj_pdf_get_params, gj_pdf_get_embedding_flags,
 *   gj_pdf_transform_target_space, gj_pdf_save, gj_pdf_save_buffer, gj_pdf_approximate_coverage,
 *   gj_pdf_coverage_scan, the statistics functions but gj_pdf_fit_variational) may run
 *   concurrently with each other. Modifying functions (gj_pdf_set_params, gj_pdf_init_params,
 *   gj_pdf_fit, gj_pdf_fit_variational, gj_pdf_free) are exclusive: they wait
 *   for running calls on that handle to finish, and other calls on that handle wait for them.
 *   No function changes a shape (only the parameters change), so arrays sized from gj_pdf_dims
 *   for given coordinates stay valid whatever other threads do. gj_pdf_free is safe while other threads use the handle:
 *   it waits for their calls, and later calls get GJ_ERR_INVALID_HANDLE. Calls on different
 *   handles never wait for each other. The library parallelizes large batches internally
 *   (gj_set_threads).
 *
 * ABI.  Compare gj_abi_version() with GJ_ABI_VERSION before use; a wrapper must refuse a
 *   library whose ABI version differs from the header it was built against.
 *   gj_version_numbers() gives the library's version as numbers (GJ_VERSION_* of the header the
 *   library was built against).
 */
#ifndef GOJAMMY_H
#define GOJAMMY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version of this header. It changes whenever a signature, a struct or the meaning of
 * an argument changes (adding a function, or a field at the end of an option struct, does not
 * change it; see "Option structs"). */
#define GJ_ABI_VERSION 3

/* The version of gojammy this header belongs to (semantic versioning; gj_version_numbers
 * returns the library's). */
#define GJ_VERSION_MAJOR 0
#define GJ_VERSION_MINOR 1
#define GJ_VERSION_PATCH 0

/* GJ_CONST expands to const. The library's own build defines it empty, because the Go
 * toolchain declares exported functions without const; the compiler then checks every
 * prototype below against the library's definitions. Users never define it. */
#ifndef GJ_CONST
#define GJ_CONST const
#endif

/* Status codes. */
enum gj_status {
    GJ_OK = 0,
    /* The handle is 0, unknown or freed. */
    GJ_ERR_INVALID_HANDLE = 1,
    /* A required pointer argument is NULL. */
    GJ_ERR_NULL_POINTER = 2,
    /* An argument is out of range or an array length does not match the documented shape. */
    GJ_ERR_ARGUMENT = 3,
    /* The model definition is invalid: pdf_defs, flow_defs, options, conditional dimension or
     * MLP dimensions. */
    GJ_ERR_DEFINITION = 4,
    /* A file or buffer could not be read or written, or is not a valid gojammy model. */
    GJ_ERR_IO = 5,
    /* An internal error (a bug in gojammy, recovered without harm to the process); the model
     * the call was given is poisoned (see "Poisoned models" above). */
    GJ_ERR_INTERNAL = 6,
    /* gj_pdf_fit was stopped by its progress callback; its outputs are valid (see gj_pdf_fit). */
    GJ_ERR_STOPPED = 7,
    /* A string or byte output did not fit into the caller's buffer. */
    GJ_ERR_BUFFER_TOO_SMALL = 8,
    /* The call would modify or free a model from inside that model's own gj_pdf_fit progress
     * callback (see gj_pdf_fit). */
    GJ_ERR_BUSY = 9,
    /* The model is unusable because an earlier call on it failed inside the library (see
     * "Poisoned models" above); free it. */
    GJ_ERR_POISONED = 10,
    /* The process is a fork()ed child of a process that had loaded the library: the Go runtime
     * does not survive fork(), so every call in the child (except gj_abi_version and
     * gj_last_error, which reads this message) returns this status at once instead of hanging.
     * Use posix_spawn/exec, Python's spawn or forkserver start method, or fork before loading
     * the library. */
    GJ_ERR_FORKED = 11
};

/* The kinds of coordinate choice (see "Coordinates" above). */
enum gj_coords_kind {
    /* The model's saved embedding flags: embedding coordinates where a flag is 1. */
    GJ_COORDS_SAVED = 0,
    /* Intrinsic coordinates on every sub-manifold (force_intrinsic_coordinates). */
    GJ_COORDS_INTRINSIC = 1,
    /* Embedding coordinates on every sub-manifold (force_embedding_coordinates). */
    GJ_COORDS_EMBEDDING = 2,
    /* The choice per sub-manifold given by gj_coords.embedding. */
    GJ_COORDS_PER_SUB_MANIFOLD = 3
};

/* The coordinates of the points of one call. Required fields: struct_size, kind. */
typedef struct gj_coords {
    size_t struct_size;   /* sizeof(gj_coords) */
    int kind;             /* a gj_coords_kind */
    const int* embedding; /* GJ_COORDS_PER_SUB_MANIFOLD: one value per sub-manifold in pdf_defs
                             order, 1 for embedding and 0 for intrinsic coordinates; otherwise
                             ignored (NULL) */
    int64_t embedding_len; /* GJ_COORDS_PER_SUB_MANIFOLD: the number of sub-manifolds
                              ("num_sub_manifolds" of gj_pdf_describe); otherwise ignored (0) */
} gj_coords;

/* Initializer of a gj_coords of one kind, e.g.
 *   gj_coords saved = GJ_COORDS_INIT(GJ_COORDS_SAVED); */
#define GJ_COORDS_INIT(kind) {sizeof(gj_coords), (kind), NULL, 0}

/* ---------------------------------------------------------------------------------------- */
/* Library                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* The ABI version of the loaded library (compare with GJ_ABI_VERSION). Never fails. */
int gj_abi_version(void);

/* Writes the library version, e.g. "0.1.0", into buf (len bytes; 32 are enough).
 * Errors: NULL_POINTER (buf), BUFFER_TOO_SMALL. */
int gj_version(char* buf, size_t len);

/* Writes the library version as numbers (compare with GJ_VERSION_MAJOR/MINOR/PATCH).
 * Errors: NULL_POINTER (major, minor, patch). */
int gj_version_numbers(int* major, int* minor, int* patch);

/* Writes a JSON object describing the library into buf (len bytes; 4096 are enough):
 *   {"version", "abi_version", "go_version", "os", "arch", "cpu", "cpu_features" (the features
 *    relevant to the kernels, e.g. ["avx2", "fma3"]), "x86_level", "kernel_implementation"
 *    (e.g. "generic"), "kernels" (the implementation each kernel family runs, e.g.
 *    {"gemm": "avx2", "vecmath": "avx2", "mixture": "avx2", "rqspline": "avx2"}),
 *    "kernel_requested" (GOJAMMY_SIMD as given, "" if unset), "kernel_note" (why the implementation differs from the request),
 *    "kernel_available" (levels this build and CPU can run), "threads" (worker threads in use),
 *    "num_cpu"}.
 * Errors: NULL_POINTER (buf), BUFFER_TOO_SMALL. */
int gj_info(char* buf, size_t len);

/* Sets the number of worker threads used for large batches: n >= 1, or 0 for one per CPU (the
 * default). Process-wide; takes effect for calls that start afterwards.
 * Errors: ARGUMENT (n < 0). */
int gj_set_threads(int n);

/* Sets the memory budget in bytes, process-wide: the most memory that creating or loading one
 * model (its parameters with gradient and optimizer copies) or one call's internal results may
 * need; larger requests fail with GJ_ERR_DEFINITION, GJ_ERR_IO or GJ_ERR_ARGUMENT naming the
 * argument, before anything is allocated (see docs/c_api.md, "Limits"). 0 restores the default,
 * half the physical memory; otherwise bytes >= 1 MiB.
 * Errors: ARGUMENT (bytes out of range). */
int gj_set_memory_budget(int64_t bytes);

/* Writes the memory budget in bytes into *bytes.
 * Errors: NULL_POINTER (bytes). */
int gj_memory_budget(int64_t* bytes);

/* Writes the message of the most recent failing gj_ call on the calling thread into buf
 * ("" if none failed yet). Does not change the stored message, even when it fails.
 * Errors: NULL_POINTER (buf), BUFFER_TOO_SMALL (1024 bytes are enough for most messages). */
int gj_last_error(char* buf, size_t len);

/* Writes the name and meaning of a status code, e.g. "GJ_ERR_ARGUMENT: bad argument or shape",
 * into buf (len bytes; 128 are enough).
 * Errors: ARGUMENT (unknown status), NULL_POINTER (buf), BUFFER_TOO_SMALL. */
int gj_status_string(int status, char* buf, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Creating, storing and freeing models                                                     */
/* ---------------------------------------------------------------------------------------- */

/* The definition of a new model (gj_pdf_create; jammy_flows.pdf's arguments plus the saved
 * embedding flags). Required fields: struct_size, pdf_defs, flow_defs; a struct_size that ends
 * after flow_defs or any later field is accepted, the missing fields take the defaults below. */
typedef struct gj_create_options {
    size_t struct_size;                /* sizeof(gj_create_options) */
    const char* pdf_defs;              /* e.g. "e2+s2+i1_-1.0_2.0" (required) */
    const char* flow_defs;             /* e.g. "gg+n+r" (required) */
    const char* options_json;          /* options_overwrite as a JSON object, or NULL / "" for
                                          none. Keys are a layer letter ({"g": {"num_kde": 20}}),
                                          a sub-manifold index ({"1": {"n": {...}}}) or a
                                          "sub,layer" pair ({"0,1": {"g": {...}}}). */
    int64_t conditional_input_dim;     /* 0 for an unconditional PDF (default), else the width
                                          of the conditional input */
    const char* amortization_mlp_dims; /* hidden widths of the conditioning MLPs, e.g. "128" or
                                          "64-64"; NULL means "128" (jammy_flows' default), ""
                                          means a single linear map */
    const int* embedding_flags;        /* the saved embedding flags, one per sub-manifold (1:
                                          GJ_COORDS_SAVED means embedding coordinates there, 0:
                                          intrinsic); NULL for all 0 (default, as jammy_flows) */
    int64_t embedding_flags_len;       /* the number of values at embedding_flags (0 if NULL) */
    const char* amortization_json;     /* further conditioning settings as a JSON object with
                                          jammy_flows' keyword names, or NULL / "" for none:
                                          "conditional_input_dim" (an int, or a list with one
                                          int or null per sub-manifold: null or 0 means no
                                          conditional input there), "amortization_mlp_dims" (a
                                          string or a list of strings, one per sub-manifold),
                                          "amortization_mlp_use_custom_mode" (true/false),
                                          "amortization_mlp_ranks" (an int, a dash string such
                                          as "2-10-1000", or a list of those per sub-manifold),
                                          "amortization_mlp_highway_mode" (0-4),
                                          "amortize_everything" (true/false: the model owns no
                                          parameters, calls pass them per row, see
                                          gj_pdf_log_density_amortized), the Poisson head's
                                          "predict_log_normalization",
                                          "join_poisson_and_pdf_description" (true/false),
                                          "hidden_mlp_dims_poisson" (a string),
                                          "rank_of_mlp_mappings_poisson" (an int or a dash
                                          string), or, alone, "fully_amortized_pdf": an object
                                          of jammy_flows.fully_amortized_pdf's keyword
                                          arguments ("conditional_input_dim" (required int),
                                          "inner_mlp_dims_sub_pdfs", "inner_mlp_ranks",
                                          "inner_mlp_highway_mode", "amortization_mlp_dims",
                                          "amortization_mlp_use_custom_mode",
                                          "amortization_mlp_ranks",
                                          "amortization_mlp_highway_mode"; absent ones take
                                          upstream's defaults). A key given here
                                          must not also be set in conditional_input_dim /
                                          amortization_mlp_dims above. With a list
                                          conditional_input_dim, a conditional row (cond_dim
                                          wide) is the sub-manifolds' inputs concatenated in
                                          sub-manifold order. */
} gj_create_options;

/* Initializer of a gj_create_options with the defaults, e.g.
 *   gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gggg"); */
#define GJ_CREATE_OPTIONS_INIT(pdf_defs, flow_defs) \
    {sizeof(gj_create_options), (pdf_defs), (flow_defs), NULL, 0, NULL, NULL, 0, NULL}

/* Creates a model with jammy_flows' default initial parameters (equivalent to
 * jammy_flows.pdf(pdf_defs, flow_defs, options_overwrite, conditional_input_dim,
 * amortization_mlp_dims, and the settings of amortization_json) followed by
 * set_embedding_flags) and writes its handle to *out_handle.
 * Errors: NULL_POINTER (opts, pdf_defs, flow_defs, out_handle, embedding_flags with a nonzero
 * length), ARGUMENT (struct_size, embedding_flags values not 0 or 1), DEFINITION (including an
 * embedding_flags_len that is not the number of sub-manifolds, and amortization_json: bad JSON,
 * a list whose length is not the number of sub-manifolds, a bad rank string, a highway mode
 * outside 0-4, a key also set in the struct). */
int gj_pdf_create(GJ_CONST gj_create_options* opts, uint64_t* out_handle);

/* Loads a model file written by gj_pdf_save (or by gojammy's Python or Go API) and writes a new
 * handle to *out_handle. Errors: NULL_POINTER (path, out_handle), IO (unreadable, truncated,
 * corrupted, not a gojammy model, or a model this version cannot build). */
int gj_pdf_load(GJ_CONST char* path, uint64_t* out_handle);

/* Saves the model (definition, options, saved embedding flags, parameters) to path, atomically:
 * an interrupted save never leaves a half-written file. The file is a safetensors file readable
 * without gojammy.
 *   saved_coords  the embedding flags to record, resolved against the model: GJ_COORDS_SAVED
 *                 keeps the model's own; any other choice records, per sub-manifold, whether it
 *                 means embedding coordinates (so a wrapper that lets its users change the flags,
 *                 as gojammy's Python package does, saves its current ones). The handle itself
 *                 does not change.
 * Errors: INVALID_HANDLE, NULL_POINTER (path, saved_coords), ARGUMENT (saved_coords), IO. */
int gj_pdf_save(uint64_t handle, GJ_CONST char* path, GJ_CONST gj_coords* saved_coords);

/* Loads a model from the len bytes at buf (the contents of a model file, e.g. from
 * gj_pdf_save_buffer). Errors: NULL_POINTER (buf, out_handle), ARGUMENT (len < 0), IO (as for
 * gj_pdf_load). */
int gj_pdf_load_buffer(GJ_CONST uint8_t* buf, int64_t len, uint64_t* out_handle);

/* Serializes the model into buf (the bytes gj_pdf_save would write with the same saved_coords)
 * and writes their number to *size. With buf == NULL only *size is written (query the size,
 * allocate, call again).
 * Errors: INVALID_HANDLE, NULL_POINTER (saved_coords, size), ARGUMENT (saved_coords, len < 0),
 * BUFFER_TOO_SMALL (len < *size; *size is still written, buf is not). */
int gj_pdf_save_buffer(uint64_t handle, GJ_CONST gj_coords* saved_coords, uint8_t* buf,
                       int64_t len, int64_t* size);

/* Frees the model. It waits for running calls on the handle; afterwards the handle is invalid.
 * It also frees a poisoned model.
 * Errors: INVALID_HANDLE (also for 0 and for a second free), BUSY (called from the model's own
 * fit callback). */
int gj_pdf_free(uint64_t handle);

/* ---------------------------------------------------------------------------------------- */
/* Shapes and description                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* Writes the model's shapes; each output may be NULL.
 *   *dim       dimension of a point in coordinates `coords`
 *   *base_dim  dimension of the standard-normal base space
 *   *cond_dim  width of the conditional input (0: unconditional)
 *   *n_params  length of the flat parameter vector (jammy_flows' count_parameters())
 * Errors: INVALID_HANDLE, NULL_POINTER (coords), ARGUMENT (coords). */
int gj_pdf_dims(uint64_t handle, GJ_CONST gj_coords* coords, int64_t* dim, int64_t* base_dim,
                int64_t* cond_dim, int64_t* n_params);

/* Writes a JSON object describing the model into buf (len bytes):
 *   {"pdf_defs", "flow_defs", "options_overwrite" (object, as accepted by gj_pdf_create),
 *    "conditional_input_dim" (an int, or the list of a per-sub-manifold model with null where
 *    a sub-manifold has none), "amortization_mlp_dims" (a string, or a list),
 *    "amortization_mlp_use_custom_mode", "amortization_mlp_ranks" (an int, a dash string or a
 *    list), "amortization_mlp_highway_mode", "cond_dim" (the width of a conditional row),
 *    "num_params", "num_sub_manifolds",
 *    "embedding_flags" (the saved flags per sub-manifold, true or false),
 *    "dim" {"saved", "intrinsic", "embedding"}, "base_dim",
 *    "layer_param_counts" (per sub-manifold, per layer),
 *    "amortize_everything", "predict_log_normalization", "join_poisson_and_pdf_description",
 *    "hidden_mlp_dims_poisson", "rank_of_mlp_mappings_poisson" (null for a fully amortized
 *    model), "fully_amortized_pdf" (its keyword arguments, or null),
 *    "num_amortization_params" (jammy_flows' total_number_amortizable_params; 0 if none),
 *    "takes_amortization_parameters" (whether calls need them: gj_pdf_log_density_amortized)}.
 * Errors: INVALID_HANDLE, NULL_POINTER (buf), BUFFER_TOO_SMALL. */
int gj_pdf_describe(uint64_t handle, char* buf, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Evaluation and sampling (concurrent calls on one handle allowed)                         */
/* ---------------------------------------------------------------------------------------- */
/* Shapes use dim (of the call's coords), base_dim, cond_dim and n_params from gj_pdf_dims. */

/* Evaluates the log-density of n points (jammy_flows' pdf(x) -> log_pdf, base_log_pdf,
 * base_positions).
 *   x             n x dim input points; x_len must be n * dim (x may be NULL if n == 0)
 *   cond          n x cond_dim conditional inputs, cond_len = n * cond_dim; must be NULL with
 *                 cond_len 0 for an unconditional model
 *   coords        the coordinates of x (required)
 *   log_pdf       out, n values: log p(x)                      (may be NULL)
 *   base_log_pdf  out, n values: standard-normal log-density of the base point (may be NULL)
 *   base          out, n x base_dim: the base points; base_len must be n * base_dim
 *                 (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (n < 0, lengths, coords). */
int gj_pdf_log_density(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                       GJ_CONST double* cond, int64_t cond_len, GJ_CONST gj_coords* coords,
                       double* log_pdf, double* base_log_pdf, double* base, int64_t base_len);

/* Evaluates log p(x) and the gradient of sum_i log p(x_i) with respect to the parameters and
 * to the points (rows with a non-finite log p do not contribute; their grad_x rows are 0, or NaN
 * for rows with NaN). Arguments as in gj_pdf_log_density, plus:
 *   log_pdf          out, n values                                        (may be NULL)
 *   grad_params      out, n_params values; grad_params_len must be n_params (may be NULL, then
 *                    grad_params_len is ignored)
 *   grad_x           out, n x dim; grad_x_len must be n * dim              (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_pdf_grad(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                GJ_CONST double* cond, int64_t cond_len, GJ_CONST gj_coords* coords,
                double* log_pdf, double* grad_params, int64_t grad_params_len, double* grad_x,
                int64_t grad_x_len);

/* Vector-Jacobian product of the log-density, the backward step for another automatic
 * differentiation system (e.g. PyTorch): log p(x) of n points and the gradients of
 * sum_i weights[i] * log p(x_i) with respect to the parameters, the points, the conditional
 * inputs and the amortization parameters (rows with a non-finite log p do not contribute; their
 * gradient rows are 0, or NaN for rows with NaN). Arguments as in gj_pdf_grad, plus:
 *   amortization       for an amortize_everything model: n x n_amortization amortization
 *                      parameters as in gj_pdf_log_density_amortized; NULL with length 0 otherwise
 *   weights            n values, the gradient of a loss with respect to log_pdf; weights_len must
 *                      be n (NULL with weights_len 0: all ones, as gj_pdf_grad)
 *   grad_cond          out, n x cond_dim; grad_cond_len must be n * cond_dim  (may be NULL)
 *   grad_amortization  out, n x n_amortization (0 wide for other models); its length must be
 *                      n * n_amortization                                     (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_pdf_log_density_vjp(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                           GJ_CONST double* cond, int64_t cond_len, GJ_CONST double* amortization,
                           int64_t amortization_len, GJ_CONST gj_coords* coords,
                           GJ_CONST double* weights, int64_t weights_len, double* log_pdf,
                           double* grad_params, int64_t grad_params_len, double* grad_x,
                           int64_t grad_x_len, double* grad_cond, int64_t grad_cond_len,
                           double* grad_amortization, int64_t grad_amortization_len);

/* Draws n samples (jammy_flows' sample() -> samples, base_samples, log_pdf, base_log_pdf).
 * The same seed gives the same samples, whatever the number of threads.
 *   cond          for a conditional model: n x cond_dim (one sample per row), cond_len =
 *                 n * cond_dim; NULL with cond_len 0 for an unconditional model
 *   coords        the coordinates of the samples (required)
 *   samples       out, n x dim; samples_len must be n * dim         (may be NULL)
 *   base          out, n x base_dim; base_len must be n * base_dim  (may be NULL)
 *   log_pdf       out, n values: log p(samples)                     (may be NULL)
 *   base_log_pdf  out, n values                                     (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_pdf_sample(uint64_t handle, int64_t n, GJ_CONST double* cond, int64_t cond_len,
                  uint64_t seed, GJ_CONST gj_coords* coords, double* samples, int64_t samples_len,
                  double* base, int64_t base_len, double* log_pdf, double* base_log_pdf);

/* Vector-Jacobian product of sampling (reparameterization gradients: the base draws held fixed,
 * implicit-function gradients through every root finder): draws n samples as gj_pdf_sample does
 * (the same seed gives the same samples) and returns the gradients of
 * sum(samples * d_samples) + sum(log_pdf * d_log_pdf) with respect to the parameters, the
 * conditional inputs, the amortization parameters and the base draws. Arguments as in
 * gj_pdf_sample, plus:
 *   amortization       for an amortize_everything model: n x n_amortization, one row per
 *                      sample (gj_pdf_sample_amortized); NULL with length 0 otherwise
 *   d_samples          n x dim, the gradient of a loss with respect to the samples;
 *                      d_samples_len must be n * dim (NULL with length 0: zero)
 *   d_log_pdf          n values, the gradient with respect to log_pdf; d_log_pdf_len must be n
 *                      (NULL with length 0: zero)
 *   grad_params        out, n_params values; grad_params_len must be n_params  (may be NULL)
 *   grad_cond          out, n x cond_dim; grad_cond_len must be n * cond_dim   (may be NULL)
 *   grad_amortization  out, n x n_amortization (0 wide for other models)       (may be NULL)
 *   grad_base          out, n x base_dim; grad_base_len must be n * base_dim   (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_pdf_sample_vjp(uint64_t handle, int64_t n, GJ_CONST double* cond, int64_t cond_len,
                      GJ_CONST double* amortization, int64_t amortization_len, uint64_t seed,
                      GJ_CONST gj_coords* coords, GJ_CONST double* d_samples,
                      int64_t d_samples_len, GJ_CONST double* d_log_pdf, int64_t d_log_pdf_len,
                      double* samples, int64_t samples_len, double* log_pdf, double* grad_params,
                      int64_t grad_params_len, double* grad_cond, int64_t grad_cond_len,
                      double* grad_amortization, int64_t grad_amortization_len,
                      double* grad_base, int64_t grad_base_len);

/* The calls of an amortize_everything model (describe's "takes_amortization_parameters"):
 * jammy_flows' amortization_parameters, one row of n_amortization values per point or sample
 * (n_amortization = "num_amortization_params" of gj_pdf_describe, or from
 * gj_pdf_amortization_init): every layer parameter and every MLP weight of that event, in the
 * layout of the flat parameter vector such a model would own without amortize_everything. Any
 * other model takes amortization = NULL with amortization_len 0 here, and then these calls are
 * gj_pdf_log_density, gj_pdf_grad and gj_pdf_sample.
 *   amortization      n x n_amortization values, amortization_len = n * n_amortization; a row
 *                     with NaN or infinite values gives NaN outputs for that row
 *   grad_amortization out, n x n_amortization: the gradient of sum_i log p(x_i) with respect to
 *                     the amortization parameters (rows as grad_x); grad_amortization_len must
 *                     be n * n_amortization (may be NULL)
 * gj_pdf_sample_amortized draws one sample per row (n rows; cond has n rows too if the model is
 * conditional). Other arguments as in gj_pdf_log_density, gj_pdf_grad and gj_pdf_sample.
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (also amortization given to a model that does
 * not take it). */
int gj_pdf_log_density_amortized(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                                 GJ_CONST double* cond, int64_t cond_len,
                                 GJ_CONST double* amortization, int64_t amortization_len,
                                 GJ_CONST gj_coords* coords, double* log_pdf, double* base_log_pdf,
                                 double* base, int64_t base_len);
int gj_pdf_grad_amortized(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                          GJ_CONST double* cond, int64_t cond_len, GJ_CONST double* amortization,
                          int64_t amortization_len, GJ_CONST gj_coords* coords, double* log_pdf,
                          double* grad_params, int64_t grad_params_len, double* grad_x,
                          int64_t grad_x_len, double* grad_amortization,
                          int64_t grad_amortization_len);
int gj_pdf_sample_amortized(uint64_t handle, int64_t n, GJ_CONST double* cond, int64_t cond_len,
                            GJ_CONST double* amortization, int64_t amortization_len, uint64_t seed,
                            GJ_CONST gj_coords* coords, double* samples, int64_t samples_len,
                            double* base, int64_t base_len, double* log_pdf,
                            double* base_log_pdf);

/* Writes n_amortization (jammy_flows' total_number_amortizable_params: the width of a row of
 * amortization parameters of an amortize_everything model, the number of outputs of a fully
 * amortized model's outer MLP; 0 for other models) to *n_amortization (may be NULL) and, if out
 * is not NULL, the desired initial row (the value of jammy_flows' init_params() for
 * amortize_everything) to out; len must then be n_amortization.
 * Errors: INVALID_HANDLE, ARGUMENT (len). */
int gj_pdf_amortization_init(uint64_t handle, double* out, int64_t len, int64_t* n_amortization);

/* Writes log(lambda) of the Poisson head (jammy_flows' log_mean_poisson) for n rows of
 * conditional input (cond_len = n * cond_dim, out_len = n), or the single value of an
 * unconditional model (cond NULL, cond_len 0, n ignored, out_len 1).
 * Errors: INVALID_HANDLE, NULL_POINTER (out, cond), ARGUMENT (lengths; a model without
 * predict_log_normalization). */
int gj_pdf_log_mean_poisson(uint64_t handle, GJ_CONST double* cond, int64_t n, int64_t cond_len,
                            double* out, int64_t out_len);

/* Copies the flat parameter vector (jammy_flows' layer-by-layer order) into out; len must be
 * n_params. Errors: INVALID_HANDLE, NULL_POINTER (out, unless n_params is 0), ARGUMENT (len). */
int gj_pdf_get_params(uint64_t handle, double* out, int64_t len);

/* Writes the saved embedding flag of every sub-manifold (jammy_flows' get_embedding_flags): 1 if
 * GJ_COORDS_SAVED means embedding coordinates there, 0 if intrinsic.
 *   flags  out, one int per sub-manifold, in pdf_defs order
 *   len    the number of sub-manifolds: "num_sub_manifolds" of gj_pdf_describe, which is the
 *          number of '+'-separated parts of pdf_defs
 * A model has the flags it was created with (gj_create_options.embedding_flags; all 0 by
 * default, as jammy_flows) or saved with; they never change on a handle.
 * Errors: INVALID_HANDLE, NULL_POINTER (flags), ARGUMENT (len). */
int gj_pdf_get_embedding_flags(uint64_t handle, int* flags, int64_t len);

/* Converts n points between coordinates (jammy_flows' transform_target_space), sub-manifold by
 * sub-manifold: spheres between angles and unit vectors, other manifolds unchanged.
 *   x            n x dim(from_coords) input points; x_len must be n * dim(from_coords)
 *                (x may be NULL if n == 0)
 *   from_coords, to_coords   the coordinates of x and of out (required)
 *   out          out, n x dim(to_coords): the converted points; out_len must be
 *                n * dim(to_coords) (out may be NULL if that is 0)
 *   log_det      out, n values: the change of the log-volume element per point, such that
 *                log p_to(out_i) = log p_from(x_i) - log_det[i]: log sin(zenith) per s2
 *                sub-manifold converted from intrinsic to embedding coordinates, its negative
 *                from embedding to intrinsic, 0 otherwise   (may be NULL)
 * The conversion does not check the support (gj_pdf_log_density does): like jammy_flows, it
 * normalizes vectors and clips zenith angles to [1e-7, pi - 1e-7]. Rows with NaN give NaN.
 * Errors: INVALID_HANDLE, NULL_POINTER (x, out, from_coords, to_coords), ARGUMENT (n < 0,
 * lengths, coordinates). */
int gj_pdf_transform_target_space(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                                  GJ_CONST gj_coords* from_coords, GJ_CONST gj_coords* to_coords,
                                  double* out, int64_t out_len, double* log_det);

/* ---------------------------------------------------------------------------------------- */
/* Modifying the model (exclusive on one handle)                                            */
/* ---------------------------------------------------------------------------------------- */

/* Replaces the flat parameter vector; len must be n_params.
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (len), BUSY. */
int gj_pdf_set_params(uint64_t handle, GJ_CONST double* values, int64_t len);

/* Re-initializes the parameters as jammy_flows' init_params(data, damping_factor): with
 * data == NULL (n and data_len 0) the layers' default initialization, otherwise a data-driven
 * one from n points in coordinates `coords` (data_len = n * dim, finite values; coords is
 * required, also without data). Conditioning MLPs get a default initialization divided by
 * damping (> 0; jammy_flows uses 1000). Random parts are drawn from seed.
 * Errors: INVALID_HANDLE, NULL_POINTER (coords; data NULL with n or data_len nonzero), ARGUMENT
 * (coords, lengths, damping, non-finite data), BUSY. */
int gj_pdf_init_params(uint64_t handle, GJ_CONST double* data, int64_t n, int64_t data_len,
                       GJ_CONST gj_coords* coords, double damping, uint64_t seed);

/* Training options for gj_pdf_fit. Initialize with GJ_FIT_OPTIONS_INIT, then change fields; a
 * field left 0 takes its default. Required field: struct_size; a struct_size that ends after
 * any field is accepted, the missing fields take their defaults. */
typedef struct gj_fit_options {
    size_t struct_size;   /* sizeof(gj_fit_options) */
    int64_t epochs;       /* passes over the data (default 10); ignored when steps > 0 */
    int64_t steps;        /* if > 0, the exact number of optimizer steps (default 0) */
    int64_t batch_size;   /* mini-batch size (default 256, capped at n) */
    double learning_rate; /* Adam learning rate (default 1e-2) */
    uint64_t seed;        /* seed of the shuffling (default 0) */
    int64_t patience;     /* if > 0, stop after that many epochs without a better validation
                             loss (default 0: off; needs validation data) */
    double clip_norm;     /* if > 0, rescale each gradient to at most this norm (default 0) */
    const double* poisson_counts; /* for a model with the Poisson head
                             (predict_log_normalization): per data row, the number of events of
                             the observation it belongs to; the loss then adds the extended
                             likelihood's Poisson term, -log(lambda_i) + lambda_i / counts[i] per
                             row (NULL: an unconditional model counts the whole data set as one
                             observation of n events; a conditional one needs counts) */
    int64_t poisson_counts_len; /* n, or 0 with poisson_counts NULL */
    int64_t* skipped_nan_history; /* output (may be NULL): per epoch (history_len entries, as
                             loss_history) the training rows left out of the loss because their
                             log-density is NaN (NaN in the data or conditional input) */
    int64_t* skipped_outside_history; /* output (may be NULL): per epoch the rows left out
                             because log p = -inf (outside the support) */
} gj_fit_options;

/* Initializer of a gj_fit_options with the defaults:
 *   gj_fit_options o = GJ_FIT_OPTIONS_INIT; o.epochs = 50; */
#define GJ_FIT_OPTIONS_INIT {sizeof(gj_fit_options), 10, 0, 256, 1e-2, 0, 0, 0.0, NULL, 0, NULL, NULL}

/* Progress callback of gj_pdf_fit, called after every optimizer step with the step and epoch
 * (both counted from 1), the batch's mean negative log-likelihood and the most recent
 * validation loss (NaN before the first validation or without validation data).
 * Return 0 to continue, nonzero to stop training. */
typedef int (*gj_progress_fn)(void* user_data, int64_t step, int64_t epoch, double loss,
                              double val_loss);

/* Trains the model by minimizing the mean negative log-likelihood of the data with Adam
 * (mini-batches, shuffling, optional validation with early stopping, gradient clipping).
 *   data, n, data_len        n x dim points in coordinates `coords`, data_len = n * dim, n > 0
 *   cond, cond_len           n x cond_dim conditional inputs (NULL, 0 if unconditional)
 *   val_data, n_val, val_len validation points, val_len = n_val * dim; NULL, 0, 0 for none.
 *                            With validation data the loss is evaluated after every epoch and
 *                            the parameters of the best epoch are kept at the end.
 *   val_cond, val_cond_len   n_val x cond_dim conditional inputs of the validation points
 *   coords                   the coordinates of data and val_data (required)
 *   opts                     options (NULL: the defaults of GJ_FIT_OPTIONS_INIT)
 *   progress, user_data      callback (may be NULL) and its first argument, passed unchanged
 *   loss_history             out, mean training loss per epoch      (may be NULL)
 *   val_history              out, validation loss per epoch (NaN without validation data)
 *                            (may be NULL)
 *   history_len              capacity of each history array, in elements (>= 0); at most that
 *                            many leading epochs are written
 *   n_history                out, number of epochs run (may be NULL); may exceed history_len
 * The progress callback runs on the thread that called gj_pdf_fit, between optimizer steps,
 * while the model is not changing. Inside it, the evaluation functions listed under "Threads"
 * may be called on the same handle (e.g. to save a checkpoint); calling gj_pdf_set_params,
 * gj_pdf_init_params, gj_pdf_fit or gj_pdf_free on that handle from the callback returns
 * GJ_ERR_BUSY. Other threads' calls on the handle wait until gj_pdf_fit
 * returns.
 * Returns GJ_OK, or GJ_ERR_STOPPED when the callback returned nonzero: training stopped after
 * that step, the model keeps its parameters (the best epoch's, with validation data) and the
 * histories and *n_history are written as on success.
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (shapes, coords, options incl. struct_size,
 * no row of a batch with a finite log-density), BUSY. */
int gj_pdf_fit(uint64_t handle, GJ_CONST double* data, int64_t n, int64_t data_len,
               GJ_CONST double* cond, int64_t cond_len, GJ_CONST double* val_data, int64_t n_val,
               int64_t val_len, GJ_CONST double* val_cond, int64_t val_cond_len,
               GJ_CONST gj_coords* coords, GJ_CONST gj_fit_options* opts, gj_progress_fn progress, void* user_data,
               double* loss_history, double* val_history, int64_t history_len,
               int64_t* n_history);

/* Writes the message of the most recent failing call given this handle (from any thread) into
 * buf ("" if none); it also works on a poisoned model. Like gj_last_error, it never records a
 * message of its own.
 * Errors: INVALID_HANDLE, NULL_POINTER (buf), BUFFER_TOO_SMALL. */
int gj_pdf_last_error(uint64_t handle, char* buf, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Coverage (jammy_flows' approximate_coverage and coverage_and_or_pdf_scan)                */
/* ---------------------------------------------------------------------------------------- */

/* Approximate coverage of n points from their base points (jammy_flows' approximate_coverage):
 * for each requested key, 2(log N(0) - log N(z)) = |z|^2 of the base point z (restricted to one
 * sub-manifold's base coordinates for a sub-manifold key) and its chi^2 CDF with the base
 * dimension as degrees of freedom (uniform over events drawn from a calibrated PDF).
 *   x, n, x_len, cond, cond_len, coords   as in gj_pdf_log_density
 *   num_percentile_points  the number of coverage levels, evenly spaced in [0, 1] (>= 2)
 *   sub_manifolds          the keys: -1 for the whole PDF, k for sub-manifold k
 *   sub_manifolds_len      their number n_keys (>= 1)
 *   expected        out, num_percentile_points levels                               (may be NULL)
 *   true_fraction   out, n_keys x num_percentile_points: fraction of the points whose chi^2 CDF
 *                   is below each level ("true"); true_fraction_len must be that size (may be NULL)
 *   logprob_diffs   out, n_keys x n; logprob_diffs_len must be n_keys * n           (may be NULL)
 *   chi2_cdf_evals  out, n_keys x n, the same length as logprob_diffs               (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (shapes, coords, num_percentile_points, keys). */
int gj_pdf_approximate_coverage(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                                GJ_CONST double* cond, int64_t cond_len, GJ_CONST gj_coords* coords,
                                int64_t num_percentile_points, GJ_CONST int64_t* sub_manifolds,
                                int64_t sub_manifolds_len, double* expected, double* true_fraction,
                                int64_t true_fraction_len, double* logprob_diffs, double* chi2_cdf_evals,
                                int64_t logprob_diffs_len);

/* gj_pdf_approximate_coverage for a model built with amortize_everything: amort, amort_len are
 * the amortization parameters of the points, as in gj_pdf_log_density_amortized.
 * Errors: those of gj_pdf_approximate_coverage. */
int gj_pdf_approximate_coverage_amortized(uint64_t handle, GJ_CONST double* x, int64_t n, int64_t x_len,
                                          GJ_CONST double* cond, int64_t cond_len, GJ_CONST double* amort,
                                          int64_t amort_len, GJ_CONST gj_coords* coords, int64_t num_percentile_points,
                                          GJ_CONST int64_t* sub_manifolds, int64_t sub_manifolds_len, double* expected,
                                          double* true_fraction, int64_t true_fraction_len, double* logprob_diffs,
                                          double* chi2_cdf_evals, int64_t logprob_diffs_len);

/* How a coverage scan covers the support of a PDF. */
enum gj_scan_method {
    /* GJ_SCAN_GRID for Euclidean, interval and s1 parts of at most 3 dimensions in total,
     * GJ_SCAN_HEALPIX for a PDF on s2 alone, GJ_SCAN_SAMPLING otherwise. */
    GJ_SCAN_AUTO = 0,
    /* A regular grid: interval bounds, [0, 2pi] on s1, the samples' range widened by a tenth on
     * each side on Euclidean axes. */
    GJ_SCAN_GRID = 1,
    /* An adaptive equal-area HEALPix mesh (NESTED pixels of several orders; s2 alone). */
    GJ_SCAN_HEALPIX = 2,
    /* P(log p(Y) >= log p(x)) over samples Y of the PDF, with its binomial standard error. */
    GJ_SCAN_SAMPLING = 3
};

/* Options of gj_pdf_coverage_scan. Required fields: struct_size; fields left 0 / NULL take the
 * defaults noted. */
typedef struct gj_scan_options {
    size_t struct_size;    /* sizeof(gj_scan_options) */
    int method;            /* a gj_scan_method (default GJ_SCAN_AUTO) */
    int save_scan;         /* 1: keep the scanned cells (gj_scan_cells), 0: do not */
    int64_t samples;       /* samples per scan (0: 10000): the sampling estimator, the guide
                              points of the HEALPix mesh, the range of Euclidean grid axes */
    int64_t grid_points;   /* grid points per dimension (0: 2000 in 1-d, 200 in 2-d, 40 in 3-d) */
    const double* levels;  /* credible levels in (0, 1] of the reported region volumes; NULL for
                              0.5, 0.68, 0.9 */
    int64_t levels_len;    /* the number of levels (0 if levels is NULL) */
    uint64_t seed;         /* seed of the samples (scan i draws its own stream) */
    int contours;          /* 1: trace the boundaries of the credible regions (gj_scan_contours;
                              grid scans of 2-d PDFs and HEALPix scans), 0: do not */
} gj_scan_options;

/* Initializer of a gj_scan_options with the defaults:
 *   gj_scan_options o = GJ_SCAN_OPTIONS_INIT; */
#define GJ_SCAN_OPTIONS_INIT {sizeof(gj_scan_options), GJ_SCAN_AUTO, 0, 0, 0, NULL, 0, 0, 0}

/* Scans the PDF once per conditional row (once for an unconditional PDF) and computes the exact
 * highest-posterior-density coverage of n labels: the probability of the points denser than the
 * label (densities with respect to the natural volume: solid angle on s2), with the MAP point of
 * each scan and the volumes of its credible regions. The result is kept in the library under a
 * scan handle written to *out_scan (a handle of its own kind: read it with gj_scan_dims,
 * gj_scan_labels, gj_scan_maps and gj_scan_cells, free it with gj_scan_free).
 *   labels, n, labels_len  n x dim points in coordinates label_coords (labels NULL with n = 0
 *                          for a scan without labels); a conditional PDF takes one label per
 *                          conditional row
 *   label_coords           the coordinates of the labels (required)
 *   cond, cond_len         the conditional rows (rows x cond_dim) of a conditional PDF, one scan
 *                          each; NULL and 0 for an unconditional PDF
 *   opts                   the options (required)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (shapes, coords, options, a method that does
 * not fit the manifolds). */
int gj_pdf_coverage_scan(uint64_t handle, GJ_CONST double* labels, int64_t n, int64_t labels_len,
                         GJ_CONST gj_coords* label_coords, GJ_CONST double* cond, int64_t cond_len,
                         GJ_CONST gj_scan_options* opts, uint64_t* out_scan);

/* gj_pdf_coverage_scan for a model built with amortize_everything: amort holds one row of
 * n_amortization parameters per scan (amort_len = n_rows * n_amortization), with as many
 * conditional rows in cond for a conditional model and, if labels are given, one label per row.
 * Errors: those of gj_pdf_coverage_scan; ARGUMENT also for a model without amortization
 * parameters or amort_len not a multiple of n_amortization. */
int gj_pdf_coverage_scan_amortized(uint64_t handle, GJ_CONST double* labels, int64_t n, int64_t labels_len,
                                   GJ_CONST gj_coords* label_coords, GJ_CONST double* cond, int64_t cond_len,
                                   GJ_CONST double* amort, int64_t amort_len, GJ_CONST gj_scan_options* opts,
                                   uint64_t* out_scan);

/* gj_pdf_coverage_scan of the marginal PDF of one sub-manifold of a mixed PDF, e.g. the s2 part
 * of "e2+s2": per conditional row, its grid (Euclidean, interval and s1 parts of at most 3
 * dimensions) or adaptive HEALPix mesh (s2) with the marginal log-density of every cell, the MAP,
 * the credible-region volumes and contours, and the exact HPD coverage of the labels' parts on
 * that sub-manifold under the marginal. The marginal of sub-manifold 0 is its own factor of the
 * autoregressive PDF (exact); that of a later sub-manifold k is the mean of its conditional
 * factor p_k(x_k | x_<k) over conditioning_samples samples of the PDF (Rao-Blackwellized: exact
 * as their number grows; more are needed when x_k depends strongly on the earlier parts). The
 * scan handle's dim (gj_scan_dims) is the sub-manifold's intrinsic dimension.
 *   sub_manifold          the index k of the sub-manifold in pdf_defs (0-based)
 *   conditioning_samples  the number of samples averaged over (0: 200)
 *   the other arguments   as in gj_pdf_coverage_scan; labels are points of the whole PDF
 * Errors: those of gj_pdf_coverage_scan; ARGUMENT also for sub_manifold out of range, a
 * sub-manifold without a grid or a mesh (simplices, Euclidean parts above 3 dimensions),
 * GJ_SCAN_SAMPLING, or conditioning_samples < 0. */
int gj_pdf_coverage_scan_marginal(uint64_t handle, int64_t sub_manifold, int64_t conditioning_samples,
                                  GJ_CONST double* labels, int64_t n, int64_t labels_len,
                                  GJ_CONST gj_coords* label_coords, GJ_CONST double* cond, int64_t cond_len,
                                  GJ_CONST gj_scan_options* opts, uint64_t* out_scan);

/* gj_pdf_coverage_scan_marginal for a model built with amortize_everything, with the
 * amortization parameters of gj_pdf_coverage_scan_amortized.
 * Errors: those of gj_pdf_coverage_scan_marginal and gj_pdf_coverage_scan_amortized. */
int gj_pdf_coverage_scan_marginal_amortized(uint64_t handle, int64_t sub_manifold, int64_t conditioning_samples,
                                            GJ_CONST double* labels, int64_t n, int64_t labels_len,
                                            GJ_CONST gj_coords* label_coords, GJ_CONST double* cond, int64_t cond_len,
                                            GJ_CONST double* amort, int64_t amort_len, GJ_CONST gj_scan_options* opts,
                                            uint64_t* out_scan);

/* Writes the shapes of a scan; each output may be NULL.
 *   *n_scans   the number of scans (conditional rows, or 1)
 *   *n_labels  the number of labels
 *   *dim       the dimension of MAP points and scanned positions (intrinsic coordinates)
 *   *n_levels  the number of credible levels
 *   *method    the gj_scan_method used (never GJ_SCAN_AUTO)
 * Errors: INVALID_HANDLE (scan unknown or freed). */
int gj_scan_dims(uint64_t scan, int64_t* n_scans, int64_t* n_labels, int64_t* dim, int64_t* n_levels,
                 int* method);

/* Writes the per-label results; n must be n_labels, every output may be NULL.
 *   log_pdf         out, n values: the labels' log-densities (natural volume)
 *   coverage        out, n values: the exact HPD coverage of each label
 *   coverage_error  out, n values: its Monte-Carlo standard error (GJ_SCAN_SAMPLING; 0 for grid
 *                   and mesh scans)
 * Errors: INVALID_HANDLE, ARGUMENT (n). */
int gj_scan_labels(uint64_t scan, double* log_pdf, double* coverage, double* coverage_error, int64_t n);

/* Writes the per-scan results; every output may be NULL.
 *   map            out, n_scans x dim: the densest scanned point (intrinsic coordinates);
 *                  map_len must be n_scans * dim
 *   log_pdf_map    out, n_scans values: its log-density
 *   level_volumes  out, n_scans x n_levels: volume of the highest-density region at each level
 *                  (steradians on s2; NaN for GJ_SCAN_SAMPLING); level_volumes_len must be
 *                  n_scans * n_levels
 *   n_scans        the number of scans (gj_scan_dims)
 * Errors: INVALID_HANDLE, ARGUMENT (lengths). */
int gj_scan_maps(uint64_t scan, double* map, int64_t map_len, double* log_pdf_map,
                 double* level_volumes, int64_t level_volumes_len, int64_t n_scans);

/* Writes the saved cells of scan `row` (options.save_scan; otherwise there are 0 cells):
 * positions (intrinsic coordinates; the samples for GJ_SCAN_SAMPLING), log-densities and
 * volumes (steradians on s2, NaN for samples). *n_cells is always written; call with NULL
 * outputs to learn it, allocate, call again.
 *   positions      out, n_cells x dim; positions_len must be n_cells * dim   (may be NULL)
 *   log_pdf        out, n_cells values                                      (may be NULL)
 *   volumes        out, n_cells values                                      (may be NULL)
 *   values_len     n_cells when log_pdf or volumes is given
 * Errors: INVALID_HANDLE, NULL_POINTER (n_cells), ARGUMENT (row, lengths). */
int gj_scan_cells(uint64_t scan, int64_t row, int64_t* n_cells, double* positions, int64_t positions_len,
                  double* log_pdf, double* volumes, int64_t values_len);

/* Writes the boundary lines of the credible region at level index `level` of scan `row`
 * (options.contours; otherwise there are none), for plotting: n_lines lines of 2-d points in
 * intrinsic coordinates (the two grid axes, or zenith and azimuth on s2), all points in one
 * array. Line k is points[line_starts[k] .. line_starts[k+1]) (rows of 2 values); a closed line
 * repeats its first point at its end. *n_lines and *n_points are always written; call with NULL
 * outputs to learn them, allocate, call again.
 *   line_starts  out, n_lines + 1 offsets (in points); starts_len must be n_lines + 1 (may be NULL)
 *   points       out, n_points x 2; points_len must be 2 * n_points                (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER (n_lines, n_points), ARGUMENT (row, level, lengths). */
int gj_scan_contours(uint64_t scan, int64_t row, int64_t level, int64_t* n_lines, int64_t* n_points,
                     int64_t* line_starts, int64_t starts_len, double* points, int64_t points_len);

/* Frees a scan. Errors: INVALID_HANDLE (unknown or already freed). */
int gj_scan_free(uint64_t scan);

/* ---------------------------------------------------------------------------------------- */
/* Statistics (jammy_flows' entropy, entropy_iterative, marginal_moments; expectations,       */
/* goodness of fit, variational fits)                                                          */
/* ---------------------------------------------------------------------------------------- */

/* A user function of points (Monte-Carlo expectations, variational targets): for n points x
 * (n x dim, row-major) it writes one value per point to values (n) and, when grad is not NULL,
 * the gradient of every value with respect to its point to grad (n x dim). It returns 0 on
 * success; any other value fails the calling function with GJ_ERR_ARGUMENT. It runs on the
 * thread of the call that was given it, which holds the model: inside it the evaluation
 * functions listed under "Threads" may be called on the same handle. */
typedef int (*gj_points_fn)(void* user_data, const double* x, int64_t n, int64_t dim, double* values,
                            double* grad);

/* Monte-Carlo entropies -E[log p(X)] per conditional row (jammy_flows' entropy and
 * entropy_iterative, the same estimator): key -1 for the whole PDF, k for the marginal PDF of
 * sub-manifold k (k > 0 averages p_k(x_k | y_<k) over the row's samples y: samplesize^2
 * evaluations per row).
 *   cond, n_rows, cond_len   n_rows conditional rows (an unconditional model: NULL, 1, 0)
 *   sub_manifolds, sub_manifolds_len   the keys (n_keys >= 1)
 *   samplesize, seed, coords samples per row, their seed and coordinates (embedding coordinates
 *                            give entropies on spheres with respect to the natural volume)
 *   entropy, std_error       out, n_keys x n_rows: estimates and Monte-Carlo standard errors;
 *                            out_len must be n_keys * n_rows (either may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT (shapes, keys, samplesize, coords). */
int gj_pdf_entropy(uint64_t handle, GJ_CONST double* cond, int64_t n_rows, int64_t cond_len,
                   GJ_CONST int64_t* sub_manifolds, int64_t sub_manifolds_len, int64_t samplesize,
                   uint64_t seed, GJ_CONST gj_coords* coords, double* entropy, double* std_error,
                   int64_t out_len);

/* The entropy of the whole PDF per row (as gj_pdf_entropy with key -1 and the same seed) and
 * the gradient of the summed entropies with respect to the parameters and the conditional
 * inputs, through the reparameterized samples.
 *   entropy, std_error  out, n_rows values each; out_len must be n_rows (either may be NULL)
 *   grad_params         out, n_params (may be NULL)
 *   grad_cond           out, n_rows x cond_dim (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_pdf_entropy_grad(uint64_t handle, GJ_CONST double* cond, int64_t n_rows, int64_t cond_len,
                        int64_t samplesize, uint64_t seed, GJ_CONST gj_coords* coords, double* entropy,
                        double* std_error, int64_t out_len, double* grad_params, int64_t grad_params_len,
                        double* grad_cond, int64_t grad_cond_len);

/* The Monte-Carlo expectation E[f(X)] per conditional row from samplesize samples in coords,
 * and with with_grad != 0 the gradient of the summed expectations with respect to the
 * parameters and the conditional inputs through the reparameterized samples (f is then asked
 * for its gradient).
 *   mean, std_error  out, n_rows values each; out_len must be n_rows (either may be NULL)
 *   grad_params, grad_cond  as in gj_pdf_entropy_grad (ignored without with_grad)
 * Errors: INVALID_HANDLE, NULL_POINTER (f), ARGUMENT (also: f failed). */
int gj_pdf_expectation(uint64_t handle, gj_points_fn f, void* user_data, GJ_CONST double* cond,
                       int64_t n_rows, int64_t cond_len, int64_t samplesize, uint64_t seed,
                       GJ_CONST gj_coords* coords, int with_grad, double* mean, double* std_error,
                       int64_t out_len, double* grad_params, int64_t grad_params_len, double* grad_cond,
                       int64_t grad_cond_len);

/* Raw moments E[X_d^k], k = 1..order, of every coordinate per conditional row.
 *   moments, std_error  out, n_rows x order x dim; out_len must be that size (either may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_pdf_moments(uint64_t handle, int64_t order, GJ_CONST double* cond, int64_t n_rows,
                   int64_t cond_len, int64_t samplesize, uint64_t seed, GJ_CONST gj_coords* coords,
                   double* moments, double* std_error, int64_t out_len);

/* Marginal moments per sub-manifold and conditional row (jammy_flows' marginal_moments; circles
 * too): Gaussian approximations on Euclidean and interval parts, von Mises-Fisher on spheres, a
 * Kent-like fit on s2, and with kl_diff != 0 the entropies, cross entropies and KL divergences
 * (calc_kl_diff_and_entropic_quantities). The result is one vector whose layout follows from
 * pdf_defs, n_rows and kl_diff (docs/statistics.md, "Marginal moments"); *needed is always
 * written: call with out NULL to learn it.
 *   samplesize (0: 50), mises_abs_precision (0: 1e-7)
 *   out, out_len   out, the result (may be NULL); out_len must be *needed when out is given
 * Errors: INVALID_HANDLE, NULL_POINTER (needed), ARGUMENT. */
int gj_pdf_marginal_moments(uint64_t handle, GJ_CONST double* cond, int64_t n_rows, int64_t cond_len,
                            int64_t samplesize, uint64_t seed, double mises_abs_precision, int kl_diff,
                            double* out, int64_t out_len, int64_t* needed);

/* The statistics above for a model built with amortize_everything: amort, amort_len hold one
 * row of n_amortization amortization parameters per conditional row (amort_len = n_rows *
 * n_amortization; for an unconditional model n_rows counts them); NULL and 0 for any other
 * model (the calls then equal the plain ones). grad_amortization (n_rows x n_amortization, may
 * be NULL; NULL and 0 for other models) receives the gradient of the summed estimates with
 * respect to them. gj_pdf_marginal_moments_amortized also takes s2_entropy_scan_nside: 0
 * estimates the entropies from the samples; a power of two (jammy_flows' s2_entropy_scanning
 * with s2_entropy_scan_nside, only with kl_diff != 0) computes the entropy of sub-manifold 0,
 * which must be s2 and the only s2, by quadrature on an adaptive HEALPix mesh starting at that
 * nside (docs/statistics.md), and so entropy_total of a pure-s2 model.
 * Errors: those of the plain calls; ARGUMENT also for amortization parameters of a wrong length,
 * given to a model without them, or missing, and for a bad s2_entropy_scan_nside or a pdf_defs
 * the scan cannot serve. */
int gj_pdf_entropy_amortized(uint64_t handle, GJ_CONST double* cond, int64_t n_rows, int64_t cond_len,
                             GJ_CONST double* amort, int64_t amort_len, GJ_CONST int64_t* sub_manifolds,
                             int64_t sub_manifolds_len, int64_t samplesize, uint64_t seed,
                             GJ_CONST gj_coords* coords, double* entropy, double* std_error, int64_t out_len);
int gj_pdf_entropy_grad_amortized(uint64_t handle, GJ_CONST double* cond, int64_t n_rows, int64_t cond_len,
                                  GJ_CONST double* amort, int64_t amort_len, int64_t samplesize, uint64_t seed,
                                  GJ_CONST gj_coords* coords, double* entropy, double* std_error, int64_t out_len,
                                  double* grad_params, int64_t grad_params_len, double* grad_cond,
                                  int64_t grad_cond_len, double* grad_amortization, int64_t grad_amortization_len);
int gj_pdf_expectation_amortized(uint64_t handle, gj_points_fn f, void* user_data, GJ_CONST double* cond,
                                 int64_t n_rows, int64_t cond_len, GJ_CONST double* amort, int64_t amort_len,
                                 int64_t samplesize, uint64_t seed, GJ_CONST gj_coords* coords, int with_grad,
                                 double* mean, double* std_error, int64_t out_len, double* grad_params,
                                 int64_t grad_params_len, double* grad_cond, int64_t grad_cond_len,
                                 double* grad_amortization, int64_t grad_amortization_len);
int gj_pdf_moments_amortized(uint64_t handle, int64_t order, GJ_CONST double* cond, int64_t n_rows,
                             int64_t cond_len, GJ_CONST double* amort, int64_t amort_len, int64_t samplesize,
                             uint64_t seed, GJ_CONST gj_coords* coords, double* moments, double* std_error,
                             int64_t out_len);
int gj_pdf_marginal_moments_amortized(uint64_t handle, GJ_CONST double* cond, int64_t n_rows,
                                      int64_t cond_len, GJ_CONST double* amort, int64_t amort_len,
                                      int64_t samplesize, uint64_t seed, double mises_abs_precision,
                                      int kl_diff, int64_t s2_entropy_scan_nside, double* out,
                                      int64_t out_len, int64_t* needed);

/* Posterior predictive goodness-of-fit p-value of an observation of n_obs events x_obs under a
 * likelihood model p(x; z) (handle likelihood; its conditional input is z) and a posterior
 * model q(z) (handle posterior, conditional input posterior_cond: one row, or NULL and 0 for
 * an unconditional posterior): T(x, z) = sum_i log p(x_i; z) / n_obs; p = the fraction of trials
 * z ~ q, x ~ p(.; z) (n_obs events) with T(x, z) > T(x_obs, z). p near 1: the observation is
 * less likely than replicated data (a poor fit).
 *   x_coords, z_coords   coordinates of x (likelihood) and of the posterior's samples z (they
 *                        must have the likelihood's cond_dim values)
 *   p_value, std_error   out, one value each (binomial standard error) (either may be NULL)
 *   t, t_obs             out, trials values each: T of the replicated and of the observed data
 *                        per draw; trials_len must be trials (either may be NULL)
 *   z, z_len             out, trials x cond_dim posterior draws (may be NULL)
 * Errors: INVALID_HANDLE, NULL_POINTER, ARGUMENT. */
int gj_gof_pvalue(uint64_t likelihood, GJ_CONST gj_coords* x_coords, uint64_t posterior,
                  GJ_CONST double* posterior_cond, int64_t posterior_cond_len, GJ_CONST gj_coords* z_coords,
                  GJ_CONST double* x_obs, int64_t n_obs, int64_t x_obs_len, int64_t trials, uint64_t seed,
                  double* p_value, double* std_error, double* t, double* t_obs, int64_t trials_len,
                  double* z, int64_t z_len);

/* Exclusive-KL (variational) fit of an unconditional model q to an unnormalized target
 * log-density log_target (points in coords; it must write its gradient): minimizes
 * E_q[log q(X) - log_target(X)] with opts.batch_size reparameterized samples per Adam step.
 * opts.epochs counts epochs of 100 steps (opts.steps, if > 0, the exact number of steps);
 * learning_rate, clip_norm and seed as in gj_pdf_fit; patience and poisson_counts must be unset.
 * progress, user_data, loss_history, val_history (NaN), history_len, n_history and the return
 * values are gj_pdf_fit's.
 * Errors: INVALID_HANDLE, NULL_POINTER (log_target), ARGUMENT, BUSY. */
int gj_pdf_fit_variational(uint64_t handle, gj_points_fn log_target, void* target_user_data,
                           GJ_CONST gj_coords* coords, GJ_CONST gj_fit_options* opts, gj_progress_fn progress,
                           void* user_data, double* loss_history, double* val_history, int64_t history_len,
                           int64_t* n_history);

#ifdef __cplusplus
}
#endif

#endif /* GOJAMMY_H */
