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
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_stream_position(const fairgate_stream* stream, uint64_t* out_position);
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
  uint32_t struct_size;   /* sizeof(fairgate_penalty_options) */
  int32_t kind;           /* fairgate_penalty_kind */
  int32_t form;           /* fairgate_gap_form */
  int32_t relaxation;     /* fairgate_relaxation */
  double temperature;     /* > 0 */
  double tolerance;       /* for FAIRGATE_GAP_HINGE_SQUARED_TO_OVERALL, >= 0 */
  int32_t odds_aggregate; /* fairgate_odds_aggregate, for EQUALIZED_ODDS */
} fairgate_penalty_options;

/* Fills *options with the defaults: demographic parity, max − min, sigmoid,
 * temperature 1, tolerance 0, worst case. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_penalty_options_init(fairgate_penalty_options* options);

/* Computes the penalty over n rows. scores, labels (0/1), groups (< n_groups)
 * and out_gradient have n entries; weights may be NULL (all 1) or have n
 * entries. All arrays are read/written during the call only and are owned by
 * the caller. out_gradient is overwritten with dV/dscore. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_penalty(const fairgate_penalty_options* options, const double* scores,
                 const uint8_t* labels, const uint32_t* groups, const double* weights, size_t n,
                 uint32_t n_groups, double* out_value, double* out_gradient);

/* fairgate_penalty for f32 scores, weights and gradient (e.g. a float32
 * trainer's logits, read without a conversion copy). Same options, checks,
 * statuses, messages and guarantees as fairgate_penalty: on any error neither
 * *out_value nor out_gradient is written. It computes in f32 (the relaxation
 * and the gradient in single precision, group sums accumulated in f64; see
 * objectives/penalty_kernel_f32.hpp), so its value and gradient agree with
 * fairgate_penalty on the same rows (widened to double) to about 1e-6
 * relative, not bit for bit; the result itself is deterministic (the same
 * bits on every CPU and thread count). Scores must be finite as floats, and
 * 1 / options->temperature must be a finite float (else
 * FAIRGATE_E_INVALID_ARGUMENT). Typically 2-4x faster than fairgate_penalty. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_penalty_f32(const fairgate_penalty_options* options, const float* scores,
                     const uint8_t* labels, const uint32_t* groups, const float* weights,
                     size_t n, uint32_t n_groups, double* out_value, float* out_gradient);

/* ------------------------------------------------------------------------ */
/* Group accumulators (metrics/accumulator.hpp)                              */
/*
 * An accumulator holds per-group sufficient statistics of a binary
 * classifier: unweighted confusion counts (exact uint64) and, once a weighted
 * batch was added, exact sums of the weights per cell. Adding rows is
 * zero-copy (the arrays are read during the call only). Merging is exact:
 * add(A); add(B) == merge(acc(A), acc(B)) bit for bit, for any split of the
 * rows, any order and any thread count.
 *
 *   fairgate_accumulator* acc = NULL;
 *   fairgate_binary_inputs in;
 *   fairgate_binary_inputs_init(&in);
 *   in.n = n; in.y_true = y; in.y_pred = p; in.groups = g;   (all uint8_t)
 *   fairgate_accumulator_create(2, &acc);
 *   fairgate_accumulator_add(acc, &in, NULL);
 *
 * Thread safety: an accumulator may be read (counts, metrics, serialize,
 * merge as the source) by any number of threads at once, but add, merge (as
 * the destination) and destroy need exclusive access. Different accumulators
 * are independent.
 */
typedef struct fairgate_accumulator fairgate_accumulator;

/* Element types of input arrays (the dtype fields below). */
typedef enum fairgate_dtype {
  FAIRGATE_DTYPE_U8 = 0,
  FAIRGATE_DTYPE_U16 = 1,
  FAIRGATE_DTYPE_U32 = 2,
  FAIRGATE_DTYPE_I32 = 3,
  FAIRGATE_DTYPE_I64 = 4,
  FAIRGATE_DTYPE_F32 = 5,
  FAIRGATE_DTYPE_F64 = 6
} fairgate_dtype;

/* The rows of one batch. All arrays have n contiguous elements, are owned by
 * the caller and read during the call only.
 *   y_true   labels 0/1, dtype U8, I32 or I64 (default U8)
 *   y_pred   hard predictions 0/1, dtype U8, I32 or I64 (default U8); or NULL
 *            when `scores` is given. Exactly one of y_pred / scores is non-NULL.
 *   scores   F32 or F64 (default F64); prediction = (score >= threshold), as
 *            sklearn's roc_curve; NaN scores are rejected, +-Inf allowed
 *   groups   group codes < n_groups, dtype U8, U16 or U32 (default U32)
 *   weights  sample weights >= 0 and finite, F32 or F64 (default F64), or NULL
 * Errors name the first bad row, e.g. "y_true[17] = 2: labels must be 0 or 1". */
typedef struct fairgate_binary_inputs {
  uint32_t struct_size; /* sizeof(fairgate_binary_inputs) */
  size_t n;
  const void* y_true;
  int32_t y_true_dtype;
  const void* y_pred;
  int32_t y_pred_dtype;
  const void* scores;
  int32_t scores_dtype;
  double threshold; /* default 0.5 */
  const void* groups;
  int32_t groups_dtype;
  const void* weights;
  int32_t weights_dtype;
} fairgate_binary_inputs;

typedef struct fairgate_accumulate_options {
  uint32_t struct_size; /* sizeof(fairgate_accumulate_options) */
  uint32_t threads;     /* >= 1, default 1; results do not depend on it */
} fairgate_accumulate_options;

typedef struct fairgate_confusion_counts {
  uint64_t tp, fp, tn, fn;
} fairgate_confusion_counts;

/* Fills the defaults: every pointer NULL, n = 0, threshold 0.5, dtypes
 * U8 labels/predictions, F64 scores/weights, U32 groups. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_binary_inputs_init(fairgate_binary_inputs* inputs);
/* Fills the defaults: threads = 1. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulate_options_init(fairgate_accumulate_options* options);

/* A new, empty accumulator of n_groups (>= 1) groups. On success *out owns
 * it: release it with fairgate_accumulator_destroy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_create(uint32_t n_groups, fairgate_accumulator** out);
/* Releases an accumulator. NULL is accepted and ignored. */
FAIRGATE_API void fairgate_accumulator_destroy(fairgate_accumulator* acc);

/* Adds the rows of `inputs` (options may be NULL: one thread). On any error
 * the accumulator is unchanged (every row is validated first). An accumulator
 * with score statistics (fairgate_accumulator_create_with_options) also bins
 * each row's score, and then needs `scores` (not y_pred). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_add(fairgate_accumulator* acc, const fairgate_binary_inputs* inputs,
                         const fairgate_accumulate_options* options);

/* acc := acc u other (other is not modified; acc == other is allowed and
 * doubles every count). Both must have the same n_groups and the same score
 * statistics options (FAIRGATE_E_INVALID_ARGUMENT otherwise, acc unchanged). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_merge(fairgate_accumulator* acc, const fairgate_accumulator* other);

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_n_groups(const fairgate_accumulator* acc, uint32_t* out_n_groups);

/* Unweighted confusion counts of group `group` (< n_groups). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_accumulator_counts(
    const fairgate_accumulator* acc, uint32_t group, fairgate_confusion_counts* out);

/* Weighted cells of group `group` in the order tp, fp, tn, fn (each an exact
 * sum rounded once; equal to the counts if no weights were ever given). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_weights(const fairgate_accumulator* acc, uint32_t group, double out_cells[4]);

/* Serialises to the versioned, endian-stable byte format of
 * metrics/serialize.hpp, with the two-call pattern of snprintf: *out_size is
 * always set to the number of bytes needed; the bytes are written to
 * buffer[0..*out_size) only if capacity >= *out_size (nothing is written
 * otherwise, and the call still returns FAIRGATE_OK). Pass buffer = NULL,
 * capacity = 0 to query the size. The caller owns `buffer`. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_accumulator_serialize(
    const fairgate_accumulator* acc, uint8_t* buffer, size_t capacity, size_t* out_size);

/* A new accumulator from bytes written by fairgate_accumulator_serialize
 * (read during the call only). Bad magic or a malformed body gives
 * FAIRGATE_E_PARSE, a newer format FAIRGATE_E_UNSUPPORTED, a checksum mismatch
 * (corruption, truncation) FAIRGATE_E_VERIFICATION. *out must be destroyed. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_deserialize(const uint8_t* bytes, size_t size, fairgate_accumulator** out);

/* Score statistics an accumulator can keep (metrics/score_bins.hpp), fixed
 * when it is created:
 *   calibration_bins  equal-width bins on [0, 1] per group (0 = none): edges
 *                     numpy.linspace(0, 1, n + 1), a score p in bin
 *                     #{inner edges < p} (sklearn calibration_curve
 *                     strategy='uniform'); gives exact ECE / MCE / reliability
 *                     bins / calibration-in-the-large, see
 *                     fairgate_accumulator_calibration below.
 *   histogram_bins    a score histogram per (group, label) with bins
 *                     numpy.linspace(histogram_min, histogram_max, n + 1)
 *                     (0 = none); scores outside the range count in the end
 *                     bins. Gives the binned ROC AUC
 *                     (fairgate_accumulator_roc_auc_binned).
 * Each bin count is at most 65536. An accumulator with any score statistics
 * needs scores in every fairgate_accumulator_add (hard predictions give
 * FAIRGATE_E_INVALID_ARGUMENT), and with calibration bins every score must
 * lie in [0, 1] (FAIRGATE_E_OUT_OF_RANGE naming the row). Merging needs
 * equal options on both sides (FAIRGATE_E_INVALID_ARGUMENT otherwise).
 * Serialised accumulators with score statistics use format version 2, which
 * keeps the options and every bin exactly (merge and round trips stay bit
 * for bit); accumulators without them keep writing version 1. */
typedef struct fairgate_accumulator_options {
  uint32_t struct_size;      /* sizeof(fairgate_accumulator_options) */
  uint32_t calibration_bins; /* default 0 (none) */
  uint32_t histogram_bins;   /* default 0 (none) */
  double histogram_min;      /* default 0; finite, < histogram_max */
  double histogram_max;      /* default 1 */
} fairgate_accumulator_options;

