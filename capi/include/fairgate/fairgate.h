/*
 * fairgate.h: the stable C ABI of fairgate.
 *
 *   fairgate_stream* s = NULL;
 *   if (fairgate_stream_create(42, "bootstrap", 0, &s) != FAIRGATE_OK)
 *     fprintf(stderr, "%s\n", fairgate_last_error_message());
 *   fairgate_stream_destroy(s);
 *
 * Pure C99; usable from C, C++ and any FFI (ctypes, cffi, JNI, ...).
 *
 * Conventions (followed by every function below):
 *  - Every call returns a fairgate_status; FAIRGATE_OK (0) is success.
 *  - On failure, fairgate_last_error_message() returns a readable message. It is
 *    thread-local: each thread sees the message of its own last failed call. The
 *    pointer stays valid until the next fairgate call on the same thread.
 *  - No call throws, aborts or exits. Bad input gives a status, never a crash.
 *  - Output parameters are written only on success.
 *  - Handles are opaque. Each has a create/destroy pair; destroy accepts NULL.
 *  - Option structs begin with `uint32_t struct_size` (set it to sizeof the
 *    struct you compiled against), so they can grow without breaking the ABI.
 *  - Arrays are passed as pointer + length; fairgate never keeps a pointer to
 *    caller memory after a call returns, unless the function says so.
 *
 * Stability: everything in this header is stable within ABI major version
 * FAIRGATE_ABI_VERSION (the SONAME is libfairgate.so.<FAIRGATE_ABI_VERSION>).
 * Functions are only added, never changed; a changed behaviour comes as a new
 * function with a _v2 suffix (as SQLite does).
 */
#ifndef FAIRGATE_H
#define FAIRGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(FAIRGATE_BUILDING_LIBRARY)
#define FAIRGATE_API __declspec(dllexport)
#elif defined(_WIN32)
#define FAIRGATE_API __declspec(dllimport)
#elif defined(__GNUC__)
#define FAIRGATE_API __attribute__((visibility("default")))
#else
#define FAIRGATE_API
#endif

#if defined(__GNUC__)
#define FAIRGATE_NODISCARD __attribute__((warn_unused_result))
#else
#define FAIRGATE_NODISCARD
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */

#define FAIRGATE_ABI_VERSION 0
#define FAIRGATE_C_VERSION_MAJOR 0
#define FAIRGATE_C_VERSION_MINOR 1
#define FAIRGATE_C_VERSION_PATCH 0
/* major * 10000 + minor * 100 + patch, as ZSTD_VERSION_NUMBER. */
#define FAIRGATE_C_VERSION_NUMBER \
  (FAIRGATE_C_VERSION_MAJOR * 10000 + FAIRGATE_C_VERSION_MINOR * 100 + FAIRGATE_C_VERSION_PATCH)

/* The version of the library actually loaded; compare with the macros to tell
 * the header you compiled against from the library you run with. */
FAIRGATE_API unsigned fairgate_version_number(void);
/* A static string such as "0.1.0"; never free it. */
FAIRGATE_API const char* fairgate_version_string(void);
FAIRGATE_API unsigned fairgate_abi_version(void);

/* ------------------------------------------------------------------------ */
/* Status and errors                                                         */

typedef enum fairgate_status {
  FAIRGATE_OK = 0,
  FAIRGATE_E_INVALID_ARGUMENT = 1, /* a parameter outside its documented domain */
  FAIRGATE_E_LENGTH_MISMATCH = 2,  /* arrays that must have equal length do not */
  FAIRGATE_E_OUT_OF_RANGE = 3,     /* a label, group code or index out of range */
  FAIRGATE_E_INVALID_VALUE = 4,    /* NaN / Inf / negative weight in the data */
  FAIRGATE_E_EMPTY_INPUT = 5,      /* nothing to compute on */
  FAIRGATE_E_PARSE = 6,            /* malformed policy, manifest, CSV or bytes */
  FAIRGATE_E_IO = 7,               /* a file could not be read or written */
  FAIRGATE_E_VERIFICATION = 8,     /* a hash or digest did not match */
  FAIRGATE_E_UNSUPPORTED = 9,      /* valid, but not supported by this build */
  FAIRGATE_E_INTERNAL = 10,        /* a bug in fairgate: please report it */
  FAIRGATE_E_NULL_POINTER = 11,    /* a required pointer argument was NULL */
  FAIRGATE_E_OUT_OF_MEMORY = 12    /* an allocation failed */
} fairgate_status;

/* The message of this thread's last failed call, or "" if none. Valid until
 * the next fairgate call on this thread. Never NULL; never free it. */
FAIRGATE_API const char* fairgate_last_error_message(void);
/* A static name such as "FAIRGATE_E_PARSE" for any int (unknown values get
 * "FAIRGATE_E_UNKNOWN_STATUS"); takes int so any value from an FFI is valid. */
FAIRGATE_API const char* fairgate_status_name(int status);

