/* C ABI contract tests, written in C99 against fairgate.h only.
 * Every entry point is fed bad input (NULL pointers, bad sizes) and must
 * return a status with a message, never crash. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <fairgate/fairgate.h>

#include "check.h"

static void test_versions_agree_with_header(void) {
  CHECK(fairgate_version_number() == FAIRGATE_C_VERSION_NUMBER);
  CHECK(fairgate_abi_version() == FAIRGATE_ABI_VERSION);
  CHECK(strcmp(fairgate_version_string(), "0.1.0") == 0);
}

static void test_status_names_cover_every_status(void) {
  CHECK(strcmp(fairgate_status_name(FAIRGATE_OK), "FAIRGATE_OK") == 0);
  CHECK(strcmp(fairgate_status_name(FAIRGATE_E_PARSE), "FAIRGATE_E_PARSE") == 0);
  CHECK(strcmp(fairgate_status_name(999), "FAIRGATE_E_UNKNOWN_STATUS") == 0);
}

static void test_null_arguments_give_a_status_and_a_message(void) {
  fairgate_stream* s = NULL;
  uint64_t pos = 0;
  uint32_t tag = 0, word = 0;
  CHECK(fairgate_stream_create(1, NULL, 0, &s) == FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "purpose") != NULL);
  CHECK(fairgate_stream_create(1, "split", 0, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "out") != NULL);
  CHECK(fairgate_stream_seek(NULL, 3) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_stream_position(NULL, &pos) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_purpose_tag(NULL, &tag) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_purpose_tag("split", NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_stream_fill_u32(NULL, &word, 1) == FAIRGATE_E_NULL_POINTER);
  fairgate_stream_destroy(NULL); /* accepted and ignored */
}

static void test_success_clears_the_last_error(void) {
  uint32_t tag = 0;
  CHECK(fairgate_purpose_tag(NULL, &tag) != FAIRGATE_OK);
  CHECK(fairgate_purpose_tag("split", &tag) == FAIRGATE_OK);
  CHECK(strcmp(fairgate_last_error_message(), "") == 0);
}

static void test_purpose_tag_is_fnv1a32_of_the_name(void) {
  /* FNV-1a 32 of "" is the offset basis 2166136261; of "a" it is
   * (2166136261 ^ 0x61) * 16777619 mod 2^32 = 0xe40c292c (hand-computed). */
  uint32_t tag = 0;
  CHECK(fairgate_purpose_tag("", &tag) == FAIRGATE_OK && tag == 2166136261u);
  CHECK(fairgate_purpose_tag("a", &tag) == FAIRGATE_OK && tag == 0xe40c292cu);
}

static void test_stream_seek_and_fill_agree(void) {
  fairgate_stream* s = NULL;
  uint32_t words[16], again[4];
  uint64_t pos = 0;
  CHECK(fairgate_stream_create(42, "bootstrap", 3, &s) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(s, words, 16) == FAIRGATE_OK);
  CHECK(fairgate_stream_position(s, &pos) == FAIRGATE_OK && pos == 16);
  CHECK(fairgate_stream_seek(s, 9) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(s, again, 4) == FAIRGATE_OK);
  CHECK(memcmp(again, words + 9, sizeof again) == 0);
  CHECK(fairgate_stream_fill_u32(s, NULL, 0) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(s, NULL, 5) == FAIRGATE_E_NULL_POINTER);
  fairgate_stream_destroy(s);
}

static void test_two_handles_with_the_same_key_agree(void) {
  fairgate_stream *a = NULL, *b = NULL;
  uint32_t wa[8], wb[8];
  CHECK(fairgate_stream_create(0, "split", 0, &a) == FAIRGATE_OK);
  CHECK(fairgate_stream_create(0, "split", 0, &b) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(a, wa, 8) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(b, wb, 8) == FAIRGATE_OK);
  CHECK(memcmp(wa, wb, sizeof wa) == 0);
  fairgate_stream_destroy(a);
  fairgate_stream_destroy(b);
}

static void test_penalty_matches_a_hand_computation(void) {
  /* Hinge, τ = 1, demographic parity, max − min (same case as the C++ test):
   * group 0 scores 0, 1 → 1, 2 → 1.5; group 1 scores −1, −0.5 → 0, 0.5 → 0.25;
   * value 1.25, gradient (0.5, 0.5, 0, −0.5). */
  const double s[4] = {0.0, 1.0, -1.0, -0.5};
  const uint8_t y[4] = {1, 0, 1, 0};
  const uint32_t g[4] = {0, 0, 1, 1};
  double grad[4] = {9, 9, 9, 9}, value = 0;
  fairgate_penalty_options o;
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.relaxation = FAIRGATE_RELAX_HINGE;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 4, 2, &value, grad) == FAIRGATE_OK);
  CHECK(value == 1.25);
  CHECK(grad[0] == 0.5 && grad[1] == 0.5 && grad[2] == 0.0 && grad[3] == -0.5);
}

static void test_penalty_rejects_bad_input_without_writing(void) {
  const double s[2] = {0.0, 1.0};
  uint8_t y[2] = {1, 3};
  const uint32_t g[2] = {0, 1};
  double grad[2] = {7, 7}, value = 42;
  fairgate_penalty_options o;
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "labels[1] = 3") != NULL);
  CHECK(value == 42 && grad[0] == 7);
  y[1] = 0;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 1, &value, grad) == FAIRGATE_E_OUT_OF_RANGE);
  o.kind = 17;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "options->kind = 17") != NULL);
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.struct_size = 8;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_penalty(NULL, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_penalty(&o, NULL, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_penalty(&o, NULL, NULL, NULL, NULL, 0, 2, &value, NULL) == FAIRGATE_OK);
}

/* ------------------------------------------------- penalties in f32 */
static void test_penalty_f32_matches_a_hand_computation(void) {
  /* The case above in f32 (every number is a dyadic rational, exact in f32):
   * hinge, τ = 1, demographic parity, max − min; value 1.25, gradient
   * (0.5, 0.5, 0, −0.5) (the hinge's slope at its kink 1 + s = 0 is 0).
   * Weighted, w = (1, 3, 2, 2): hinge values (1, 2, 0, 0.5);
   * q0 = (1·1 + 3·2) / (1 + 3) = 7/4, q1 = (2·0 + 2·0.5) / (2 + 2) = 1/4,
   * value = 7/4 − 1/4 = 1.5; dV/ds_i = ±w_i f'_i / W_g:
   * (1·1/4, 3·1/4, −2·0/4, −2·1/4) = (0.25, 0.75, 0, −0.5). */
  const float s[4] = {0.0f, 1.0f, -1.0f, -0.5f};
  const float w[4] = {1.0f, 3.0f, 2.0f, 2.0f};
  const uint8_t y[4] = {1, 0, 1, 0};
  const uint32_t g[4] = {0, 0, 1, 1};
  float grad[4] = {9, 9, 9, 9};
  double value = 0;
  fairgate_penalty_options o;
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.relaxation = FAIRGATE_RELAX_HINGE;
  CHECK(fairgate_penalty_f32(&o, s, y, g, NULL, 4, 2, &value, grad) == FAIRGATE_OK);
  CHECK(value == 1.25);
  CHECK(grad[0] == 0.5f && grad[1] == 0.5f && grad[2] == 0.0f && grad[3] == -0.5f);
  CHECK(fairgate_penalty_f32(&o, s, y, g, w, 4, 2, &value, grad) == FAIRGATE_OK);
  CHECK(value == 1.5);
  CHECK(grad[0] == 0.25f && grad[1] == 0.75f && grad[2] == 0.0f && grad[3] == -0.5f);
}

/* Deterministic test rows (a 64-bit LCG, Knuth's MMIX constants): group g
 * shifts its scores by 0.3 g so the gaps are well away from 0. */
static uint64_t lcg_state = 1;
static double lcg_uniform(void) {
  lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
  return (double)(lcg_state >> 11) * 0x1p-53;
}
#define PEN_N 1000 /* several 256-row blocks of the f32 kernel, and a tail */