/* Fills the defaults: no score statistics, histogram range [0, 1]. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_options_init(fairgate_accumulator_options* options);

/* fairgate_accumulator_create with score statistics. options = NULL is the
 * same as fairgate_accumulator_create. Bad options (too many bins, a bad
 * histogram range, struct_size too small) give FAIRGATE_E_INVALID_ARGUMENT
 * and leave *out untouched. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_create_with_options(uint32_t n_groups,
                                         const fairgate_accumulator_options* options,
                                         fairgate_accumulator** out);

/* The options an accumulator was created with (also after deserialize).
 * out->struct_size must be set (call fairgate_accumulator_options_init
 * first); only the fields that size covers are written. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_accumulator_get_options(
    const fairgate_accumulator* acc, fairgate_accumulator_options* out);

/* ------------------------------------------------------------------------ */
/* Metrics and disparities (metrics/rates.hpp, frame.hpp, disparities.hpp)   */
/*
 * Formulas and peer-library equivalence: docs/metrics.md and the C++ headers.
 * Undefined values (a zero denominator, an empty group) are NaN with the
 * `undefined` flag set; aggregates skip undefined groups (Fairlearn would
 * propagate NaN) and are undefined when no group is usable.
 *
 * Thread safety: these read an accumulator; any number of threads at once
 * (as long as no thread adds to or merges into it meanwhile).
 */
typedef enum fairgate_metric {
  FAIRGATE_METRIC_COUNT = 0,
  FAIRGATE_METRIC_TOTAL_WEIGHT = 1,
  FAIRGATE_METRIC_SELECTION_RATE = 2,
  FAIRGATE_METRIC_BASE_RATE = 3,
  FAIRGATE_METRIC_ACCURACY = 4,
  FAIRGATE_METRIC_ERROR_RATE = 5,
  FAIRGATE_METRIC_BALANCED_ACCURACY = 6,
  FAIRGATE_METRIC_TRUE_POSITIVE_RATE = 7,
  FAIRGATE_METRIC_FALSE_POSITIVE_RATE = 8,
  FAIRGATE_METRIC_TRUE_NEGATIVE_RATE = 9,
  FAIRGATE_METRIC_FALSE_NEGATIVE_RATE = 10,
  FAIRGATE_METRIC_PRECISION = 11,
  FAIRGATE_METRIC_NEGATIVE_PREDICTIVE_VALUE = 12,
  FAIRGATE_METRIC_FALSE_DISCOVERY_RATE = 13,
  FAIRGATE_METRIC_FALSE_OMISSION_RATE = 14,
  FAIRGATE_METRIC_F1 = 15
} fairgate_metric;

typedef enum fairgate_zero_division {
  FAIRGATE_ZERO_DIVISION_NAN = 0,  /* NaN + undefined flag (default) */
  FAIRGATE_ZERO_DIVISION_ZERO = 1, /* 0, as sklearn zero_division=0; still flagged */
  FAIRGATE_ZERO_DIVISION_ONE = 2   /* 1, as sklearn zero_division=1; still flagged */
} fairgate_zero_division;

typedef enum fairgate_aggregation {
  FAIRGATE_BETWEEN_GROUPS = 0, /* Fairlearn method="between_groups" */
  FAIRGATE_TO_OVERALL = 1      /* Fairlearn method="to_overall" */
} fairgate_aggregation;

typedef enum fairgate_aggregate {
  FAIRGATE_AGGREGATE_GROUP_MIN = 0,
  FAIRGATE_AGGREGATE_GROUP_MAX = 1,
  FAIRGATE_AGGREGATE_DIFFERENCE = 2, /* uses options->method */
  FAIRGATE_AGGREGATE_RATIO = 3       /* uses options->method */
} fairgate_aggregate;

typedef enum fairgate_disparity {
  FAIRGATE_DEMOGRAPHIC_PARITY_DIFFERENCE = 0,
  FAIRGATE_DEMOGRAPHIC_PARITY_RATIO = 1,
  FAIRGATE_EQUALIZED_ODDS_DIFFERENCE = 2, /* uses options->agg */
  FAIRGATE_EQUALIZED_ODDS_RATIO = 3,      /* uses options->agg */
  FAIRGATE_EQUAL_OPPORTUNITY_DIFFERENCE = 4,
  FAIRGATE_EQUAL_OPPORTUNITY_RATIO = 5
} fairgate_disparity;

typedef enum fairgate_eo_aggregation {
  FAIRGATE_EO_WORST_CASE = 0, /* max of the TPR/FPR differences (min of ratios) */
  FAIRGATE_EO_MEAN = 1        /* their mean (Fairlearn agg="mean") */
} fairgate_eo_aggregation;

/* AIF360 ClassificationMetric metrics: signed, unprivileged minus (or over)
 * privileged, each side the pooled rows of a set of groups. */
typedef enum fairgate_aif360_metric {
  FAIRGATE_AIF360_STATISTICAL_PARITY_DIFFERENCE = 0,
  FAIRGATE_AIF360_DISPARATE_IMPACT = 1,
  FAIRGATE_AIF360_AVERAGE_ODDS_DIFFERENCE = 2,
  FAIRGATE_AIF360_AVERAGE_ABS_ODDS_DIFFERENCE = 3,
  FAIRGATE_AIF360_EQUAL_OPPORTUNITY_DIFFERENCE = 4,
  FAIRGATE_AIF360_ERROR_RATE_DIFFERENCE = 5,
  FAIRGATE_AIF360_ERROR_RATE_RATIO = 6,
  FAIRGATE_AIF360_FALSE_POSITIVE_RATE_DIFFERENCE = 7,
  FAIRGATE_AIF360_FALSE_POSITIVE_RATE_RATIO = 8,
  FAIRGATE_AIF360_FALSE_NEGATIVE_RATE_DIFFERENCE = 9,
  FAIRGATE_AIF360_FALSE_NEGATIVE_RATE_RATIO = 10,
  FAIRGATE_AIF360_FALSE_DISCOVERY_RATE_DIFFERENCE = 11,
  FAIRGATE_AIF360_FALSE_DISCOVERY_RATE_RATIO = 12,
  FAIRGATE_AIF360_FALSE_OMISSION_RATE_DIFFERENCE = 13,
  FAIRGATE_AIF360_FALSE_OMISSION_RATE_RATIO = 14,
  FAIRGATE_AIF360_AVERAGE_PREDICTIVE_VALUE_DIFFERENCE = 15
} fairgate_aif360_metric;

typedef struct fairgate_metric_options {
  uint32_t struct_size;        /* sizeof(fairgate_metric_options) */
  int32_t weighted;            /* 0/1: use the weighted cells; default 0 */
  int32_t zero_division;       /* fairgate_zero_division; default NAN */
  uint64_t min_support;        /* groups with fewer rows are flagged low_support */
  int32_t exclude_low_support; /* 0/1: also skip them in aggregates */
  int32_t method;              /* fairgate_aggregation; default BETWEEN_GROUPS */
  int32_t agg;                 /* fairgate_eo_aggregation; default WORST_CASE */
} fairgate_metric_options;

/* One metric value. undefined = 1: value is NaN (or the zero_division value). */
typedef struct fairgate_value {
  double value;
  int32_t undefined;
  int32_t low_support;
  uint64_t support; /* rows behind the value */
} fairgate_value;

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_metric_options_init(fairgate_metric_options* options);

/* Metric `metric` of every group (out_by_group has n_groups entries, owned by
 * the caller) and of all rows pooled (*out_overall; may be NULL). options may
 * be NULL (defaults). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_metric_by_group(
    const fairgate_accumulator* acc, int32_t metric, const fairgate_metric_options* options,
    fairgate_value* out_by_group, fairgate_value* out_overall);

/* group_min / group_max / difference / ratio of a metric over the groups,
 * Fairlearn MetricFrame semantics (difference and ratio use options->method).
 * *out_undefined (may be NULL) is 1 when the value is NaN. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_metric_aggregate(
    const fairgate_accumulator* acc, int32_t metric, int32_t aggregate,
    const fairgate_metric_options* options, double* out_value, int32_t* out_undefined);

/* A Fairlearn disparity metric (fairgate_disparity). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_disparity_value(
    const fairgate_accumulator* acc, int32_t disparity, const fairgate_metric_options* options,
    double* out_value, int32_t* out_undefined);

/* An AIF360 metric of the pooled unprivileged groups vs the pooled privileged
 * groups (code arrays owned by the caller, read during the call; both
 * non-empty, disjoint, codes < n_groups). Uses options->weighted,
 * zero_division and min_support. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_aif360_value(
    const fairgate_accumulator* acc, int32_t metric, const uint32_t* unprivileged,
    size_t n_unprivileged, const uint32_t* privileged, size_t n_privileged,
    const fairgate_metric_options* options, double* out_value, int32_t* out_undefined);

/* ------------------------------------------------------------------------ */
/* Score-based metrics (metrics/roc.hpp)                                     */

typedef struct fairgate_auc_value {
  double auc;      /* NaN when undefined */
  int32_t defined; /* 0: the group lacks positive weight on one class */
  uint64_t n_pos;  /* rows with label 1 */
  uint64_t n_neg;  /* rows with label 0 */
} fairgate_auc_value;

/* ROC AUC of every group and of all rows: the Mann-Whitney statistic with
 * ties counted 1/2, equal to sklearn.metrics.roc_auc_score (with and without
 * sample_weight); exact pair counts when unweighted, bit-identical under any
 * permutation of the rows. n rows of scores (F32/F64; NaN rejected), labels
 * (0/1; U8, I32 or I64), groups (< n_groups; U8, U16 or U32) and optional
 * weights (F32/F64, finite, >= 0; NULL = unweighted). out_by_group has
 * n_groups entries; out_overall may be NULL. A group with one class only is
 * undefined (auc NaN, defined 0), not an error. Labels, codes and F32
 * weights are copied once into canonical types (the ranking sorts anyway);
 * scores are read in place. Pure function: any thread. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_roc_auc(
    const void* scores, int32_t scores_dtype, const void* labels, int32_t labels_dtype,
    const void* groups, int32_t groups_dtype, const void* weights, int32_t weights_dtype, size_t n,
    uint32_t n_groups, fairgate_auc_value* out_by_group, fairgate_auc_value* out_overall);

/* ------------------------------------------------------------------------ */
/* Score statistics of accumulators (metrics/accumulator_scores.hpp)         */
/*
 * For accumulators created with fairgate_accumulator_create_with_options.
 * Every value is computed from exact per-bin sums, so results from merged
 * shards (or deserialised bytes) equal those of one accumulator over all the
 * rows BIT FOR BIT, for any split, order and thread count.
 *
 * Calibration (exact): per group and overall, the results of
 * sklearn.calibration.calibration_curve(strategy='uniform') per bin, plus
 *   ECE  = sum_b (W_b / W) |fraction_positive_b - mean_predicted_b|
 *   MCE  = max_b |fraction_positive_b - mean_predicted_b|
 *   CITL = calibration-in-the-large = mean score - base rate
 * over the nonempty bins (Naeini et al. 2015), W_b the bin's weight (its row
 * count when no weighted batch was ever added, else the exact weight sum with
 * weight 1 for unweighted rows). A group without weight has defined = 0 and
 * NaN summaries (not an error).
 *
 * Binned ROC AUC (approximate): the Mann-Whitney AUC (ties 1/2) of the scores
 * replaced by their histogram bin. It differs from the exact AUC
 * (fairgate_roc_auc) by at most half the fraction of (positive, negative)
 * pairs that share a bin: |AUC_binned - AUC| <= sum_b P_b N_b / (2 P N).
 *
 * Thread safety: these read an accumulator (as the metrics above).
 */