/* ------------------------------------------------------------------------ */
/* Deterministic random streams (Philox4x32-10, keyed)                       */
/*
 * A stream is identified by (seed, purpose, index) and gives the same words on
 * every compiler, CPU and thread count. The purpose is a name such as "split",
 * "bootstrap", "prune.random" or any string of the host's; its 32-bit tag is
 * FNV-1a of the name (see include/fairgate/rng/stream.hpp for the layout).
 *
 * Thread safety: a fairgate_stream has a position, so one handle must not be
 * used by two threads at once; create one handle per thread (creation is cheap
 * and two handles with the same key give the same words).
 */
typedef struct fairgate_stream fairgate_stream;

/* Creates a stream at position 0. `purpose` is read during the call only.
 * On success *out owns a new handle: release it with fairgate_stream_destroy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_stream_create(uint64_t seed,
                                                                       const char* purpose,
                                                                       uint32_t index,
                                                                       fairgate_stream** out);
/* Releases a stream. NULL is accepted and ignored. */
FAIRGATE_API void fairgate_stream_destroy(fairgate_stream* stream);

/* Moves to `position` (in 32-bit words) in O(1). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_stream_seek(fairgate_stream* stream,
                                                                     uint64_t position);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_stream_position(
    const fairgate_stream* stream, uint64_t* out_position);
/* The 32-bit tag a purpose name maps to (FNV-1a 32). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_purpose_tag(const char* purpose,
                                                                     uint32_t* out_tag);

/* Fills out[0..n) with the next n raw 32-bit words. n = 0 is allowed (out may
 * then be NULL). The caller owns `out`. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_stream_fill_u32(fairgate_stream* stream,
                                                                         uint32_t* out, size_t n);

/* ------------------------------------------------------------------------ */
/* Fairness penalties with gradients (objectives/penalties.hpp)              */
/*
 * For trainers in any language: the value of a fairness penalty over a batch
 * and its gradient with respect to every score (logit; the decision is
 * score >= 0). See docs/objectives.md for the formulas.
 *
 * Thread safety: pure functions; any thread, any number at once.
 */
typedef enum fairgate_penalty_kind {
  FAIRGATE_PENALTY_DEMOGRAPHIC_PARITY = 0,
  FAIRGATE_PENALTY_EQUAL_OPPORTUNITY = 1,
  FAIRGATE_PENALTY_EQUALIZED_ODDS = 2,   /* uses odds_aggregate */
  FAIRGATE_PENALTY_CALIBRATION_GAP = 3,  /* ignores the relaxation */
  FAIRGATE_PENALTY_LOSS_EQUALISATION = 4 /* ignores the relaxation */
} fairgate_penalty_kind;

typedef enum fairgate_gap_form {
  FAIRGATE_GAP_MAX_MINUS_MIN = 0,
  FAIRGATE_GAP_MAX_ABS_TO_OVERALL = 1,
  FAIRGATE_GAP_SUM_SQUARED_TO_OVERALL = 2,
  FAIRGATE_GAP_HINGE_SQUARED_TO_OVERALL = 3
} fairgate_gap_form;

typedef enum fairgate_relaxation {
  FAIRGATE_RELAX_SIGMOID = 0,
  FAIRGATE_RELAX_HINGE = 1,
  FAIRGATE_RELAX_SOFTPLUS = 2
} fairgate_relaxation;

typedef enum fairgate_odds_aggregate {
  FAIRGATE_ODDS_WORST_CASE = 0,
  FAIRGATE_ODDS_MEAN = 1,
  FAIRGATE_ODDS_SUM = 2
} fairgate_odds_aggregate;

typedef struct fairgate_penalty_options {
  uint32_t struct_size; /* sizeof(fairgate_penalty_options) */
  int32_t kind;         /* fairgate_penalty_kind */
  int32_t form;         /* fairgate_gap_form */
  int32_t relaxation;   /* fairgate_relaxation */
  double temperature;   /* > 0 */
  double tolerance;     /* for FAIRGATE_GAP_HINGE_SQUARED_TO_OVERALL, >= 0 */
  int32_t odds_aggregate; /* fairgate_odds_aggregate, for EQUALIZED_ODDS */
} fairgate_penalty_options;

/* Fills *options with the defaults: demographic parity, max − min, sigmoid,
 * temperature 1, tolerance 0, worst case. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_penalty_options_init(
    fairgate_penalty_options* options);

/* Computes the penalty over n rows. scores, labels (0/1), groups (< n_groups)
 * and out_gradient have n entries; weights may be NULL (all 1) or have n
 * entries. All arrays are read/written during the call only and are owned by
 * the caller. out_gradient is overwritten with dV/dscore. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_penalty(
    const fairgate_penalty_options* options, const double* scores, const uint8_t* labels,
    const uint32_t* groups, const double* weights, size_t n, uint32_t n_groups,
    double* out_value, double* out_gradient);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAIRGATE_H */