static void test_penalty_f32_agrees_with_the_f64_entry(void) {
  /* Every kind × relaxation × form, unweighted and weighted, with 4 groups
   * (the f32 kernel's compare-and-add sums) and 20 groups (more than its 16
   * slots: its f64 scatter), on the same rows: the f64 entry gets the f32
   * scores and weights widened exactly. f32 relaxations carry a few ulp of f32
   * (~1e-7) and f32 partial sums ~16 ulp, so the value must agree to 1e-5
   * relative and every gradient entry to 1e-5 of the largest |gradient|. */
  static float s32[PEN_N], w32[PEN_N], grad32[PEN_N];
  static double s64[PEN_N], w64[PEN_N], grad64[PEN_N];
  static uint8_t y[PEN_N];
  static uint32_t g[PEN_N];
  const uint32_t group_counts[2] = {4, 20};
  double worst_value = 0.0, worst_grad = 0.0;
  int compared = 0;
  size_t gi, i;
  int kind, relax, form, weighted;
  for (gi = 0; gi < 2; ++gi) {
    const uint32_t G = group_counts[gi];
    lcg_state = 12345u + gi;
    for (i = 0; i < PEN_N; ++i) {
      g[i] = (uint32_t)(lcg_uniform() * G);
      y[i] = (uint8_t)(lcg_uniform() < 0.4 + 0.02 * (double)g[i]);
      s32[i] = (float)(4.0 * lcg_uniform() - 2.0 + 0.3 * (double)g[i]);
      w32[i] = (float)(0.25 + 2.0 * lcg_uniform());
      s64[i] = (double)s32[i];
      w64[i] = (double)w32[i];
    }
    for (kind = 0; kind < 5; ++kind)
      for (relax = 0; relax < 3; ++relax)
        for (form = 0; form < 4; ++form)
          for (weighted = 0; weighted < 2; ++weighted) {
            fairgate_penalty_options o;
            double v32 = -1, v64 = -1, gmax = 0, dv, config_grad = 0;
            CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
            o.kind = kind;
            o.relaxation = relax;
            o.form = form;
            o.temperature = 0.75;
            o.tolerance = 0.01;
            o.odds_aggregate = (kind + form) % 3;
            CHECK(fairgate_penalty_f32(&o, s32, y, g, weighted ? w32 : NULL, PEN_N, G, &v32,
                                       grad32) == FAIRGATE_OK);
            CHECK(fairgate_penalty(&o, s64, y, g, weighted ? w64 : NULL, PEN_N, G, &v64,
                                   grad64) == FAIRGATE_OK);
            dv = fabs(v32 - v64) / (fabs(v64) > 1e-12 ? fabs(v64) : 1e-12);
            if (dv > worst_value) worst_value = dv;
            CHECK(dv <= 1e-5);
            for (i = 0; i < PEN_N; ++i)
              if (fabs(grad64[i]) > gmax) gmax = fabs(grad64[i]);
            for (i = 0; i < PEN_N; ++i) {
              const double dg = fabs((double)grad32[i] - grad64[i]) / (gmax > 0 ? gmax : 1.0);
              if (dg > config_grad) config_grad = dg;
            }
            if (config_grad > worst_grad) worst_grad = config_grad;
            CHECK(config_grad <= 1e-5);
            ++compared;
          }
  }
  printf("penalty f32 vs f64: %d configurations, worst value rel. error %.2g, worst gradient "
         "error %.2g of max |gradient|\n", compared, worst_value, worst_grad);
}

/* Calls both entries with the same (bad) rows and checks: the expected
 * status, the same status and message from both, the message contains
 * `needle`, and neither entry wrote its outputs. */
#define PEN_BAD 300 /* the bad row is last, after a whole 256-row block */
static float pen_s32[PEN_BAD], pen_w32[PEN_BAD];
static double pen_s64[PEN_BAD], pen_w64[PEN_BAD];
static uint8_t pen_y[PEN_BAD];
static uint32_t pen_g[PEN_BAD];

static void reset_bad_rows(void) {
  size_t i;
  for (i = 0; i < PEN_BAD; ++i) {
    pen_s32[i] = (float)((double)(i % 7) - 3.0);
    pen_s64[i] = (double)pen_s32[i];
    pen_w32[i] = 1.0f;
    pen_w64[i] = 1.0;
    pen_y[i] = (uint8_t)(i % 2);
    pen_g[i] = (uint32_t)(i % 3);
  }
}

static void check_both_fail_untouched(const fairgate_penalty_options* o, int weighted,
                                      uint32_t n_groups, fairgate_status expected,
                                      const char* needle) {
  static float grad32[PEN_BAD];
  static double grad64[PEN_BAD];
  char message32[512];
  double value32 = 42.0, value64 = 42.0;
  fairgate_status st32, st64;
  int untouched = 1;
  size_t i;
  for (i = 0; i < PEN_BAD; ++i) {
    grad32[i] = 7.0f;
    grad64[i] = 7.0;
  }
  st32 = fairgate_penalty_f32(o, pen_s32, pen_y, pen_g, weighted ? pen_w32 : NULL, PEN_BAD,
                              n_groups, &value32, grad32);
  snprintf(message32, sizeof message32, "%s", fairgate_last_error_message());
  st64 = fairgate_penalty(o, pen_s64, pen_y, pen_g, weighted ? pen_w64 : NULL, PEN_BAD, n_groups,
                          &value64, grad64);
  CHECK(st32 == expected);
  CHECK(st64 == expected);
  CHECK(strcmp(message32, fairgate_last_error_message()) == 0);
  CHECK(strstr(message32, needle) != NULL);
  if (strstr(message32, needle) == NULL) fprintf(stderr, "  message: %s\n", message32);
  for (i = 0; i < PEN_BAD; ++i) untouched &= grad32[i] == 7.0f && grad64[i] == 7.0;
  CHECK(untouched && value32 == 42.0 && value64 == 42.0);
}

static void test_penalty_f32_rejects_bad_input_without_writing(void) {
  const int kinds[5] = {0, 1, 2, 3, 4};
  fairgate_penalty_options o;
  float grad[2] = {7.0f, 7.0f};
  double value = 42.0;
  size_t k;
  for (k = 0; k < 5; ++k) {
    CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
    o.kind = kinds[k];
    reset_bad_rows();
    pen_s32[PEN_BAD - 1] = NAN;
    pen_s64[PEN_BAD - 1] = NAN;
    check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_VALUE, "scores[299] is not finite");
    pen_s32[PEN_BAD - 1] = -INFINITY;
    pen_s64[PEN_BAD - 1] = -INFINITY;
    check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_VALUE, "scores[299] is not finite");
    reset_bad_rows();
    pen_y[PEN_BAD - 1] = 2;
    check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_OUT_OF_RANGE,
                              "labels[299] = 2: labels must be 0 or 1");
    reset_bad_rows();
    pen_g[PEN_BAD - 1] = 3;
    check_both_fail_untouched(&o, 1, 3, FAIRGATE_E_OUT_OF_RANGE,
                              "groups[299] = 3 is not below n_groups = 3");
    reset_bad_rows();
    pen_w32[PEN_BAD - 1] = -0.5f;
    pen_w64[PEN_BAD - 1] = -0.5;
    check_both_fail_untouched(&o, 1, 3, FAIRGATE_E_INVALID_VALUE, "weights[299]");
  }
  /* Options and shapes. */
  reset_bad_rows();
  check_both_fail_untouched(&o, 0, 0, FAIRGATE_E_INVALID_ARGUMENT, "n_groups must be at least 1");
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.kind = 17;
  check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_ARGUMENT, "options->kind = 17");
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.form = -1;
  check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_ARGUMENT, "options->form = -1");
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.relaxation = 3;
  check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_ARGUMENT, "options->relaxation = 3");
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.odds_aggregate = 3;
  check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_ARGUMENT, "options->odds_aggregate = 3");
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.struct_size = 8;
  check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_ARGUMENT, "options->struct_size = 8");
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.temperature = 0.0;
  check_both_fail_untouched(&o, 0, 3, FAIRGATE_E_INVALID_ARGUMENT, "temperature");
  /* τ = 1e-300 is valid in f64 but 1/τ overflows a float: only the f32 entry fails. */
  o.temperature = 1e-300;
  CHECK(fairgate_penalty_f32(&o, pen_s32, pen_y, pen_g, NULL, 2, 3, &value, grad) ==
        FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "too small for f32 scores") != NULL);
  CHECK(value == 42.0 && grad[0] == 7.0f && grad[1] == 7.0f);
  /* NULL pointers: each is named; n = 0 needs no arrays. */
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_penalty_f32(NULL, pen_s32, pen_y, pen_g, NULL, 2, 3, &value, grad) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "options is NULL") != NULL);
  CHECK(fairgate_penalty_f32(&o, NULL, pen_y, pen_g, NULL, 2, 3, &value, grad) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "scores is NULL") != NULL);
  CHECK(fairgate_penalty_f32(&o, pen_s32, NULL, pen_g, NULL, 2, 3, &value, grad) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "labels is NULL") != NULL);
  CHECK(fairgate_penalty_f32(&o, pen_s32, pen_y, NULL, NULL, 2, 3, &value, grad) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "groups is NULL") != NULL);
  CHECK(fairgate_penalty_f32(&o, pen_s32, pen_y, pen_g, NULL, 2, 3, NULL, grad) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "out_value is NULL") != NULL);
  CHECK(fairgate_penalty_f32(&o, pen_s32, pen_y, pen_g, NULL, 2, 3, &value, NULL) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "out_gradient is NULL") != NULL);
  CHECK(value == 42.0 && grad[0] == 7.0f && grad[1] == 7.0f);
  CHECK(fairgate_penalty_f32(&o, NULL, NULL, NULL, NULL, 0, 2, &value, NULL) == FAIRGATE_OK);
}