/* Group index meaning "all rows" in fairgate_accumulator_reliability_bins. */
#define FAIRGATE_GROUP_OVERALL 0xFFFFFFFFu

typedef struct fairgate_calibration_summary {
  uint64_t count;                  /* rows */
  double weight;                   /* W: total weight (= count if unweighted) */
  double mean_score;               /* sum w p / W; NaN if W = 0 */
  double base_rate;                /* sum w y / W; NaN if W = 0 */
  double calibration_in_the_large; /* mean_score - base_rate */
  double ece;
  double mce;
  int32_t defined;                 /* W > 0 */
} fairgate_calibration_summary;

typedef struct fairgate_calibration_bin {
  double lower, upper;      /* bin edges: [lower, upper] for bin 0, else (lower, upper] */
  uint64_t count;           /* rows in the bin */
  double weight;            /* W_b */
  double mean_predicted;    /* sum w p / W_b (sklearn prob_pred); NaN if empty */
  double fraction_positive; /* sum w y / W_b (sklearn prob_true); NaN if empty */
  int32_t nonempty;         /* W_b > 0 */
} fairgate_calibration_bin;

/* ECE, MCE, calibration-in-the-large (and counts) of every group into
 * out_by_group[0..n_groups) and of all rows into *out_overall (may be NULL).
 * FAIRGATE_E_INVALID_ARGUMENT if the accumulator keeps no calibration bins. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_accumulator_calibration(
    const fairgate_accumulator* acc, fairgate_calibration_summary* out_by_group,
    fairgate_calibration_summary* out_overall);

/* The reliability bins of group `group` (< n_groups, or
 * FAIRGATE_GROUP_OVERALL for all rows), every bin including empty ones, in
 * ascending order. Two-call pattern as fairgate_accumulator_serialize:
 * *out_count is always set to calibration_bins; the bins are written to
 * out_bins[0..*out_count) only if capacity >= *out_count (nothing is written
 * otherwise, and the call still returns FAIRGATE_OK). Pass out_bins = NULL,
 * capacity = 0 to query the count. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_accumulator_reliability_bins(
    const fairgate_accumulator* acc, uint32_t group, fairgate_calibration_bin* out_bins,
    size_t capacity, size_t* out_count);

/* Binned ROC AUC of every group into out_by_group[0..n_groups) and of all
 * rows into *out_overall (may be NULL); weighted (exact weight sums) once a
 * weighted batch was added. A group lacking one class is undefined (auc NaN,
 * defined 0). FAIRGATE_E_INVALID_ARGUMENT if the accumulator keeps no score
 * histogram. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_accumulator_roc_auc_binned(
    const fairgate_accumulator* acc, fairgate_auc_value* out_by_group,
    fairgate_auc_value* out_overall);

/* ------------------------------------------------------------------------ */
/* Uncertainty: intervals and tests (uncertainty/ headers)                   */
/*
 * Thread safety: pure functions of their inputs (reading an accumulator);
 * any thread, any number at once.
 */
typedef struct fairgate_interval {
  double estimate;
  double lower;
  double upper;
  int32_t defined;     /* 0: no data, all three numbers NaN */
  int32_t low_support; /* below the requested minimum support */
} fairgate_interval;

typedef enum fairgate_alternative {
  FAIRGATE_TWO_SIDED = 0,
  FAIRGATE_LESS = 1,   /* rate of group1 < rate of group2 (statsmodels "smaller") */
  FAIRGATE_GREATER = 2 /* rate of group1 > rate of group2 (statsmodels "larger") */
} fairgate_alternative;

typedef enum fairgate_proportion_test {
  FAIRGATE_TEST_Z_POOLED = 0,    /* statsmodels proportions_ztest; statistic = z */
  FAIRGATE_TEST_FISHER_EXACT = 1 /* scipy.stats.fisher_exact; statistic = odds ratio */
} fairgate_proportion_test;

/* Wilson score interval (statsmodels proportion_confint(method="wilson"), or
 * Newcombe's continuity-corrected form when continuity_correction != 0) of
 * `metric` in group `group`, from the unweighted counts. Only single
 * proportions are supported (selection rate, base rate, accuracy, error rate,
 * TPR, FPR, TNR, FNR, precision, NPV, FDR, FOR); others give
 * FAIRGATE_E_UNSUPPORTED. confidence in (0, 1). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_wilson_interval(const fairgate_accumulator* acc, uint32_t group, int32_t metric,
                         double confidence, int32_t continuity_correction, fairgate_interval* out);

/* The same from raw counts (successes <= trials; trials = 0 -> undefined). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_wilson_interval_counts(uint64_t successes, uint64_t trials, double confidence,
                                int32_t continuity_correction, fairgate_interval* out);

/* Is `metric` (a single proportion, as above) different between group1 and
 * group2? Two-proportion pooled z-test or Fisher's exact test on the table
 * [[x1, n1 - x1], [x2, n2 - x2]]. An undefined z-test (an empty group, or a
 * pooled rate of 0 or 1) gives NaN statistic and p-value. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_compare_groups(
    const fairgate_accumulator* acc, uint32_t group1, uint32_t group2, int32_t metric, int32_t test,
    int32_t alternative, double* out_statistic, double* out_p_value);

typedef struct fairgate_mcnemar_result {
  uint64_t b;         /* baseline correct, candidate wrong */
  uint64_t c;         /* baseline wrong, candidate correct */
  uint64_t statistic; /* min(b, c) */
  double p_value;     /* exact, statsmodels mcnemar(exact=True) */
} fairgate_mcnemar_result;

/* Exact McNemar test per group of a baseline vs a candidate model on the same
 * n rows: y_true, baseline and candidate hard predictions (0/1, dtypes U8,
 * I32 or I64), groups (U8, U16 or U32, < n_groups). out has n_groups entries.
 * All arrays are owned by the caller and read/written during the call only. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_mcnemar_by_group(
    const void* y_true, int32_t y_true_dtype, const void* baseline, int32_t baseline_dtype,
    const void* candidate, int32_t candidate_dtype, const void* groups, int32_t groups_dtype,
    size_t n, uint32_t n_groups, fairgate_mcnemar_result* out);

typedef enum fairgate_adjustment {
  FAIRGATE_ADJUST_HOLM = 0,              /* statsmodels multipletests("holm") */
  FAIRGATE_ADJUST_BENJAMINI_HOCHBERG = 1 /* statsmodels multipletests("fdr_bh") */
} fairgate_adjustment;

/* Adjusts n p-values (in [0, 1], or NaN for an undefined test, which is left
 * out of the family and stays NaN). out_adjusted (n doubles) and out_reject
 * (n bytes 0/1, may be NULL) are owned by the caller, in input order. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_adjust_p_values(const double* p_values,
                                                                         size_t n, int32_t method,
                                                                         double alpha,
                                                                         double* out_adjusted,
                                                                         uint8_t* out_reject);

typedef struct fairgate_bootstrap_options {
  uint32_t struct_size; /* sizeof(fairgate_bootstrap_options) */
  uint64_t seed;        /* default 0 */
  uint32_t replicates;  /* B >= 1, default 1000 */
  double confidence;    /* in (0, 1), default 0.95 */
  int32_t stratified;   /* 0: Poisson bootstrap (default), 1: within-group multinomial */
} fairgate_bootstrap_options;

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_bootstrap_options_init(fairgate_bootstrap_options* options);

/* Percentile bootstrap interval of a Fairlearn disparity (fairgate_disparity)
 * from the unweighted counts (uncertainty/bootstrap.hpp: one Poisson draw per
 * (group, cell) per replicate, from fairgate's keyed streams; bit-identical on
 * every platform). metric_options may be NULL; weighted = 1 is rejected.
 * *out_n_undefined (may be NULL) gets the number of replicates whose value
 * was undefined (left out of the interval). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_bootstrap_disparity(
    const fairgate_accumulator* acc, int32_t disparity,
    const fairgate_metric_options* metric_options, const fairgate_bootstrap_options* options,
    fairgate_interval* out, uint32_t* out_n_undefined);

/* ------------------------------------------------------------------------ */
/* Tensors, pruning and quantization (prune/, quantize/)                     */
/*
 * A fairgate_tensor describes the caller's memory; nothing is copied and no
 * pointer is kept after the call. Elements are numbered in row-major (C)
 * order of `shape` whatever the strides; that flat order is the order of
 * masks and quantized buffers.
 *
 * MASKS are caller-allocated byte arrays of numel bytes, one byte per element
 * in flat order: 1 = kept, 0 = pruned (the layout of a torch.bool / uint8
 * tensor of the same shape, so it can be passed to
 * torch.nn.utils.prune.custom_from_mask). Input masks ("existing", the mask
 * of an earlier pass; NULL = everything kept) must hold only 0 and 1; any
 * other byte is FAIRGATE_E_INVALID_VALUE. Masks only shrink: a weight pruned
 * by `existing` stays pruned and is never read.
 *
 * Amounts follow torch.nn.utils.prune: amount_is_count = 0 means a fraction
 * in [0, 1] of the eligible (still kept) weights or slices, rounded half to
 * even; amount_is_count = 1 means an exact number (amount must be a
 * non-negative integer; more than the number eligible is
 * FAIRGATE_E_OUT_OF_RANGE).
 *
 * Thread safety: pure functions of their arguments; any thread, any number
 * at once, as long as no other thread writes the same memory.
 */
typedef struct fairgate_tensor {
  void* data;             /* numel elements; read-only unless the function writes it */
  int32_t dtype;          /* FAIRGATE_DTYPE_F32 or FAIRGATE_DTYPE_F64 */
  size_t rank;            /* 0..8 */
  const int64_t* shape;   /* rank entries >= 0 (NULL allowed when rank = 0) */
  const int64_t* strides; /* rank entries in ELEMENTS, or NULL for contiguous row-major */
} fairgate_tensor;

typedef enum fairgate_norm {
  FAIRGATE_NORM_L1 = 1,
  FAIRGATE_NORM_L2 = 2,
  FAIRGATE_NORM_LINF = 3
} fairgate_norm;

