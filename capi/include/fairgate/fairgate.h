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
 * the accumulator is unchanged (every row is validated first). */
FAIRGATE_API FAIRGATE_NODISCARD fairgate_status
fairgate_accumulator_add(fairgate_accumulator* acc, const fairgate_binary_inputs* inputs,
                         const fairgate_accumulate_options* options);

/* acc := acc u other (other is not modified; acc == other is allowed and
 * doubles every count). Both must have the same n_groups. */
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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAIRGATE_H */