/* ---------------------------------------------------------------- metrics */
/* The shared example: 8 rows, 3 groups (group 2 has no rows).
 *   group 0: y 1 1 0 0, pred 1 0 1 0 -> tp 1, fn 1, fp 1, tn 1
 *   group 1: y 1 1 0 0, pred 1 1 0 0 -> tp 2, fn 0, fp 0, tn 2
 * SR 0.5 / 0.5, TPR 0.5 / 1, FPR 0.5 / 0; pooled tp 3 fn 1 fp 1 tn 3. */
static const uint8_t ex_y[8] = {1, 1, 0, 0, 1, 1, 0, 0};
static const uint8_t ex_p[8] = {1, 0, 1, 0, 1, 1, 0, 0};
static const uint32_t ex_g[8] = {0, 0, 0, 0, 1, 1, 1, 1};

static fairgate_accumulator* example_accumulator(size_t first, size_t count) {
  fairgate_accumulator* acc = NULL;
  fairgate_binary_inputs in;
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  in.n = count;
  in.y_true = ex_y + first;
  in.y_pred = ex_p + first;
  in.groups = ex_g + first;
  CHECK(fairgate_accumulator_create(3, &acc) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_OK);
  return acc;
}

static int counts_equal(const fairgate_accumulator* a, const fairgate_accumulator* b,
                        uint32_t n_groups) {
  uint32_t g;
  for (g = 0; g < n_groups; ++g) {
    fairgate_confusion_counts x, y;
    if (fairgate_accumulator_counts(a, g, &x) != FAIRGATE_OK) return 0;
    if (fairgate_accumulator_counts(b, g, &y) != FAIRGATE_OK) return 0;
    if (x.tp != y.tp || x.fp != y.fp || x.tn != y.tn || x.fn != y.fn) return 0;
  }
  return 1;
}

static void test_accumulator_counts_match_the_hand_tables(void) {
  fairgate_accumulator* acc = example_accumulator(0, 8);
  fairgate_confusion_counts c;
  uint32_t n_groups = 0;
  CHECK(fairgate_accumulator_n_groups(acc, &n_groups) == FAIRGATE_OK && n_groups == 3);
  CHECK(fairgate_accumulator_counts(acc, 0, &c) == FAIRGATE_OK);
  CHECK(c.tp == 1 && c.fn == 1 && c.fp == 1 && c.tn == 1);
  CHECK(fairgate_accumulator_counts(acc, 1, &c) == FAIRGATE_OK);
  CHECK(c.tp == 2 && c.fn == 0 && c.fp == 0 && c.tn == 2);
  CHECK(fairgate_accumulator_counts(acc, 2, &c) == FAIRGATE_OK);
  CHECK(c.tp == 0 && c.fn == 0 && c.fp == 0 && c.tn == 0);
  CHECK(fairgate_accumulator_counts(acc, 3, &c) == FAIRGATE_E_OUT_OF_RANGE);
  fairgate_accumulator_destroy(acc);
}

static void test_scores_with_a_threshold_equal_hard_predictions(void) {
  /* score >= 0.5 reproduces ex_p; the f32 0.5 sits exactly on the threshold. */
  const float s[8] = {0.9f, 0.2f, 0.5f, 0.1f, 0.7f, 0.6f, 0.4f, 0.0f};
  const int64_t y64[8] = {1, 1, 0, 0, 1, 1, 0, 0};
  const uint8_t g8[8] = {0, 0, 0, 0, 1, 1, 1, 1};
  fairgate_accumulator *a = example_accumulator(0, 8), *b = NULL;
  fairgate_binary_inputs in;
  fairgate_accumulate_options o;
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  CHECK(fairgate_accumulate_options_init(&o) == FAIRGATE_OK);
  o.threads = 2;
  in.n = 8;
  in.y_true = y64;
  in.y_true_dtype = FAIRGATE_DTYPE_I64;
  in.scores = s;
  in.scores_dtype = FAIRGATE_DTYPE_F32;
  in.groups = g8;
  in.groups_dtype = FAIRGATE_DTYPE_U8;
  CHECK(fairgate_accumulator_create(3, &b) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_add(b, &in, &o) == FAIRGATE_OK);
  CHECK(counts_equal(a, b, 3));
  fairgate_accumulator_destroy(a);
  fairgate_accumulator_destroy(b);
}

static void test_merging_shards_equals_the_whole(void) {
  fairgate_accumulator *whole = example_accumulator(0, 8), *a = example_accumulator(0, 3),
                       *b = example_accumulator(3, 5);
  CHECK(fairgate_accumulator_merge(a, b) == FAIRGATE_OK);
  CHECK(counts_equal(a, whole, 3));
  fairgate_accumulator_destroy(a);
  fairgate_accumulator_destroy(b);
  fairgate_accumulator_destroy(whole);
}

static void test_serialize_round_trips_and_detects_corruption(void) {
  fairgate_accumulator *acc = example_accumulator(0, 8), *back = NULL;
  uint8_t buf[4096];
  size_t size = 0, size2 = 0;
  CHECK(fairgate_accumulator_serialize(acc, NULL, 0, &size) == FAIRGATE_OK);
  CHECK(size > 12 && size <= sizeof buf);
  memset(buf, 0xAB, sizeof buf);
  CHECK(fairgate_accumulator_serialize(acc, buf, size - 1, &size2) == FAIRGATE_OK && size2 == size);
  CHECK(buf[0] == 0xAB); /* too small: nothing written */
  CHECK(fairgate_accumulator_serialize(acc, buf, sizeof buf, &size2) == FAIRGATE_OK &&
        size2 == size);
  CHECK(memcmp(buf, "FGMA", 4) == 0);
  CHECK(fairgate_accumulator_deserialize(buf, size, &back) == FAIRGATE_OK);
  CHECK(counts_equal(acc, back, 3));
  fairgate_accumulator_destroy(back);
  back = NULL;
  buf[size / 2] ^= 1;
  CHECK(fairgate_accumulator_deserialize(buf, size, &back) == FAIRGATE_E_VERIFICATION &&
        back == NULL);
  CHECK(fairgate_accumulator_deserialize(buf, 3, &back) == FAIRGATE_E_PARSE);
  CHECK(fairgate_accumulator_deserialize(NULL, 5, &back) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_serialize(acc, buf, sizeof buf, NULL) == FAIRGATE_E_NULL_POINTER);
  fairgate_accumulator_destroy(acc);
}