/* torch.nn.utils.prune.l1_unstructured: prunes the `amount` eligible weights
 * with the smallest |w| (ties: the lower flat index first). NaN/Inf in an
 * eligible weight gives FAIRGATE_E_INVALID_VALUE naming the flat index. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_prune_l1_unstructured(
    const fairgate_tensor* weights, double amount, int32_t amount_is_count,
    const uint8_t* existing_mask, uint8_t* out_mask);

/* torch.nn.utils.prune.global_unstructured(pruning_method=L1Unstructured):
 * one magnitude threshold over n_tensors tensors together. existing_masks may
 * be NULL (nothing pruned yet) or an array of n_tensors pointers, each NULL or
 * a mask; out_masks is an array of n_tensors caller-allocated masks. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_prune_global_l1_unstructured(
    const fairgate_tensor* weights, size_t n_tensors, double amount, int32_t amount_is_count,
    const uint8_t* const* existing_masks, uint8_t* const* out_masks);

/* N:M semi-structured sparsity: in every run of m consecutive weights along
 * `axis` the n largest |w| are kept (1 <= n < m; the axis length must be a
 * multiple of m). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_prune_n_m(const fairgate_tensor* weights,
                                                                   int32_t n, int32_t m,
                                                                   uint32_t axis,
                                                                   const uint8_t* existing_mask,
                                                                   uint8_t* out_mask);

/* torch.nn.utils.prune.ln_structured: prunes whole slices along `dim` with the
 * smallest Ln norm (fairgate_norm); the amount counts slices. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_prune_ln_structured(
    const fairgate_tensor* weights, double amount, int32_t amount_is_count, int32_t norm,
    uint32_t dim, const uint8_t* existing_mask, uint8_t* out_mask);

typedef enum fairgate_qtype {
  FAIRGATE_QTYPE_INT8 = 0,  /* one byte per element, two's complement */
  FAIRGATE_QTYPE_UINT8 = 1, /* one byte per element */
  FAIRGATE_QTYPE_INT4 = 2,  /* two elements per byte, low nibble first */
  FAIRGATE_QTYPE_UINT4 = 3  /* two elements per byte, low nibble first */
} fairgate_qtype;

/* How scales and zero points are derived from a tensor's min and max
 * (quantize/scheme.hpp): */
typedef enum fairgate_scale_rule {
  FAIRGATE_SCALE_TORCH_SYMMETRIC = 0,  /* PyTorch per_tensor/per_channel_symmetric MinMaxObserver */
  FAIRGATE_SCALE_NARROW_SYMMETRIC = 1, /* scale = max|x| / qmax, zero point 0 (TFLite/ONNX style) */
  FAIRGATE_SCALE_AFFINE = 2            /* PyTorch per_tensor/per_channel_affine MinMaxObserver */
} fairgate_scale_rule;

typedef enum fairgate_rounding {
  FAIRGATE_ROUND_HALF_TO_EVEN = 0,        /* PyTorch, ONNX */
  FAIRGATE_ROUND_HALF_AWAY_FROM_ZERO = 1, /* TFLite reference kernels */
  FAIRGATE_ROUND_STOCHASTIC =
      2 /* floor(x/scale + u), u from the keyed stream (seed, stream_index) */
} fairgate_rounding;

typedef struct fairgate_quant_options {
  uint32_t struct_size;  /* sizeof(fairgate_quant_options) */
  int32_t qtype;         /* fairgate_qtype; default INT8 */
  int32_t scale_rule;    /* fairgate_scale_rule; default TORCH_SYMMETRIC */
  int32_t axis;          /* channel axis, or -1 for per-tensor (default) */
  int32_t reduce_range;  /* 0/1: one bit less of range (PyTorch reduce_range) */
  int32_t narrow_range;  /* 0/1: drop the most negative value (e.g. [-127, 127]) */
  int32_t rounding;      /* fairgate_rounding; default HALF_TO_EVEN */
  uint32_t stream_index; /* stochastic rounding only */
  uint64_t seed;         /* stochastic rounding only */
} fairgate_quant_options;

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_quant_options_init(fairgate_quant_options* options);

/* Scales and zero points of `x` under options (min/max observed over the
 * tensor, or per channel of options->axis). Two-call pattern: *out_channels
 * is always set (1 for per-tensor, else the axis length); the parameters are
 * written only if capacity >= *out_channels. out_scales / out_zero_points are
 * owned by the caller. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_quant_params(
    const fairgate_tensor* x, const fairgate_quant_options* options, float* out_scales,
    int32_t* out_zero_points, size_t capacity, size_t* out_channels);

/* Quantizes x with the given parameters (n_channels pairs: 1, or the length
 * of options->axis) into out (out_size bytes, exactly the storage size: numel
 * for 8-bit types, (numel + 1) / 2 for 4-bit types). PyTorch 1.13 semantics:
 * q = clamp(zero_point + round(x * (1 / scale)), qmin, qmax). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_quantize(
    const fairgate_tensor* x, const fairgate_quant_options* options, const float* scales,
    const int32_t* zero_points, size_t n_channels, uint8_t* out, size_t out_size);

/* out[i] = (q[i] - zero_point) * scale in out's float type; out->data is
 * written. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_dequantize(
    const uint8_t* q, size_t q_size, const fairgate_quant_options* options, const float* scales,
    const int32_t* zero_points, size_t n_channels, const fairgate_tensor* out);

/* out = dequantize(quantize(x)); out may describe the same memory as x (in
 * place); other overlaps are undefined. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_fake_quantize(
    const fairgate_tensor* x, const fairgate_quant_options* options, const float* scales,
    const int32_t* zero_points, size_t n_channels, const fairgate_tensor* out);

/* ------------------------------------------------------------------------ */
/* Streaming fairness monitor (monitor/monitor.hpp; docs/monitoring.md)      */
/*
 * A fixed-memory monitor that an inference runtime calls once per
 * prediction. Configured once at create; after that observe, label, poll,
 * reset, save and restore NEVER allocate (tests/capi/test_capi_monitor.c and
 * tests/monitor check this). Memory is bounded by the formula of
 * docs/monitoring.md; fairgate_monitor_memory_bytes() reports it.
 *
 *   fairgate_monitor_options o;
 *   fairgate_watched_constraint c;
 *   fairgate_monitor_options_init(&o);  fairgate_watched_constraint_init(&c);
 *   o.n_groups = 2;  o.constraints = &c;  o.n_constraints = 1;   (c: selection-rate difference <=
 * 0.1) fairgate_monitor_create(&o, &mon); fairgate_monitor_observe(mon, score, group,
 * FAIRGATE_LABEL_UNKNOWN); fairgate_monitor_poll(mon, &summary);     then _groups / _constraints /
 * _alarms
 *
 * Thread safety: a monitor is a single-writer object: observe, label, poll,
 * reset and restore need exclusive access (one monitor per inference thread,
 * or a lock around it); the read functions (groups, constraints, alarms,
 * save, memory_bytes) may run concurrently with each other but not with a
 * writer. Different monitors are independent.
 */
typedef struct fairgate_monitor fairgate_monitor;

/* The rates a monitor watches, with Fairlearn's names. selection_rate counts
 * every observation (labelled or not); the others only labelled ones. */
typedef enum fairgate_rate_metric {
  FAIRGATE_RATE_SELECTION = 0,      /* (tp + fp + unlabelled predicted 1) / all */
  FAIRGATE_RATE_TRUE_POSITIVE = 1,  /* tp / (tp + fn) */
  FAIRGATE_RATE_FALSE_POSITIVE = 2, /* fp / (fp + tn) */
  FAIRGATE_RATE_TRUE_NEGATIVE = 3,  /* tn / (fp + tn) */
  FAIRGATE_RATE_FALSE_NEGATIVE = 4, /* fn / (tp + fn) */
  FAIRGATE_RATE_ACCURACY = 5,       /* (tp + tn) / labelled */
  FAIRGATE_RATE_PRECISION = 6       /* tp / (tp + fp) */
} fairgate_rate_metric;
#define FAIRGATE_N_RATE_METRICS 7

typedef enum fairgate_window_kind {
  FAIRGATE_WINDOW_TUMBLING = 0, /* blocks of window_size; poll judges the last complete block */
  FAIRGATE_WINDOW_SLIDING = 1,  /* the last window_size observations */
  FAIRGATE_WINDOW_DECAY = 2     /* every observation, weighted 2^(-age / half_life) */
} fairgate_window_kind;

typedef enum fairgate_constraint_kind {
  FAIRGATE_CONSTRAINT_DIFFERENCE =
      0, /* max_g rate - min_g rate (op) bound (Fairlearn's difference) */
  FAIRGATE_CONSTRAINT_GROUP_RATE = 1 /* every group's rate (op) bound */
} fairgate_constraint_kind;

typedef enum fairgate_bound_op { FAIRGATE_BOUND_LE = 0, FAIRGATE_BOUND_GE = 1 } fairgate_bound_op;

/* One watched constraint. In an array, every element must carry the same
 * struct_size, which is also the array's stride (so a caller compiled
 * against a larger, newer struct still works). */
typedef struct fairgate_watched_constraint {
  uint32_t struct_size; /* sizeof(fairgate_watched_constraint) */
  int32_t metric;       /* fairgate_rate_metric; default SELECTION */
  int32_t kind;         /* fairgate_constraint_kind; default DIFFERENCE */
  int32_t op;           /* fairgate_bound_op; default LE */
  double bound;         /* finite; default 0.1 */
  double confidence;    /* two-sided level of the Wilson / Newcombe intervals, (0, 1); 0.95 */
  double alpha;         /* family-wise level of the change alarm over ALL polls, (0, 1); 0.05 */
  int32_t watch_change; /* 0/1: raise change-vs-baseline alarms for this metric; default 1 */
} fairgate_watched_constraint;

/* The rollback hook: called by fairgate_monitor_poll when the poll raised at
 * least one alarm, with that poll's alarms (in one call, or in consecutive
 * calls of at most 64 alarms each when there are more; the array is valid
 * during the call only; the alarms are also readable with
 * fairgate_monitor_alarms). It runs on the
 * polling thread, inside poll; it must not call fairgate_monitor_* functions
 * that write the same monitor (observe, label, poll, reset, restore,
 * destroy). Return FAIRGATE_OK, or a non-zero status to make poll return
 * that status (the report is still complete and readable). A typical hook
 * looks up the last known-good configuration of `target` (the options'
 * target, "" if none) and switches the deployed model back to it. */
typedef struct fairgate_monitor_alarm fairgate_monitor_alarm;
typedef int32_t (*fairgate_monitor_alarm_fn)(const char* target,
                                             const fairgate_monitor_alarm* alarms, size_t n_alarms,
                                             void* user_data);

typedef struct fairgate_monitor_options {
  uint32_t struct_size;      /* sizeof(fairgate_monitor_options) */
  uint32_t n_groups;         /* group codes 0 .. n_groups-1; [1, 2^24]; default 2 */
  double threshold;          /* prediction = score >= threshold; default 0.5 */
  int32_t window_kind;       /* fairgate_window_kind; default SLIDING */
  uint64_t window_size;      /* tumbling / sliding: [1, 2^40]; default 1000 */
  double half_life;          /* decay: >= 1 observations; default 1000 */
  uint32_t bins;             /* score histogram: equal-width bins, [1, 65536]; default 10 */
  double score_min;          /* histogram range [score_min, score_max]; default 0 */
  double score_max;          /* default 1 */
  double psi_threshold;      /* PSI alarm level, > 0; default 0.25 (Siddiqi) */
  double ks_alpha;           /* level of the binned KS test per poll and group; default 0.01 */
  int32_t drift_enabled;     /* 0/1: PSI/KS alarms (need a baseline histogram); default 1 */
  uint64_t min_support;      /* groups with fewer (effective) observations are not judged; 30 */
  double report_confidence;  /* level of the per-group Wilson intervals; default 0.95 */
  uint32_t pending_capacity; /* delayed-label ring size, [1, 2^30]; default 1024 */
  const char* target;        /* policy target name (rollback key), or NULL; copied at create */
  /* Watched constraints: n_constraints elements (see fairgate_watched_constraint),
   * read at create only. NULL with n_constraints = 0: none. */
  const fairgate_watched_constraint* constraints;
  size_t n_constraints;
  /* The baseline (optional), in ONE of two forms, read at create only:
   *  (a) baseline_accumulator: the FGMA bytes of fairgate_accumulator_serialize
   *      (n_groups groups; e.g. a deployment gate's accumulator or a merged
   *      shard), plus optionally baseline_histogram: n_groups * bins score
   *      counts, group-major (NULL: no PSI/KS alarms);
   *  (b) baseline rows: baseline_n rows of baseline_scores (f64, finite),
   *      baseline_groups (u32 < n_groups) and baseline_labels (u8 0/1); both
   *      the counts and the histogram are built from them with this monitor's
   *      threshold and bins.
   * No baseline at all: no change or drift alarms, only parity alarms. */
  const uint8_t* baseline_accumulator;
  size_t baseline_accumulator_size;
  const uint64_t* baseline_histogram;
  size_t baseline_histogram_size;
  const double* baseline_scores;
  const uint32_t* baseline_groups;
  const uint8_t* baseline_labels;
  size_t baseline_n;
  /* The rollback hook, or NULL. user_data is passed through untouched; the
   * caller keeps it alive while the monitor exists. */
  fairgate_monitor_alarm_fn on_alarm;
  void* user_data;
} fairgate_monitor_options;

/* Fills the defaults listed above (no constraints, no baseline, no hook). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_options_init(fairgate_monitor_options* options);
/* Fills the defaults: selection-rate difference <= 0.1, confidence 0.95,
 * alpha 0.05, watch_change 1. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_watched_constraint_init(fairgate_watched_constraint* constraint);

/* Creates a monitor. Every array and string of `options` is read (copied)
 * during the call only. This is the only call that allocates. On success
 * *out owns a new handle: release it with fairgate_monitor_destroy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_create(const fairgate_monitor_options* options, fairgate_monitor** out);
/* Releases a monitor. NULL is accepted and ignored. */
FAIRGATE_API void fairgate_monitor_destroy(fairgate_monitor* monitor);

#define FAIRGATE_LABEL_UNKNOWN (-1)

/* One prediction: a score (or a 0/1 prediction) that is finite, a group code
 * < n_groups, and label 0, 1 or FAIRGATE_LABEL_UNKNOWN. O(1). On error
 * (NaN score, group out of range, bad label) nothing is counted. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_observe(fairgate_monitor* monitor,
                                                                         double score,
                                                                         uint32_t group,
                                                                         int32_t label);
/* n predictions at once (labels may be NULL: all unknown; else int8 0, 1 or
 * -1). Every row is validated first: on error nothing is counted and the
 * message names the row. Arrays are read during the call only. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_observe_batch(fairgate_monitor* monitor, const double* scores,
                               const uint32_t* groups, const int8_t* labels, size_t n);
/* A prediction whose label arrives later through fairgate_monitor_label(id).
 * It counts at once as unlabelled. `id` must not be awaiting a label already
 * (FAIRGATE_E_INVALID_ARGUMENT). When pending_capacity ids are waiting, the
 * oldest is dropped (counted in the summary). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_observe_unlabeled(
    fairgate_monitor* monitor, uint64_t id, double score, uint32_t group);

typedef enum fairgate_label_result {
  FAIRGATE_LABEL_APPLIED = 0,       /* the window statistics now include the label */
  FAIRGATE_LABEL_UNKNOWN_ID = 1,    /* no pending observation has this id (counted) */
  FAIRGATE_LABEL_OUTSIDE_WINDOW = 2 /* its observation left every window; dropped (counted) */
} fairgate_label_result;

/* The label y (0 or 1) of a pending observation. An unknown id is not an
 * error: it returns FAIRGATE_OK with *out_result = FAIRGATE_LABEL_UNKNOWN_ID
 * (out_result may be NULL). O(1) expected. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_label(fairgate_monitor* monitor,
                                                                       uint64_t id, int32_t y,
                                                                       int32_t* out_result);

typedef enum fairgate_alarm_kind {
  FAIRGATE_ALARM_PARITY_BOUND = 0, /* a constraint's interval lies entirely on the wrong side */
  FAIRGATE_ALARM_CHANGE = 1,       /* a group's rate moved from the baseline (alpha-spent z test) */
  FAIRGATE_ALARM_PSI = 2,          /* PSI of a group's score histogram above psi_threshold */
  FAIRGATE_ALARM_KS = 3            /* binned KS statistic above its critical value */
} fairgate_alarm_kind;

typedef enum fairgate_constraint_state {
  FAIRGATE_CONSTRAINT_SATISFIED = 0,    /* the interval lies entirely on the allowed side */
  FAIRGATE_CONSTRAINT_INCONCLUSIVE = 1, /* the interval straddles the bound */
  FAIRGATE_CONSTRAINT_VIOLATED = 2,     /* entirely on the wrong side: an alarm */
  FAIRGATE_CONSTRAINT_INSUFFICIENT = 3  /* too few groups reached min_support */
} fairgate_constraint_state;

#define FAIRGATE_NO_GROUP UINT32_MAX
#define FAIRGATE_NO_CONSTRAINT UINT32_MAX

/* One alarm: what fired, for which group and metric, the value judged and
 * the evidence. Frozen layout (new fields would come with _v2 functions). */
struct fairgate_monitor_alarm {
  int32_t kind;          /* fairgate_alarm_kind */
  int32_t metric;        /* fairgate_rate_metric (psi/ks: unused, 0) */
  uint32_t constraint;   /* index into options.constraints, or FAIRGATE_NO_CONSTRAINT (psi/ks) */
  uint32_t group;        /* the group (difference: the one with the highest rate) */
  uint32_t other_group;  /* difference: the group with the lowest rate; else FAIRGATE_NO_GROUP */
  uint32_t reserved;     /* 0 */
  double value;          /* rate difference / group rate / PSI / KS statistic */
  double lower, upper;   /* parity/change: the interval (change: of window - baseline) */
  double threshold;      /* the bound / PSI threshold / KS critical value */
  double baseline_value; /* change: the baseline rate; else NaN */
  double p_value;        /* change: two-sided p-value; else NaN */
  double level;          /* change: the spent level it was tested at; else NaN */
  double support;        /* (effective) observations behind value */
  uint64_t poll;         /* 1-based index of the poll that raised it */
  uint64_t observations; /* observations seen when it was raised */
};

/* Per-group statistics of the judged window. Frozen layout. */
typedef struct fairgate_monitor_group {
  double observations; /* window mass (decay: sum of 2^(-age/H), the newest weighing 1) */
  double effective;    /* Kish effective size (= observations unless decay) */
  double labelled;     /* window mass with a label */
  fairgate_interval rates[FAIRGATE_N_RATE_METRICS]; /* Wilson, indexed by fairgate_rate_metric */
  double psi; /* vs the baseline histogram; NaN when not judged */
  double ks;  /* binned KS statistic; NaN when not judged */
} fairgate_monitor_group;

/* Per-constraint state at the last poll. Frozen layout. */
typedef struct fairgate_monitor_constraint {
  int32_t state;           /* fairgate_constraint_state */
  int32_t change_alarm;    /* 1: some group raised a change alarm at this poll */
  uint32_t group;          /* difference: highest-rate group; group_rate: the worst group */
  uint32_t other_group;    /* difference: lowest-rate group; else FAIRGATE_NO_GROUP */
  fairgate_interval value; /* the judged quantity and its interval */
} fairgate_monitor_constraint;

typedef struct fairgate_monitor_summary {
  uint32_t struct_size;           /* sizeof(fairgate_monitor_summary); set by the caller */
  int32_t window_complete;        /* tumbling: 0 while no block has completed yet */
  uint64_t poll;                  /* 1-based poll index */
  uint64_t observations;          /* observations ever seen */
  uint64_t window_index;          /* tumbling: index of the judged block */
  uint64_t pending_overwritten;   /* delayed-label entries dropped before their label came */
  uint64_t labels_unknown_id;     /* label() calls for ids not (or no longer) pending */
  uint64_t labels_outside_window; /* labels whose observation had left every window */
  uint32_t n_groups;
  uint32_t n_constraints;
  uint32_t n_alarms;       /* alarms raised by this poll */
  uint32_t alarm_capacity; /* the most alarms one poll can raise: (2C + 2) * G */
} fairgate_monitor_summary;