static void test_weights_are_summed_per_cell(void) {
  /* Row 0 (group 0, tp) weighs 2.5, the others 1: group 0 cells 2.5, 1, 1, 1. */
  const double w[8] = {2.5, 1, 1, 1, 1, 1, 1, 1};
  fairgate_accumulator* acc = NULL;
  fairgate_binary_inputs in;
  fairgate_metric_options o;
  fairgate_value v[3];
  double cells[4];
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  in.n = 8;
  in.y_true = ex_y;
  in.y_pred = ex_p;
  in.groups = ex_g;
  in.weights = w;
  CHECK(fairgate_accumulator_create(3, &acc) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_weights(acc, 0, cells) == FAIRGATE_OK);
  CHECK(cells[0] == 2.5 && cells[1] == 1 && cells[2] == 1 && cells[3] == 1);
  /* weighted selection rate of group 0: (2.5 + 1) / 5.5 */
  CHECK(fairgate_metric_options_init(&o) == FAIRGATE_OK);
  o.weighted = 1;
  CHECK(fairgate_metric_by_group(acc, FAIRGATE_METRIC_SELECTION_RATE, &o, v, NULL) == FAIRGATE_OK);
  CHECK(v[0].value == 3.5 / 5.5 && v[0].support == 4);
  fairgate_accumulator_destroy(acc);
}

static void test_accumulator_add_names_the_bad_row(void) {
  uint8_t y[3] = {0, 1, 2};
  const uint8_t p[3] = {0, 1, 1};
  const uint32_t g[3] = {0, 1, 5};
  const double s[3] = {0.1, NAN, 0.3};
  const double w[3] = {1, -1, 1};
  fairgate_accumulator* acc = NULL;
  fairgate_binary_inputs in;
  fairgate_confusion_counts c;
  CHECK(fairgate_accumulator_create(0, &acc) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_accumulator_create(2, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_create(2, &acc) == FAIRGATE_OK);
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  in.n = 3;
  in.y_true = y;
  in.y_pred = p;
  in.groups = g;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "y_true[2] = 2") != NULL);
  y[2] = 0;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "groups[2] = 5") != NULL);
  in.y_pred = NULL;
  in.scores = s;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_INVALID_VALUE);
  CHECK(strstr(fairgate_last_error_message(), "scores[1]") != NULL);
  in.scores = NULL;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  in.y_pred = p;
  in.groups_dtype = FAIRGATE_DTYPE_F64;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "groups_dtype") != NULL);
  in.groups_dtype = 99;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  in.groups_dtype = FAIRGATE_DTYPE_U32;
  in.weights = w;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) ==
        FAIRGATE_E_INVALID_VALUE); /* row 1 comes before row 2 */
  CHECK(strstr(fairgate_last_error_message(), "weights[1]") != NULL);
  in.weights = NULL;
  in.y_true = NULL;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_NULL_POINTER);
  in.y_true = y;
  in.struct_size = 4;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_accumulator_add(NULL, &in, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_add(acc, NULL, NULL) == FAIRGATE_E_NULL_POINTER);
  /* nothing was added by any failed call */
  CHECK(fairgate_accumulator_counts(acc, 0, &c) == FAIRGATE_OK && c.tp + c.fp + c.tn + c.fn == 0);
  fairgate_accumulator_destroy(acc);
  fairgate_accumulator_destroy(NULL);
}

static void test_merge_rejects_different_group_counts(void) {
  fairgate_accumulator *a = NULL, *b = NULL;
  CHECK(fairgate_accumulator_create(2, &a) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_create(3, &b) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_merge(a, b) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_accumulator_merge(a, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_merge(a, a) == FAIRGATE_OK);
  fairgate_accumulator_destroy(a);
  fairgate_accumulator_destroy(b);
}

static void test_metric_by_group_and_overall_match_the_hand_values(void) {
  fairgate_accumulator* acc = example_accumulator(0, 8);
  fairgate_value v[3], all;
  CHECK(fairgate_metric_by_group(acc, FAIRGATE_METRIC_TRUE_POSITIVE_RATE, NULL, v, &all) ==
        FAIRGATE_OK);
  CHECK(v[0].value == 0.5 && !v[0].undefined && v[0].support == 4);
  CHECK(v[1].value == 1.0 && !v[1].undefined);
  CHECK(isnan(v[2].value) && v[2].undefined && v[2].support == 0);
  CHECK(all.value == 0.75 && all.support == 8);
  CHECK(fairgate_metric_by_group(acc, FAIRGATE_METRIC_F1, NULL, v, NULL) == FAIRGATE_OK);
  CHECK(v[0].value == 0.5); /* 2 tp / (2 tp + fp + fn) = 2 / 4 */
  fairgate_accumulator_destroy(acc);
}

static void test_aggregates_follow_fairlearn_and_skip_empty_groups(void) {
  fairgate_accumulator* acc = example_accumulator(0, 8);
  fairgate_metric_options o;
  double v = -1;
  int32_t undefined = -1;
  CHECK(fairgate_metric_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_metric_aggregate(acc, FAIRGATE_METRIC_TRUE_POSITIVE_RATE,
                                  FAIRGATE_AGGREGATE_GROUP_MIN, &o, &v,
                                  &undefined) == FAIRGATE_OK &&
        v == 0.5 && undefined == 0);
  CHECK(fairgate_metric_aggregate(acc, FAIRGATE_METRIC_TRUE_POSITIVE_RATE,
                                  FAIRGATE_AGGREGATE_GROUP_MAX, &o, &v, NULL) == FAIRGATE_OK &&
        v == 1.0);
  CHECK(fairgate_metric_aggregate(acc, FAIRGATE_METRIC_TRUE_POSITIVE_RATE, FAIRGATE_AGGREGATE_RATIO,
                                  &o, &v, NULL) == FAIRGATE_OK &&
        v == 0.5);
  o.method = FAIRGATE_TO_OVERALL; /* max(|0.5 - 0.75|, |1 - 0.75|) */
  CHECK(fairgate_metric_aggregate(acc, FAIRGATE_METRIC_TRUE_POSITIVE_RATE,
                                  FAIRGATE_AGGREGATE_DIFFERENCE, &o, &v, NULL) == FAIRGATE_OK &&
        v == 0.25);
  o.method = 7;
  CHECK(fairgate_metric_aggregate(acc, FAIRGATE_METRIC_TRUE_POSITIVE_RATE,
                                  FAIRGATE_AGGREGATE_DIFFERENCE, &o, &v,
                                  NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "options->method = 7") != NULL);
  CHECK(fairgate_metric_aggregate(acc, 16, FAIRGATE_AGGREGATE_DIFFERENCE, NULL, &v, NULL) ==
        FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_metric_aggregate(acc, 2, 4, NULL, &v, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_metric_aggregate(acc, 2, 0, NULL, NULL, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_metric_by_group(NULL, 2, NULL, NULL, NULL) == FAIRGATE_E_NULL_POINTER);
  fairgate_accumulator_destroy(acc);
}

static void test_fairlearn_disparities_match_the_hand_values(void) {
  /* DP diff |0.5 - 0.5| = 0; EO diff max(|0.5 - 1|, |0.5 - 0|) = 0.5;
   * EO ratio min(0.5 / 1, 0 / 0.5) = 0, mean (0.5 + 0) / 2 = 0.25;
   * EOpp diff 0.5, ratio 0.5. */
  fairgate_accumulator* acc = example_accumulator(0, 8);
  fairgate_metric_options o;
  double v = -1;
  int32_t u = -1;
  CHECK(fairgate_metric_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_DEMOGRAPHIC_PARITY_DIFFERENCE, &o, &v, &u) ==
        FAIRGATE_OK);
  CHECK(v == 0.0 && u == 0);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_DEMOGRAPHIC_PARITY_RATIO, NULL, &v, &u) ==
            FAIRGATE_OK &&
        v == 1.0);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_EQUALIZED_ODDS_DIFFERENCE, &o, &v, &u) ==
            FAIRGATE_OK &&
        v == 0.5);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_EQUALIZED_ODDS_RATIO, &o, &v, &u) == FAIRGATE_OK &&
        v == 0.0);
  o.agg = FAIRGATE_EO_MEAN;
  CHECK(fairgate_disparity_value(acc, FAIRGATE_EQUALIZED_ODDS_RATIO, &o, &v, &u) == FAIRGATE_OK &&
        v == 0.25);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_EQUAL_OPPORTUNITY_DIFFERENCE, &o, &v, &u) ==
            FAIRGATE_OK &&
        v == 0.5);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_EQUAL_OPPORTUNITY_RATIO, &o, &v, &u) ==
            FAIRGATE_OK &&
        v == 0.5);
  CHECK(fairgate_disparity_value(acc, 6, &o, &v, &u) == FAIRGATE_E_INVALID_ARGUMENT);
  o.zero_division = 3;
  CHECK(fairgate_disparity_value(acc, 0, &o, &v, &u) == FAIRGATE_E_INVALID_ARGUMENT);
  fairgate_accumulator_destroy(acc);
}