/* Evaluates the window: per-group rates with intervals, every constraint's
 * state and the alarms; then calls the rollback hook if an alarm fired.
 * out_summary (may be NULL; struct_size must be set) receives the summary.
 * The detail stays in the monitor until the next poll/reset/restore: read it
 * with the three functions below. If the hook returns a non-zero status,
 * poll returns it, and (the one exception to "outputs only on success")
 * *out_summary and the detail are still written. No allocation. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_poll(fairgate_monitor* monitor, fairgate_monitor_summary* out_summary);

/* The last poll's detail, copied into caller-owned arrays (two-call pattern:
 * *out_n is always set to the number of entries; they are written only if
 * capacity >= *out_n). Before the first poll all three are empty/undefined
 * entries of the right count (alarms: 0). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_groups(
    const fairgate_monitor* monitor, fairgate_monitor_group* out, size_t capacity, size_t* out_n);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_constraints(const fairgate_monitor* monitor, fairgate_monitor_constraint* out,
                             size_t capacity, size_t* out_n);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_alarms(
    const fairgate_monitor* monitor, fairgate_monitor_alarm* out, size_t capacity, size_t* out_n);

/* Back to the state right after create (same options and baseline): windows,
 * delayed labels, counters and the poll index are cleared. No allocation. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_reset(fairgate_monitor* monitor);

/* The streaming state as versioned bytes ("FGMS" v1, little-endian, with a
 * checksum; monitor/monitor.hpp documents the layout), for a checkpoint
 * across a runtime restart. Two-call pattern as fairgate_accumulator_serialize:
 * *out_size is always set; the bytes are written only if capacity >=
 * *out_size. The options and baseline are not included: restore into a
 * monitor created with the same options. No allocation. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_save(
    const fairgate_monitor* monitor, uint8_t* buffer, size_t capacity, size_t* out_size);
/* Restores a state from fairgate_monitor_save of a monitor with the same
 * options. Everything is validated first; on error the monitor is unchanged:
 * FAIRGATE_E_PARSE (not a state / malformed), FAIRGATE_E_UNSUPPORTED (newer
 * version), FAIRGATE_E_VERIFICATION (other options, or a checksum mismatch).
 * The last poll's detail is cleared. No allocation. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_restore(fairgate_monitor* monitor,
                                                                         const uint8_t* bytes,
                                                                         size_t size);

/* Heap bytes the monitor holds (the formula of docs/monitoring.md). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_memory_bytes(const fairgate_monitor* monitor, size_t* out_bytes);

/* The watched constraints of policy target `target` (a name of
 * fairgate_policy_target), for fairgate_monitor_options.constraints
 * (monitor/from_policy.hpp): demographic parity difference -> selection rate
 * difference; equal opportunity difference -> TPR difference; equalized
 * odds difference (worst case, between groups) -> TPR and FPR differences;
 * a per-group rate with scope every_group -> that rate as a group_rate
 * constraint; the bound, confidence and alpha from the policy. Constraints
 * the monitor cannot watch (ratios, relative bounds, pooled rates, score
 * metrics: the deployment gate judges those) are skipped and counted in
 * *out_n_skipped (may be NULL). Two-call pattern: *out_n is always set; the
 * entries (each with struct_size = sizeof(fairgate_watched_constraint)) are
 * written only if capacity >= *out_n. An unknown target is
 * FAIRGATE_E_INVALID_ARGUMENT. The policy is read during the call only. */
/* The rollback convention of monitor/rollback.hpp, for hosts without C++.
 * Each time a configuration of `target` passes the gate, the host (or the
 * controller) records its bytes: fairgate_monitor_record_known_good puts
 * them in the content store at store_dir (a directory, created if absent;
 * objects named by their SHA-256) and adds the artifact
 * "config/<target>/last_good" (name, SHA-256, size) to `manifest`; write the
 * manifest with fairgate_manifest_write afterwards. When an alarm fires,
 * fairgate_monitor_last_known_good returns the bytes of the LAST such
 * artifact of `target`, read from the store and re-hashed, exactly as
 * recorded (two-call pattern: *out_size is always set; the bytes are
 * written only if capacity >= *out_size). Errors: no configuration recorded
 * for the target -> FAIRGATE_E_EMPTY_INPUT; the object is missing ->
 * FAIRGATE_E_IO; its content or size does not match the manifest ->
 * FAIRGATE_E_VERIFICATION. Strings and bytes are read during the call only.
 * These two calls allocate and do file I/O (they are not on the per-
 * prediction path). */
struct fairgate_manifest; /* the manifest handle (typedef fairgate_manifest, declared below) */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_monitor_record_known_good(struct fairgate_manifest* manifest, const char* store_dir,
                                   const char* target, const void* bytes, size_t size);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_last_known_good(
    const struct fairgate_manifest* manifest, const char* store_dir, const char* target,
    uint8_t* buffer, size_t capacity, size_t* out_size);

struct fairgate_policy; /* the policy handle (typedef fairgate_policy, declared below) */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_monitor_constraints_from_policy(
    const struct fairgate_policy* policy, const char* target, fairgate_watched_constraint* out,
    size_t capacity, size_t* out_n, size_t* out_n_skipped);

/* ------------------------------------------------------------------------ */
/* Fairness policies (src/policy; the TOML format is docs/policy.md)         */
/*
 * A policy names deployment targets; each lists the compression it allows
 * and the fairness constraints that must still hold after compression.
 *
 *   fairgate_policy* p = NULL;
 *   if (fairgate_policy_load_file("policy.toml", &p) != FAIRGATE_OK)
 *     fprintf(stderr, "%s\n", fairgate_last_error_message());   (file:line:col: key ...: problem)
 *   fairgate_policy_destroy(p);
 *
 * Thread safety: a loaded policy is immutable; any number of threads may read
 * it (accessors, gate evaluation, controller creation) at once. Destroy needs
 * exclusive access.
 */
typedef struct fairgate_policy fairgate_policy;

/* Parses and checks a policy file. Every problem is reported, not only the
 * first: on a malformed policy the call returns FAIRGATE_E_PARSE and the
 * message lists every diagnostic, one per line, as
 * "path:LINE:COLUMN: key 'target[0].constraint[1].bound': <problem>".
 * An unreadable file gives FAIRGATE_E_IO. `path` is read during the call only.
 * On success *out owns a new handle: release it with fairgate_policy_destroy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_load_file(const char* path,
                                                                          fairgate_policy** out);
/* The same from `length` bytes of TOML text (need not be NUL-terminated);
 * `source_name` (may be NULL: "<string>") names the text in messages. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_load_string(const char* text,
                                                                            size_t length,
                                                                            const char* source_name,
                                                                            fairgate_policy** out);
/* Releases a policy. NULL is accepted and ignored. */
FAIRGATE_API void fairgate_policy_destroy(fairgate_policy* policy);

/* The policy's name and its digest "sha256:<64 hex>" (SHA-256 of the
 * canonical TOML: equal for files that mean the same). The strings are owned
 * by the policy and valid until it is destroyed. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_name(const fairgate_policy* policy,
                                                                     const char** out_name);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_policy_digest(const fairgate_policy* policy, const char** out_digest);
/* The canonical TOML text (parses back to the same policy); owned by the
 * policy, valid until it is destroyed. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_policy_canonical_toml(const fairgate_policy* policy, const char** out_text);

/* Targets, in file order. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_policy_target_count(const fairgate_policy* policy, size_t* out_count);

/* What a target declares. Output struct: set struct_size before the call;
 * only the first struct_size bytes are written. Strings are owned by the
 * policy and valid until it is destroyed. */
typedef struct fairgate_target_info {
  uint32_t struct_size;        /* sizeof(fairgate_target_info), set by the caller */
  const char* name;            /* unique within the policy */
  size_t n_constraints;        /* constraints of the target */
  size_t n_sensitive_features; /* 1, or more for intersectional groups */
  double max_sparsity;         /* compression allowance, in [0, 1] */
  uint32_t min_allowed_bits;   /* the smallest of allowed_bits (32 = float only) */
  int32_t per_channel;         /* 0/1: per-channel quantization scales allowed */
} fairgate_target_info;

/* Target `index` (< fairgate_policy_target_count); FAIRGATE_E_OUT_OF_RANGE otherwise. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_policy_target(const fairgate_policy* policy, size_t index, fairgate_target_info* out);
/* Sensitive feature `feature` (< n_sensitive_features) of target `index`;
 * owned by the policy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_sensitive_feature(
    const fairgate_policy* policy, size_t index, size_t feature, const char** out_name);

/* Validation without a policy: every diagnostic with its position and key.
 *
 *   fairgate_policy_diagnostics* d = NULL;
 *   fairgate_policy_validate(text, strlen(text), "policy.toml", &d);
 *   fairgate_policy_diagnostics_count(d, &n);   n == 0: the policy is valid
 *
 * Thread safety: immutable once created; any thread may read it. */
typedef struct fairgate_policy_diagnostics fairgate_policy_diagnostics;

typedef struct fairgate_policy_diagnostic {
  uint32_t struct_size; /* sizeof(fairgate_policy_diagnostic), set by the caller */
  uint32_t line;        /* 1-based; 0 when the problem has no position */
  uint32_t column;      /* 1-based */
  const char* source;   /* the file or source name */
  const char* key;      /* key path, e.g. "target[1].constraint[0].bound"; "" for syntax errors */
  const char* message;  /* the problem, e.g. "unknown metric 'acuracy'; did you mean 'accuracy'?" */
  const char* text;     /* all of it formatted: "source:LINE:COLUMN: key '...': problem" */
} fairgate_policy_diagnostic;

/* Checks `length` bytes of TOML text. Returns FAIRGATE_OK whenever the check
 * ran, valid policy or not (bad policies are described by the diagnostics);
 * *out owns a new handle: release it with fairgate_policy_diagnostics_destroy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_validate(
    const char* text, size_t length, const char* source_name, fairgate_policy_diagnostics** out);
/* The same for a file; an unreadable file gives one diagnostic (line 0). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_policy_validate_file(const char* path, fairgate_policy_diagnostics** out);
FAIRGATE_API void fairgate_policy_diagnostics_destroy(fairgate_policy_diagnostics* diagnostics);
/* Number of diagnostics (0: the policy is valid), sorted by (line, column). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_diagnostics_count(
    const fairgate_policy_diagnostics* diagnostics, size_t* out_count);
/* Diagnostic `index`; its strings are owned by the diagnostics handle. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_policy_diagnostics_get(
    const fairgate_policy_diagnostics* diagnostics, size_t index, fairgate_policy_diagnostic* out);

/* ------------------------------------------------------------------------ */
/* The fairness gate (src/gate; the rules are docs/gate.md)                  */
/*
 * Judges every constraint of one target of a policy for a candidate
 * (compressed) model against the baseline (uncompressed) model on the same
 * rows: per constraint a pass/fail with its value, interval, p-value and a
 * reason; the whole verdict as deterministic JSON and as a readable table.
 *
 *   fairgate_gate_inputs in;
 *   fairgate_gate_inputs_init(&in);
 *   in.n = n; in.labels = y; in.baseline_scores = s0; in.candidate_scores = s1;
 *   in.groups = g; in.group_names = names; in.n_groups = 2;
 *   fairgate_verdict* v = NULL;
 *   fairgate_gate_evaluate(policy, "server", &in, &v);
 *   fairgate_verdict_pass(v, &pass);
 *   fairgate_verdict_destroy(v);
 *
 * Thread safety: evaluation is a pure function of its inputs (any number of
 * threads at once, sharing the policy). A verdict is immutable; any thread may
 * read it.
 */
typedef struct fairgate_verdict fairgate_verdict;

/* The rows both models are judged on. Arrays have n contiguous elements, are
 * owned by the caller and are read during the call only.
 *   labels            0/1; U8 (default), I32 or I64
 *   baseline_scores,  F64 (default) or F32; prediction = (score >= threshold);
 *   candidate_scores  NaN is rejected naming the row
 *   groups            codes < n_groups; U32 (default), U16 or U8
 *   group_names       n_groups NUL-terminated names ("Male|White" style for
 *                     intersections)
 *   sensitive_features  NULL, or n_sensitive_features names that must equal
 *                     the target's sensitive_features (checked)
 *   weights           NULL, or sample weights >= 0 (F64 default, or F32);
 *                     weighted rows support evidence = "point" only
 *   has_seed / seed   if has_seed != 0, seed overrides every constraint's
 *                     bootstrap seed */