static void test_an_all_empty_accumulator_gives_undefined_not_numbers(void) {
  fairgate_accumulator* acc = NULL;
  double v = 0;
  int32_t u = 0;
  CHECK(fairgate_accumulator_create(2, &acc) == FAIRGATE_OK);
  CHECK(fairgate_disparity_value(acc, FAIRGATE_DEMOGRAPHIC_PARITY_DIFFERENCE, NULL, &v, &u) ==
        FAIRGATE_OK);
  CHECK(isnan(v) && u == 1);
  fairgate_accumulator_destroy(acc);
}

static void test_aif360_metrics_compare_the_two_sides(void) {
  /* unprivileged {0} vs privileged {1}: SPD 0.5 - 0.5 = 0; DI 1;
   * AOD ((0.5 - 0) + (0.5 - 1)) / 2 = 0; AAOD (0.5 + 0.5) / 2 = 0.5;
   * EOD 0.5 - 1 = -0.5; FPR ratio 0.5 / 0 is undefined. */
  fairgate_accumulator* acc = example_accumulator(0, 8);
  const uint32_t u[1] = {0}, p[1] = {1}, bad[1] = {9};
  double v = 7;
  int32_t und = 7;
  CHECK(fairgate_aif360_value(acc, FAIRGATE_AIF360_STATISTICAL_PARITY_DIFFERENCE, u, 1, p, 1, NULL,
                              &v, &und) == FAIRGATE_OK &&
        v == 0.0 && und == 0);
  CHECK(fairgate_aif360_value(acc, FAIRGATE_AIF360_DISPARATE_IMPACT, u, 1, p, 1, NULL, &v, &und) ==
            FAIRGATE_OK &&
        v == 1.0);
  CHECK(fairgate_aif360_value(acc, FAIRGATE_AIF360_AVERAGE_ODDS_DIFFERENCE, u, 1, p, 1, NULL, &v,
                              &und) == FAIRGATE_OK &&
        v == 0.0);
  CHECK(fairgate_aif360_value(acc, FAIRGATE_AIF360_AVERAGE_ABS_ODDS_DIFFERENCE, u, 1, p, 1, NULL,
                              &v, &und) == FAIRGATE_OK &&
        v == 0.5);
  CHECK(fairgate_aif360_value(acc, FAIRGATE_AIF360_EQUAL_OPPORTUNITY_DIFFERENCE, u, 1, p, 1, NULL,
                              &v, &und) == FAIRGATE_OK &&
        v == -0.5);
  CHECK(fairgate_aif360_value(acc, FAIRGATE_AIF360_FALSE_POSITIVE_RATE_RATIO, u, 1, p, 1, NULL, &v,
                              &und) == FAIRGATE_OK &&
        isnan(v) && und == 1);
  CHECK(fairgate_aif360_value(acc, 0, u, 1, bad, 1, NULL, &v, &und) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_aif360_value(acc, 0, u, 1, u, 1, NULL, &v, &und) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_aif360_value(acc, 0, u, 0, p, 1, NULL, &v, &und) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_aif360_value(acc, 0, NULL, 1, p, 1, NULL, &v, &und) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_aif360_value(acc, 16, u, 1, p, 1, NULL, &v, &und) == FAIRGATE_E_INVALID_ARGUMENT);
  fairgate_accumulator_destroy(acc);
}

static void test_roc_auc_counts_ordered_pairs_with_ties_as_half(void) {
  /* Group 0: positives 0.9, 0.4; negatives 0.4, 0.1: pairs (0.9>0.4) 1, (0.9>0.1) 1,
   * (0.4=0.4) 1/2, (0.4>0.1) 1 -> 3.5 / 4. Group 1: only positives -> undefined.
   * Overall positives 0.9, 0.4, 0.8; negatives 0.4, 0.1 -> (2 + 1.5 + 2) / 6. */
  const double s[5] = {0.9, 0.4, 0.4, 0.1, 0.8};
  const int32_t y[5] = {1, 1, 0, 0, 1};
  const uint8_t g[5] = {0, 0, 0, 0, 1};
  const double w[5] = {1, 1, 1, 1, 1};
  int32_t bad_y[5] = {1, 1, 0, 7, 1};
  fairgate_auc_value by[2], all;
  CHECK(fairgate_roc_auc(s, FAIRGATE_DTYPE_F64, y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8, NULL,
                         0, 5, 2, by, &all) == FAIRGATE_OK);
  CHECK(by[0].auc == 3.5 / 4 && by[0].defined == 1 && by[0].n_pos == 2 && by[0].n_neg == 2);
  CHECK(isnan(by[1].auc) && by[1].defined == 0 && by[1].n_pos == 1);
  CHECK(fabs(all.auc - 5.5 / 6) < 1e-15);
  CHECK(fairgate_roc_auc(s, FAIRGATE_DTYPE_F64, y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8, w,
                         FAIRGATE_DTYPE_F64, 5, 2, by, NULL) == FAIRGATE_OK &&
        by[0].auc == 3.5 / 4);
  CHECK(fairgate_roc_auc(s, FAIRGATE_DTYPE_F64, bad_y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8,
                         NULL, 0, 5, 2, by, NULL) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "labels[3] = 7") != NULL);
  CHECK(fairgate_roc_auc(s, FAIRGATE_DTYPE_F64, y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8, NULL,
                         0, 5, 1, by, NULL) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_roc_auc(s, FAIRGATE_DTYPE_U8, y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8, NULL, 0,
                         5, 2, by, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_roc_auc(NULL, FAIRGATE_DTYPE_F64, y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8,
                         NULL, 0, 5, 2, by, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_roc_auc(s, FAIRGATE_DTYPE_F64, y, FAIRGATE_DTYPE_I32, g, FAIRGATE_DTYPE_U8, NULL,
                         0, 5, 0, by, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------ uncertainty */
static void test_wilson_interval_matches_the_hand_computation(void) {
  /* 8 of 10, z = 1.959964, z^2 = 3.841459: center (0.8 + 0.192073) / 1.384146
   * = 0.716740; half 1.959964 sqrt(0.016 + 0.009604) / 1.384146 = 0.226576;
   * [0.490164, 0.943316]. */
  fairgate_interval ci;
  CHECK(fairgate_wilson_interval_counts(8, 10, 0.95, 0, &ci) == FAIRGATE_OK);
  CHECK(ci.defined == 1 && ci.estimate == 0.8);
  CHECK(fabs(ci.lower - 0.490164) < 2e-6 && fabs(ci.upper - 0.943316) < 2e-6);
  CHECK(fairgate_wilson_interval_counts(0, 0, 0.95, 0, &ci) == FAIRGATE_OK && ci.defined == 0 &&
        isnan(ci.lower));
  CHECK(fairgate_wilson_interval_counts(11, 10, 0.95, 0, &ci) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_wilson_interval_counts(1, 10, 1.0, 0, &ci) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_wilson_interval_counts(1, 10, NAN, 0, &ci) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_wilson_interval_counts(1, 10, 0.9, 0, NULL) == FAIRGATE_E_NULL_POINTER);
}

static void test_wilson_interval_of_a_group_rate_uses_its_counts(void) {
  /* TPR of group 1 is 2 / 2: the same interval as 2 of 2. */
  fairgate_accumulator* acc = example_accumulator(0, 8);
  fairgate_interval a, b;
  CHECK(fairgate_wilson_interval(acc, 1, FAIRGATE_METRIC_TRUE_POSITIVE_RATE, 0.9, 1, &a) ==
        FAIRGATE_OK);
  CHECK(fairgate_wilson_interval_counts(2, 2, 0.9, 1, &b) == FAIRGATE_OK);
  CHECK(a.lower == b.lower && a.upper == 1.0 && a.estimate == 1.0);
  CHECK(fairgate_wilson_interval(acc, 1, FAIRGATE_METRIC_F1, 0.9, 0, &a) == FAIRGATE_E_UNSUPPORTED);
  CHECK(fairgate_wilson_interval(acc, 3, FAIRGATE_METRIC_TRUE_POSITIVE_RATE, 0.9, 0, &a) ==
        FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_wilson_interval(acc, 0, -1, 0.9, 0, &a) == FAIRGATE_E_INVALID_ARGUMENT);
  fairgate_accumulator_destroy(acc);
}

static void test_fisher_exact_matches_the_hypergeometric_sum(void) {
  /* Selection: group 0 selects 8 of 10, group 1 selects 1 of 6: table
   * [[8, 2], [1, 5]]. With N = 16, K = 10, n = 9, P(a) = C(10,a) C(6,9-a) / 11440:
   * a = 3..9 -> 120, 1260, 3780, 4200, 1800, 270, 10. P(8) = 270; the terms
   * <= 270 are a = 3, 8, 9: p = 400 / 11440. Odds ratio 8 * 5 / (2 * 1) = 20. */
  uint8_t y[16], p[16];
  uint32_t g[16];
  int i;
  fairgate_accumulator* acc = NULL;
  fairgate_binary_inputs in;
  double stat = 0, pv = 0;
  for (i = 0; i < 16; ++i) {
    y[i] = 0;
    g[i] = i < 10 ? 0u : 1u;
    p[i] = (uint8_t)(i < 8 || i == 10);
  }
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  in.n = 16;
  in.y_true = y;
  in.y_pred = p;
  in.groups = g;
  CHECK(fairgate_accumulator_create(2, &acc) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_OK);
  CHECK(fairgate_compare_groups(acc, 0, 1, FAIRGATE_METRIC_SELECTION_RATE,
                                FAIRGATE_TEST_FISHER_EXACT, FAIRGATE_TWO_SIDED, &stat,
                                &pv) == FAIRGATE_OK);
  CHECK(stat == 20.0 && fabs(pv - 400.0 / 11440.0) < 1e-12);
  /* z-test: p1 0.8, p2 1/6, pooled 9/16; z = (0.8 - 1/6) / sqrt(9/16 * 7/16 * (1/10 + 1/6)) > 0 */
  CHECK(fairgate_compare_groups(acc, 0, 1, FAIRGATE_METRIC_SELECTION_RATE, FAIRGATE_TEST_Z_POOLED,
                                FAIRGATE_TWO_SIDED, &stat, &pv) == FAIRGATE_OK);
  CHECK(fabs(stat - (0.8 - 1.0 / 6.0) / sqrt(9.0 / 16 * 7.0 / 16 * (0.1 + 1.0 / 6))) < 1e-12);
  CHECK(pv > 0 && pv < 0.05);
  CHECK(fairgate_compare_groups(acc, 0, 1, FAIRGATE_METRIC_SELECTION_RATE, 2, 0, &stat, &pv) ==
        FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_compare_groups(acc, 0, 1, FAIRGATE_METRIC_SELECTION_RATE, 0, 3, &stat, &pv) ==
        FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_compare_groups(acc, 0, 2, FAIRGATE_METRIC_SELECTION_RATE, 0, 0, &stat, &pv) ==
        FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_compare_groups(acc, 0, 1, FAIRGATE_METRIC_SELECTION_RATE, 0, 0, NULL, &pv) ==
        FAIRGATE_E_NULL_POINTER);
  fairgate_accumulator_destroy(acc);
}

static void test_mcnemar_counts_discordant_rows(void) {
  /* Group 0: 1 row baseline right / candidate wrong, 6 rows the reverse, 1
   * concordant: b = 1, c = 6, p = 2 P(X <= 1), X ~ Bin(7, 1/2) = 2 * 8 / 128.
   * Group 1: no discordant rows: p = 1. */
  const uint8_t y[10] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  const uint8_t a[10] = {1, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  const uint8_t b[10] = {0, 1, 1, 1, 1, 1, 1, 1, 0, 1};
  const uint16_t g[10] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  uint8_t bad[10];
  fairgate_mcnemar_result r[2];
  CHECK(fairgate_mcnemar_by_group(y, FAIRGATE_DTYPE_U8, a, FAIRGATE_DTYPE_U8, b, FAIRGATE_DTYPE_U8,
                                  g, FAIRGATE_DTYPE_U16, 10, 2, r) == FAIRGATE_OK);
  CHECK(r[0].b == 1 && r[0].c == 6 && r[0].statistic == 1 && r[0].p_value == 0.125);
  CHECK(r[1].b == 0 && r[1].c == 0 && r[1].p_value == 1.0);
  memcpy(bad, b, sizeof bad);
  bad[4] = 3;
  CHECK(fairgate_mcnemar_by_group(y, FAIRGATE_DTYPE_U8, a, FAIRGATE_DTYPE_U8, bad,
                                  FAIRGATE_DTYPE_U8, g, FAIRGATE_DTYPE_U16, 10, 2,
                                  r) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "y_pred[4] = 3") != NULL);
  CHECK(fairgate_mcnemar_by_group(y, FAIRGATE_DTYPE_U8, a, FAIRGATE_DTYPE_U8, b, FAIRGATE_DTYPE_U8,
                                  g, FAIRGATE_DTYPE_U16, 10, 1, r) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_mcnemar_by_group(y, FAIRGATE_DTYPE_F32, a, FAIRGATE_DTYPE_U8, b, FAIRGATE_DTYPE_U8,
                                  g, FAIRGATE_DTYPE_U16, 10, 2, r) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_mcnemar_by_group(y, FAIRGATE_DTYPE_U8, a, FAIRGATE_DTYPE_U8, b, FAIRGATE_DTYPE_U8,
                                  g, FAIRGATE_DTYPE_U16, 10, 0, r) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_mcnemar_by_group(y, FAIRGATE_DTYPE_U8, NULL, FAIRGATE_DTYPE_U8, b,
                                  FAIRGATE_DTYPE_U8, g, FAIRGATE_DTYPE_U16, 10, 2,
                                  r) == FAIRGATE_E_NULL_POINTER);
}

static void test_holm_and_bh_adjust_in_input_order(void) {
  /* p = 0.01, 0.04, 0.03, 0.005. Sorted 0.005, 0.01, 0.03, 0.04.
   * Holm: 4p, 3p, 2p, 1p = 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06;
   * rejects while p_(i) <= 0.05 / (m - i + 1): 0.005 and 0.01 only.
   * BH: p m / i = 0.02, 0.02, 0.04, 0.04 (running min from the top); all rejected. */
  const double p[4] = {0.01, 0.04, 0.03, 0.005};
  const double with_nan[3] = {0.01, NAN, 0.02};
  double adj[4];
  uint8_t rej[4];
  CHECK(fairgate_adjust_p_values(p, 4, FAIRGATE_ADJUST_HOLM, 0.05, adj, rej) == FAIRGATE_OK);
  CHECK(fabs(adj[0] - 0.03) < 1e-15 && fabs(adj[1] - 0.06) < 1e-15 && fabs(adj[2] - 0.06) < 1e-15 &&
        fabs(adj[3] - 0.02) < 1e-15);
  CHECK(rej[0] == 1 && rej[1] == 0 && rej[2] == 0 && rej[3] == 1);
  CHECK(fairgate_adjust_p_values(p, 4, FAIRGATE_ADJUST_BENJAMINI_HOCHBERG, 0.05, adj, NULL) ==
        FAIRGATE_OK);
  CHECK(fabs(adj[0] - 0.02) < 1e-15 && fabs(adj[1] - 0.04) < 1e-15 && fabs(adj[2] - 0.04) < 1e-15 &&
        fabs(adj[3] - 0.02) < 1e-15);
  /* NaN is left out of the family: m = 2, Holm 2 * 0.01, max(0.02, 0.02). */
  CHECK(fairgate_adjust_p_values(with_nan, 3, FAIRGATE_ADJUST_HOLM, 0.05, adj, rej) == FAIRGATE_OK);
  CHECK(adj[0] == 0.02 && isnan(adj[1]) && adj[2] == 0.02 && rej[1] == 0);
  adj[0] = 1.5;
  CHECK(fairgate_adjust_p_values(adj, 1, 0, 0.05, adj + 1, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_adjust_p_values(p, 4, 2, 0.05, adj, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_adjust_p_values(p, 4, 0, 0.0, adj, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_adjust_p_values(p, 4, 0, 0.05, NULL, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_adjust_p_values(NULL, 0, 0, 0.05, NULL, NULL) == FAIRGATE_OK);
}

static void test_bootstrap_is_reproducible_and_brackets_the_replicates(void) {
  fairgate_accumulator* acc = example_accumulator(0, 8);
  fairgate_bootstrap_options o;
  fairgate_metric_options m;
  fairgate_interval a, b, c;
  uint32_t und = 99;
  CHECK(fairgate_bootstrap_options_init(&o) == FAIRGATE_OK);
  CHECK(o.replicates == 1000 && o.confidence == 0.95);
  o.seed = 42;
  o.replicates = 200;
  CHECK(fairgate_bootstrap_disparity(acc, FAIRGATE_EQUALIZED_ODDS_DIFFERENCE, NULL, &o, &a, &und) ==
        FAIRGATE_OK);
  CHECK(fairgate_bootstrap_disparity(acc, FAIRGATE_EQUALIZED_ODDS_DIFFERENCE, NULL, &o, &b, NULL) ==
        FAIRGATE_OK);
  CHECK(a.estimate == 0.5 && a.lower == b.lower && a.upper == b.upper);
  CHECK(a.lower <= a.upper && a.lower >= 0.0 && a.upper <= 1.0 && und <= 200);
  o.seed = 43;
  CHECK(fairgate_bootstrap_disparity(acc, FAIRGATE_EQUALIZED_ODDS_DIFFERENCE, NULL, &o, &c, NULL) ==
        FAIRGATE_OK);
  CHECK(c.estimate == a.estimate);
  o.replicates = 0;
  CHECK(fairgate_bootstrap_disparity(acc, 0, NULL, &o, &c, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  o.replicates = 10;
  CHECK(fairgate_bootstrap_disparity(acc, 9, NULL, &o, &c, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_metric_options_init(&m) == FAIRGATE_OK);
  m.weighted = 1;
  CHECK(fairgate_bootstrap_disparity(acc, 0, &m, &o, &c, NULL) == FAIRGATE_E_UNSUPPORTED);
  o.struct_size = 3;
  CHECK(fairgate_bootstrap_disparity(acc, 0, NULL, &o, &c, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_bootstrap_disparity(acc, 0, NULL, NULL, &c, NULL) == FAIRGATE_E_NULL_POINTER);
  fairgate_accumulator_destroy(acc);
}

/* ------------------------------------------------------ pruning, quantization */
static fairgate_tensor tensor_f32(float* data, size_t rank, const int64_t* shape) {
  fairgate_tensor t;
  t.data = data;
  t.dtype = FAIRGATE_DTYPE_F32;
  t.rank = rank;
  t.shape = shape;
  t.strides = NULL;
  return t;
}

static void test_l1_unstructured_prunes_the_smallest_magnitudes(void) {
  /* |w| = 0.5, 0.1, 0.3, 0.7; half of 4 = 2 pruned: indices 1 and 2. Again
   * with that mask: 2 eligible, round(1) = 1 more: index 0 (0.5 < 0.7). */
  float w[4] = {0.5f, -0.1f, 0.3f, -0.7f};
  const int64_t shape[1] = {4};
  fairgate_tensor t = tensor_f32(w, 1, shape);
  uint8_t m1[4], m2[4], bad[4] = {1, 2, 1, 1};
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, NULL, m1) == FAIRGATE_OK);
  CHECK(m1[0] == 1 && m1[1] == 0 && m1[2] == 0 && m1[3] == 1);
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, m1, m2) == FAIRGATE_OK);
  CHECK(m2[0] == 0 && m2[1] == 0 && m2[2] == 0 && m2[3] == 1);
  CHECK(fairgate_prune_l1_unstructured(&t, 3, 1, NULL, m2) == FAIRGATE_OK);
  CHECK(m2[0] == 0 && m2[1] == 0 && m2[2] == 0 && m2[3] == 1);
  CHECK(fairgate_prune_l1_unstructured(&t, 5, 1, NULL, m2) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_prune_l1_unstructured(&t, 1.5, 1, NULL, m2) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_prune_l1_unstructured(&t, 1.5, 0, NULL, m2) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_prune_l1_unstructured(&t, NAN, 0, NULL, m2) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, bad, m2) == FAIRGATE_E_INVALID_VALUE);
  CHECK(strstr(fairgate_last_error_message(), "existing_mask[1] = 2") != NULL);
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, NULL, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_prune_l1_unstructured(NULL, 0.5, 0, NULL, m2) == FAIRGATE_E_NULL_POINTER);
  w[2] = NAN;
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, NULL, m2) == FAIRGATE_E_INVALID_VALUE);
  t.dtype = FAIRGATE_DTYPE_U8;
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, NULL, m2) == FAIRGATE_E_INVALID_ARGUMENT);
  t.dtype = FAIRGATE_DTYPE_F32;
  t.rank = 9;
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, NULL, m2) == FAIRGATE_E_INVALID_ARGUMENT);
  t.rank = 1;
  t.data = NULL;
  CHECK(fairgate_prune_l1_unstructured(&t, 0.5, 0, NULL, m2) == FAIRGATE_E_NULL_POINTER);
}