typedef struct fairgate_gate_inputs {
  uint32_t struct_size; /* sizeof(fairgate_gate_inputs) */
  size_t n;
  const void* labels;
  int32_t labels_dtype;
  const void* baseline_scores;
  int32_t baseline_dtype;
  const void* candidate_scores;
  int32_t candidate_dtype;
  const void* groups;
  int32_t groups_dtype;
  const char* const* group_names;
  size_t n_groups;
  const char* const* sensitive_features;
  size_t n_sensitive_features;
  const void* weights;
  int32_t weights_dtype;
  double threshold; /* default 0.5 */
  int32_t has_seed; /* default 0 */
  uint64_t seed;
} fairgate_gate_inputs;

/* Fills the defaults: every pointer NULL, n = 0, threshold 0.5, U8 labels,
 * F64 scores and weights, U32 groups, no seed override. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_gate_inputs_init(fairgate_gate_inputs* inputs);

/* Evaluates target `target` of `policy` (both read during the call only; the
 * policy may be destroyed afterwards). Unknown target or mismatched
 * sensitive features: FAIRGATE_E_INVALID_ARGUMENT; unsupported metric or
 * evidence: FAIRGATE_E_UNSUPPORTED; bad rows: LENGTH_MISMATCH, OUT_OF_RANGE or
 * INVALID_VALUE naming the row. On success *out owns a new verdict: release it
 * with fairgate_verdict_destroy. A failing constraint is NOT an error: the
 * call succeeds and the verdict says fail. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_gate_evaluate(const fairgate_policy* policy, const char* target,
                       const fairgate_gate_inputs* inputs, fairgate_verdict** out);
/* Releases a verdict. NULL is accepted and ignored. */
FAIRGATE_API void fairgate_verdict_destroy(fairgate_verdict* verdict);

/* *out_pass = 1 when no constraint failed, else 0. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verdict_pass(const fairgate_verdict* verdict, int32_t* out_pass);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verdict_constraint_count(const fairgate_verdict* verdict, size_t* out_count);

typedef enum fairgate_outcome {
  FAIRGATE_OUTCOME_PASS = 0,
  FAIRGATE_OUTCOME_FAIL = 1,
  FAIRGATE_OUTCOME_SKIPPED = 2 /* nothing could be judged and the policy says "skip" */
} fairgate_outcome;

/* One constraint of a verdict, summarised by its worst item (the smallest
 * margin to the bound, failing items first). Output struct: set struct_size;
 * strings are owned by the verdict. NaN marks a number that does not apply. */
typedef struct fairgate_constraint_result {
  uint32_t struct_size; /* sizeof(fairgate_constraint_result), set by the caller */
  const char* id;       /* the constraint's id in the policy */
  const char* metric;   /* canonical metric name */
  const char* scope;    /* "overall" | "every_group" */
  const char* bound;    /* TOML spelling, e.g. "<= baseline + 0.02" */
  const char* evidence; /* "point" | "ci" | "paired_test" */
  int32_t outcome;      /* fairgate_outcome */
  double value;         /* the worst item's statistic */
  double lower, upper;  /* its interval (evidence = ci), else NaN */
  double p_value;       /* its adjusted p-value (evidence = paired_test), else NaN */
  const char* reason;   /* one line */
  size_t n_items;       /* judged items: one per group, or one "(overall)" */
  size_t n_groups;      /* groups named by the result (failing or max/min groups) */
} fairgate_constraint_result;

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_verdict_constraint(
    const fairgate_verdict* verdict, size_t index, fairgate_constraint_result* out);
/* Group `g` (< n_groups) named by constraint `index`; owned by the verdict. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_verdict_constraint_group(
    const fairgate_verdict* verdict, size_t index, size_t g, const char** out_group);

/* One judged item of a constraint (a group's rate, or the whole constraint's
 * value with group "(overall)"). */
typedef struct fairgate_item_result {
  uint32_t struct_size; /* sizeof(fairgate_item_result), set by the caller */
  const char* group;
  uint64_t support;    /* rows of the group (all rows for "(overall)") */
  double baseline;     /* metric of the baseline model */
  double candidate;    /* metric of the candidate model */
  double statistic;    /* candidate (absolute bound) or candidate - baseline (relative) */
  double bound;        /* the right-hand side for the statistic */
  double lower, upper; /* interval of the statistic (evidence = ci), else NaN */
  double judged;       /* the number compared with the bound */
  double p_value;      /* raw one-sided p-value (paired_test), else NaN */
  double p_adjusted;   /* after the target's multiple-comparison correction */
  const char* test;    /* "", "mcnemar_exact", "paired_bootstrap" */
  int32_t undefined;   /* 0/1: a metric or interval was undefined */
  int32_t outcome;     /* fairgate_outcome */
  const char* note;    /* why (short) */
} fairgate_item_result;

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verdict_item(const fairgate_verdict* verdict, size_t constraint_index, size_t item_index,
                      fairgate_item_result* out);

/* The verdict as deterministic JSON (docs/gate.md, "Verdict JSON"; the same
 * bytes for the same inputs and seed) and as a fixed-width table. NUL-
 * terminated; *out_length (may be NULL) gets strlen. Owned by the verdict. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verdict_json(const fairgate_verdict* verdict, const char** out_json, size_t* out_length);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verdict_table(const fairgate_verdict* verdict, const char** out_table, size_t* out_length);

/* ------------------------------------------------------------------------ */
/* The compression controller (src/gate/controller; docs/gate.md)             */
/*
 * The host owns the model. It registers its f32 weight tensors (the
 * controller writes candidate weights into them in place) and a callback that
 * evaluates the current weights on the evaluation rows. The controller walks a
 * plan of milestones (prune to a sparsity, or fake-quantize), gates every
 * candidate against every target of the policy, rolls back failures and tries
 * the remedies; every decision goes to a JSON-lines changelog and every kept
 * state to a checkpoint under options.directory (so a killed run resumes).
 *
 *   fairgate_controller* c = NULL;
 *   fairgate_controller_create(policy, &rows, &opts, &c);
 *   fairgate_controller_add_tensor(c, "fc1.weight", &w1, 0);
 *   fairgate_controller_set_callbacks(c, &callbacks);   (evaluate, user_data)
 *   fairgate_controller_run(c, plan, n_milestones);
 *   fairgate_controller_target_result(c, 0, &result);
 *   fairgate_controller_destroy(c);
 *
 * Callbacks are plain C function pointers that receive the user_data given
 * with them. They return a fairgate_status: FAIRGATE_OK, or any error code to
 * abort the run; the run then returns that code (FAIRGATE_E_INVALID_VALUE for
 * codes outside fairgate_status) with a message naming the callback. Scores
 * that are NaN or infinite also end the run with FAIRGATE_E_INVALID_VALUE.
 * Callbacks must not throw or longjmp through fairgate, and must not call
 * this controller. When run returns, successfully or not, the host's tensors
 * hold their original weights again.
 *
 * Thread safety: a controller must be used by one thread at a time; the
 * callbacks are called on the thread that called fairgate_controller_run.
 */
typedef struct fairgate_controller fairgate_controller;

/* The rows the policy is judged on: labels (0/1; U8 default, I32 or I64) and
 * group codes (< n_groups; U32 default, U16 or U8), n each, and n_groups
 * names. Copied by fairgate_controller_create (the caller keeps ownership). */
typedef struct fairgate_evaluation_rows {
  uint32_t struct_size; /* sizeof(fairgate_evaluation_rows) */
  size_t n;
  const void* labels;
  int32_t labels_dtype;
  const void* groups;
  int32_t groups_dtype;
  const char* const* group_names;
  size_t n_groups;
  double threshold; /* prediction = (score >= threshold); default 0.5 */
} fairgate_evaluation_rows;

typedef enum fairgate_remedy {
  FAIRGATE_REMEDY_BISECT = 0,           /* retry at the midpoint sparsity, bisect_depth times */
  FAIRGATE_REMEDY_RESTORE_CRITICAL = 1, /* restore restore_fraction of the newly pruned weights */
  FAIRGATE_REMEDY_REVERT_TENSOR = 2,    /* revert the tensor whose compression hurt most */
  FAIRGATE_REMEDY_STOP = 3              /* end this target's plan */
} fairgate_remedy;

typedef struct fairgate_controller_options {
  uint32_t struct_size;       /* sizeof(fairgate_controller_options) */
  const char* directory;      /* required: checkpoints + changelog (created if absent) */
  const char* const* targets; /* NULL: every target of the policy, in policy order */
  size_t n_targets;
  const int32_t* remedies; /* NULL: the default bisect, restore_critical, revert_tensor, stop */
  size_t n_remedies;       /* entries of remedies (0 with non-NULL remedies: none) */
  uint32_t bisect_depth;   /* default 2 */
  double restore_fraction; /* in (0, 1], default 0.25 */
  int32_t has_seed;        /* 0/1: seed overrides the policy's bootstrap seeds */
  uint64_t seed;
  int32_t resume; /* 0/1: continue from the directory's checkpoints */
} fairgate_controller_options;

FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_evaluation_rows_init(fairgate_evaluation_rows* rows);
/* Defaults: directory NULL (must be set), every target, default remedies,
 * bisect_depth 2, restore_fraction 0.25, no seed override, no resume. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_options_init(fairgate_controller_options* options);

/* Creates a controller. The policy, rows and options are copied (all may be
 * released after the call). Fails with FAIRGATE_E_IO, before any work, if the
 * directory cannot be created or written. *out must be destroyed. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_create(const fairgate_policy* policy, const fairgate_evaluation_rows* rows,
                           const fairgate_controller_options* options, fairgate_controller** out);
/* Releases a controller (never the host's tensors). NULL is accepted. */
FAIRGATE_API void fairgate_controller_destroy(fairgate_controller* controller);

/* Registers a weight tensor: dtype F32, C-contiguous (strides NULL). The
 * controller KEEPS weights->data (the shape is copied): the host keeps the
 * memory alive and does not move it until the controller is destroyed, and
 * must not touch it while fairgate_controller_run runs (except inside a
 * callback). channel_axis: the axis of per-channel quantization scales (0 for
 * an [out, in] matrix). Names are unique. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_add_tensor(fairgate_controller* controller, const char* name,
                               const fairgate_tensor* weights, int32_t channel_axis);

/* Writes the scores of the current weights on the n evaluation rows into
 * out_scores[0..n) (fairgate's buffer, valid during the call only). */
typedef int32_t (*fairgate_evaluate_fn)(void* user_data, double* out_scores, size_t n);
/* Optional: trains the current weights in place for `steps` steps; the
 * controller re-applies masks and quantization afterwards. */