static void test_global_l1_uses_one_threshold_over_all_tensors(void) {
  /* |w| over both: 0.5, 0.1 | 0.3, 0.7, 0.05; the 2 smallest are 0.05 (t2[2]) and 0.1 (t1[1]). */
  float a[2] = {0.5f, -0.1f}, b[3] = {0.3f, -0.7f, 0.05f};
  const int64_t sa[1] = {2}, sb[1] = {3};
  fairgate_tensor ts[2];
  uint8_t ma[2], mb[3];
  uint8_t* outs[2];
  const uint8_t keep_a[2] = {0, 1};
  const uint8_t* existing[2];
  outs[0] = ma;
  outs[1] = mb;
  ts[0] = tensor_f32(a, 1, sa);
  ts[1] = tensor_f32(b, 1, sb);
  CHECK(fairgate_prune_global_l1_unstructured(ts, 2, 2, 1, NULL, outs) == FAIRGATE_OK);
  CHECK(ma[0] == 1 && ma[1] == 0 && mb[0] == 1 && mb[1] == 1 && mb[2] == 0);
  /* a[0] already pruned: of the 4 eligible, the 2 smallest are 0.05 and 0.1. */
  existing[0] = keep_a;
  existing[1] = NULL;
  CHECK(fairgate_prune_global_l1_unstructured(ts, 2, 0.5, 0, existing, outs) == FAIRGATE_OK);
  CHECK(ma[0] == 0 && ma[1] == 0 && mb[0] == 1 && mb[1] == 1 && mb[2] == 0);
  outs[1] = NULL;
  CHECK(fairgate_prune_global_l1_unstructured(ts, 2, 2, 1, NULL, outs) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_prune_global_l1_unstructured(NULL, 2, 2, 1, NULL, outs) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_prune_global_l1_unstructured(NULL, 0, 0, 1, NULL, NULL) == FAIRGATE_OK);
}

static void test_n_m_keeps_the_largest_n_of_every_m(void) {
  /* 2:4 along axis 1 of [2, 4]: row 0 keeps 0.9, 0.4; row 1 keeps 5, -3. */
  float w[8] = {0.1f, -0.9f, 0.4f, 0.2f, 1.0f, 5.0f, -3.0f, 0.0f};
  const int64_t shape[2] = {2, 4};
  fairgate_tensor t = tensor_f32(w, 2, shape);
  uint8_t m[8];
  CHECK(fairgate_prune_n_m(&t, 2, 4, 1, NULL, m) == FAIRGATE_OK);
  CHECK(m[0] == 0 && m[1] == 1 && m[2] == 1 && m[3] == 0 && m[4] == 0 && m[5] == 1 && m[6] == 1 &&
        m[7] == 0);
  CHECK(fairgate_prune_n_m(&t, 2, 3, 1, NULL, m) == FAIRGATE_E_INVALID_ARGUMENT); /* 4 % 3 != 0 */
  CHECK(fairgate_prune_n_m(&t, 4, 4, 1, NULL, m) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_prune_n_m(&t, 2, 4, 2, NULL, m) == FAIRGATE_E_INVALID_ARGUMENT);
}

static void test_ln_structured_prunes_whole_slices(void) {
  /* Rows of [3, 2]: L2 norms sqrt(2), sqrt(0.02), sqrt(8): one row -> row 1. */
  float w[6] = {1.0f, 1.0f, 0.1f, 0.1f, 2.0f, -2.0f};
  const int64_t shape[2] = {3, 2};
  fairgate_tensor t = tensor_f32(w, 2, shape);
  uint8_t m[6];
  CHECK(fairgate_prune_ln_structured(&t, 1, 1, FAIRGATE_NORM_L2, 0, NULL, m) == FAIRGATE_OK);
  CHECK(m[0] == 1 && m[1] == 1 && m[2] == 0 && m[3] == 0 && m[4] == 1 && m[5] == 1);
  /* Columns by L1: 3.1 and 3.1 tie -> the lower index (column 0) goes. */
  CHECK(fairgate_prune_ln_structured(&t, 1, 1, FAIRGATE_NORM_L1, 1, NULL, m) == FAIRGATE_OK);
  CHECK(m[0] == 0 && m[1] == 1 && m[2] == 0 && m[3] == 1 && m[4] == 0 && m[5] == 1);
  CHECK(fairgate_prune_ln_structured(&t, 1, 1, 0, 0, NULL, m) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_prune_ln_structured(&t, 1, 1, 2, 5, NULL, m) == FAIRGATE_E_INVALID_ARGUMENT);
}

static void test_quantize_rounds_and_clamps_as_documented(void) {
  /* scale 0.5, zero point 0, int8: x / scale = -2, 0.6, 0.5, 200 ->
   * half to even -2, 1, 0, 127 (clamped); half away from zero -2, 1, 1, 127.
   * Dequantized: -1, 0.5, 0, 63.5. */
  float x[4] = {-1.0f, 0.3f, 0.25f, 100.0f}, y[4];
  const int64_t shape[1] = {4};
  fairgate_tensor tx = tensor_f32(x, 1, shape), ty = tensor_f32(y, 1, shape);
  const float scale = 0.5f;
  const int32_t zp = 0, bad_zp = 300;
  uint8_t q[4];
  fairgate_quant_options o;
  CHECK(fairgate_quant_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 1, q, 4) == FAIRGATE_OK);
  CHECK((int8_t)q[0] == -2 && q[1] == 1 && q[2] == 0 && q[3] == 127);
  o.rounding = FAIRGATE_ROUND_HALF_AWAY_FROM_ZERO;
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 1, q, 4) == FAIRGATE_OK);
  CHECK((int8_t)q[0] == -2 && q[1] == 1 && q[2] == 1 && q[3] == 127);
  o.rounding = FAIRGATE_ROUND_HALF_TO_EVEN;
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 1, q, 4) == FAIRGATE_OK);
  CHECK(fairgate_dequantize(q, 4, &o, &scale, &zp, 1, &ty) == FAIRGATE_OK);
  CHECK(y[0] == -1.0f && y[1] == 0.5f && y[2] == 0.0f && y[3] == 63.5f);
  CHECK(fairgate_fake_quantize(&tx, &o, &scale, &zp, 1, &tx) == FAIRGATE_OK); /* in place */
  CHECK(memcmp(x, y, sizeof x) == 0);
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 1, q, 3) == FAIRGATE_E_LENGTH_MISMATCH);
  CHECK(fairgate_quantize(&tx, &o, &scale, &bad_zp, 1, q, 4) != FAIRGATE_OK);
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 2, q, 4) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_quantize(&tx, &o, NULL, &zp, 1, q, 4) == FAIRGATE_E_NULL_POINTER);
  o.qtype = 4;
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 1, q, 4) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "options->qtype = 4") != NULL);
  CHECK(fairgate_quant_options_init(&o) == FAIRGATE_OK);
  x[1] = NAN;
  CHECK(fairgate_quantize(&tx, &o, &scale, &zp, 1, q, 4) == FAIRGATE_E_INVALID_VALUE);
}

static void test_quant_params_follow_the_symmetric_rule_per_channel(void) {
  /* torch per_channel_symmetric int8: scale_c = max|x_c| / ((127 - (-128)) / 2), zero point 0.
   * Channel 0 (row 0): max |x| = 1; channel 1: 0.2. */
  float x[4] = {-1.0f, 0.5f, 0.2f, 0.1f};
  const int64_t shape[2] = {2, 2};
  fairgate_tensor t = tensor_f32(x, 2, shape);
  fairgate_quant_options o;
  float scales[2] = {-1, -1};
  int32_t zps[2] = {-1, -1};
  size_t channels = 0;
  CHECK(fairgate_quant_options_init(&o) == FAIRGATE_OK);
  o.axis = 0;
  CHECK(fairgate_quant_params(&t, &o, NULL, NULL, 0, &channels) == FAIRGATE_OK && channels == 2);
  CHECK(fairgate_quant_params(&t, &o, scales, zps, 2, &channels) == FAIRGATE_OK);
  CHECK(scales[0] == 1.0f / 127.5f && scales[1] == 0.2f / 127.5f && zps[0] == 0 && zps[1] == 0);
  o.axis = 2;
  CHECK(fairgate_quant_params(&t, &o, scales, zps, 2, &channels) == FAIRGATE_E_INVALID_ARGUMENT);
  o.axis = 0;
  o.scale_rule = 9;
  CHECK(fairgate_quant_params(&t, &o, scales, zps, 2, &channels) == FAIRGATE_E_INVALID_ARGUMENT);
  o.scale_rule = 0;
  o.struct_size = 2;
  CHECK(fairgate_quant_params(&t, &o, scales, zps, 2, &channels) == FAIRGATE_E_INVALID_ARGUMENT);
}

int main(void) {
  test_versions_agree_with_header();
  test_status_names_cover_every_status();
  test_null_arguments_give_a_status_and_a_message();
  test_success_clears_the_last_error();
  test_purpose_tag_is_fnv1a32_of_the_name();
  test_stream_seek_and_fill_agree();
  test_two_handles_with_the_same_key_agree();
  test_penalty_matches_a_hand_computation();
  test_penalty_rejects_bad_input_without_writing();
  test_penalty_f32_matches_a_hand_computation();
  test_penalty_f32_agrees_with_the_f64_entry();
  test_penalty_f32_rejects_bad_input_without_writing();
  test_accumulator_counts_match_the_hand_tables();
  test_scores_with_a_threshold_equal_hard_predictions();
  test_merging_shards_equals_the_whole();
  test_serialize_round_trips_and_detects_corruption();
  test_weights_are_summed_per_cell();
  test_accumulator_add_names_the_bad_row();
  test_merge_rejects_different_group_counts();
  test_metric_by_group_and_overall_match_the_hand_values();
  test_aggregates_follow_fairlearn_and_skip_empty_groups();
  test_fairlearn_disparities_match_the_hand_values();
  test_an_all_empty_accumulator_gives_undefined_not_numbers();
  test_aif360_metrics_compare_the_two_sides();
  test_roc_auc_counts_ordered_pairs_with_ties_as_half();
  test_wilson_interval_matches_the_hand_computation();
  test_wilson_interval_of_a_group_rate_uses_its_counts();
  test_fisher_exact_matches_the_hypergeometric_sum();
  test_mcnemar_counts_discordant_rows();
  test_holm_and_bh_adjust_in_input_order();
  test_bootstrap_is_reproducible_and_brackets_the_replicates();
  test_l1_unstructured_prunes_the_smallest_magnitudes();
  test_global_l1_uses_one_threshold_over_all_tensors();
  test_n_m_keeps_the_largest_n_of_every_m();
  test_ln_structured_prunes_whole_slices();
  test_quantize_rounds_and_clamps_as_documented();
  test_quant_params_follow_the_symmetric_rule_per_channel();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