typedef int32_t (*fairgate_finetune_fn)(void* user_data, uint32_t steps);
/* Optional: the importance of every weight of tensor `tensor` (registration
 * order) for group `group`, written to out_importance[0..numel) (finite). */
typedef int32_t (*fairgate_saliency_fn)(void* user_data, size_t tensor, uint32_t group,
                                        double* out_importance, size_t numel);

typedef struct fairgate_controller_callbacks {
  uint32_t struct_size;          /* sizeof(fairgate_controller_callbacks) */
  fairgate_evaluate_fn evaluate; /* required */
  fairgate_finetune_fn finetune; /* NULL: none */
  fairgate_saliency_fn saliency; /* NULL: |w| */
  void* user_data;               /* passed to every callback; fairgate never reads it */
} fairgate_controller_callbacks;

/* Sets (replaces) the callbacks; the struct is copied. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_controller_set_callbacks(
    fairgate_controller* controller, const fairgate_controller_callbacks* callbacks);

typedef enum fairgate_milestone_kind {
  FAIRGATE_MILESTONE_PRUNE_GLOBAL = 0, /* global L1 magnitude over every tensor */
  FAIRGATE_MILESTONE_PRUNE_LAYER = 1,  /* L1 magnitude per tensor */
  FAIRGATE_MILESTONE_QUANTIZE = 2      /* int8 symmetric fake quantization */
} fairgate_milestone_kind;

typedef struct fairgate_milestone {
  uint32_t struct_size;    /* sizeof(fairgate_milestone) */
  int32_t kind;            /* fairgate_milestone_kind */
  double sparsity;         /* prune: the sparsity to reach, in [0, 1] */
  uint32_t bits;           /* quantize: 8 */
  int32_t per_channel;     /* quantize: 0/1, default 1 */
  uint32_t finetune_steps; /* steps for the finetune callback after the pass (0: none) */
} fairgate_milestone;

/* Defaults: PRUNE_GLOBAL, sparsity 0, 8 bits, per channel, no finetuning. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_milestone_init(fairgate_milestone* milestone);

/* Runs the plan: n_milestones structs read with a stride of
 * plan[0].struct_size bytes (every element has the same struct_size). Needs
 * an evaluate callback and at least one tensor. Replaces the results of any
 * earlier run. A failing constraint is not an error (it is in the results);
 * a callback failure, bad scores or an I/O failure is. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_controller_run(
    fairgate_controller* controller, const fairgate_milestone* plan, size_t n_milestones);

/* Results of the last successful run, per target in run order. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_result_count(const fairgate_controller* controller, size_t* out_count);

typedef struct fairgate_target_result {
  uint32_t struct_size; /* sizeof(fairgate_target_result), set by the caller */
  const char* target;
  int32_t pass;              /* 0/1: the best state passes (0 only if nothing passed) */
  double sparsity;           /* of the best (most compressed passing) state */
  double mean_bits;          /* numel-weighted mean bits of the best state */
  double worst_group_metric; /* docs/gate.md "Result" */
  uint64_t steps;            /* evaluations made */
  int32_t stopped;           /* 0/1: a stop remedy ended the plan */
  size_t n_frontier;         /* Pareto frontier points */
  size_t n_tensors;          /* registered tensors */
  const char* state_digest;  /* SHA-256 of the best state's masks, bits and weights */
  const char* verdict_json;  /* the best state's verdict (one line) */
} fairgate_target_result;

/* Strings are owned by the controller, valid until the next run or destroy. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_controller_target_result(
    const fairgate_controller* controller, size_t index, fairgate_target_result* out);

typedef struct fairgate_frontier_point {
  uint64_t step;
  double sparsity;
  double mean_bits;
  double worst_group_metric;
  int32_t pass;
} fairgate_frontier_point;

/* Frontier of target result `index`, by step, into out[0..capacity): the
 * two-call pattern (*out_count is always set; written if capacity suffices). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_frontier(const fairgate_controller* controller, size_t index,
                             fairgate_frontier_point* out, size_t capacity, size_t* out_count);

/* The best state of target result `index` for tensor `tensor` (registration
 * order): its sparsity and bits, and (out_mask may be NULL) its mask, numel
 * bytes in flat order, 1 = kept, 0 = pruned (the layout
 * torch.nn.utils.prune.custom_from_mask takes). Read back from the target's
 * final checkpoint and checked against the best state's digest. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_controller_best_tensor(
    const fairgate_controller* controller, size_t index, size_t tensor, double* out_sparsity,
    uint32_t* out_bits, uint8_t* out_mask, size_t mask_size);

/* Manifests (declared below; the manifest part of this header). */
typedef struct fairgate_manifest fairgate_manifest;

/* Records the last successful run into `manifest`'s computation section
 * (src/gate/include/fairgate/gate/record.hpp; docs/gate.md "Manifest of a
 * run"): the plan, remedies, options, tensors, evaluation-row digests, the
 * policy (if the manifest has none), stream keys, per-target results and the
 * hashes of every checkpoint and of the changelog. Nothing machine- or
 * time-dependent enters the hashed section: the same run twice records the
 * same computation hash. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_record(const fairgate_controller* controller, fairgate_manifest* manifest);

/* Rollback: writes a recorded state of `target` (checkpoint number, 1-based;
 * 0 = the target's best state) from a manifest written by
 * fairgate_controller_record into this controller's registered tensors
 * (weights x mask, fake-quantized as during the run), reading the checkpoint
 * store under this controller's directory. Every stored object is re-hashed:
 * a corrupted entry, or a state whose digest differs from the recorded one,
 * is FAIRGATE_E_VERIFICATION; on any error the tensors are not written.
 * *out_sparsity and *out_checkpoint (each may be NULL) describe the state. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_controller_restore(
    fairgate_controller* controller, const fairgate_manifest* manifest, const char* target,
    uint64_t checkpoint, double* out_sparsity, uint64_t* out_checkpoint);

/* SHA-256 over every target's result (equal digests = equal results), and
 * the changelog's path; owned by the controller (valid until destroy). The
 * digest is "" before a successful run. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_digest(const fairgate_controller* controller, const char** out_digest);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_controller_changelog_path(const fairgate_controller* controller, const char** out_path);

/* ------------------------------------------------------------------------ */
/* Manifests (src/manifest; the schema is docs/manifest.md)                  */
/*
 * The record of a run that makes it reproducible: input hashes, the policy,
 * the seed, results, artifacts (hashed "computation" section), the build
 * (hashed "environment" section). verify compares a rerun with the record.
 *
 *   fairgate_manifest* m = NULL;
 *   fairgate_manifest_create(&m);
 *   fairgate_manifest_add_input_file(m, "eval_data", "data.csv");
 *   fairgate_manifest_set_root_seed(m, 42);
 *   fairgate_manifest_add_result_json(m, "dp_difference", "0.0123");
 *   fairgate_manifest_write(m, "out/manifest.json");
 *
 * Thread safety: a manifest must be used by one thread at a time; a
 * verification report is immutable.
 */
typedef struct fairgate_verify_report fairgate_verify_report;

/* A new manifest with this build's environment. *out must be destroyed. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_create(fairgate_manifest** out);
/* Reads and checks a manifest file: FAIRGATE_E_PARSE (malformed, naming the
 * key), FAIRGATE_E_UNSUPPORTED (newer schema), FAIRGATE_E_VERIFICATION
 * (stored hashes do not match: truncated or tampered), FAIRGATE_E_IO. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_read(const char* path,
                                                                       fairgate_manifest** out);
/* The same from `length` bytes of JSON text. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_manifest_from_json(const char* text, size_t length, fairgate_manifest** out);
/* Releases a manifest. NULL is accepted and ignored. */
FAIRGATE_API void fairgate_manifest_destroy(fairgate_manifest* manifest);

/* Hashes the file (SHA-256) and records role, path, size and hash. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_manifest_add_input_file(fairgate_manifest* manifest, const char* role, const char* path);
/* Records an already computed digest (64 hex characters) of `bytes` bytes. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_add_input_digest(
    fairgate_manifest* manifest, const char* role, const char* sha256_hex, uint64_t bytes);
/* Records the policy (path as given, and its content, e.g. the file's text). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_set_policy(
    fairgate_manifest* manifest, const char* path, const char* content, size_t content_length);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_manifest_set_root_seed(fairgate_manifest* manifest, uint64_t seed);
/* Sets results[key] (or config[key]) to a JSON value given as text, e.g.
 * "0.0123", "{\"pass\": true}". Malformed JSON: FAIRGATE_E_PARSE. A key set
 * twice keeps the last value. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_add_result_json(
    fairgate_manifest* manifest, const char* key, const char* json_text);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_add_config_json(
    fairgate_manifest* manifest, const char* key, const char* json_text);
/* Hashes `size` bytes (read during the call only) and records them as artifact `name`. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_add_artifact(
    fairgate_manifest* manifest, const char* name, const void* bytes, size_t size);

/* Writes the whole document atomically (temporary file + rename). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_manifest_write(const fairgate_manifest* manifest, const char* path);
/* The whole document as JSON text, with the two-call pattern of
 * fairgate_accumulator_serialize: *out_size is always set to strlen + 1 (the
 * bytes needed with the NUL); the text is written only if capacity >= *out_size. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_to_json(
    const fairgate_manifest* manifest, char* buffer, size_t capacity, size_t* out_size);
/* SHA-256 (64 lowercase hex + NUL) of the canonical computation section:
 * equal for runs that computed the same thing on any machine. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_manifest_computation_sha256(const fairgate_manifest* manifest, char out_hex[65]);

/* Compares a rerun (a manifest handle, or a second file) with the manifest
 * recorded at `recorded_path`. Returns FAIRGATE_OK when the comparison ran,
 * whether or not the runs agree (see fairgate_verify_report_identical);
 * errors are about reading the files. *out must be destroyed. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_verify(
    const char* recorded_path, const fairgate_manifest* rerun, fairgate_verify_report** out);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_manifest_compare_files(
    const char* recorded_path, const char* rerun_path, fairgate_verify_report** out);
FAIRGATE_API void fairgate_verify_report_destroy(fairgate_verify_report* report);

/* *out_identical = 1 when the computation sections are byte-identical. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verify_report_identical(const fairgate_verify_report* report, int32_t* out_identical);
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verify_report_difference_count(const fairgate_verify_report* report, size_t* out_count);
/* Difference `index`: where (a JSON pointer into the computation section,
 * e.g. "/results/accuracy"), and short renderings of the recorded and rerun
 * values ("(absent)" if none). Strings owned by the report. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status fairgate_verify_report_difference(
    const fairgate_verify_report* report, size_t index, const char** out_where,
    const char** out_recorded, const char** out_rerun);
/* The report as the text `fairgate verify` prints (differences, likely
 * causes, environment notes); owned by the report. */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_verify_report_text(const fairgate_verify_report* report, const char** out_text);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAIRGATE_H */
