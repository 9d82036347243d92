/* Accumulators with score statistics over the C ABI, in C99 against fairgate.h
 * only: creation with options, calibration (ECE, MCE, CITL, reliability bins),
 * the binned ROC AUC, merge == whole and format-v2 round trips, and every
 * error path with its outputs left untouched. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <fairgate/fairgate.h>

#include "check.h"

/* ---- helpers ------------------------------------------------------------ */

static fairgate_accumulator* make_acc(uint32_t n_groups, uint32_t cal_bins, uint32_t hist_bins) {
  fairgate_accumulator* acc = NULL;
  fairgate_accumulator_options o;
  CHECK(fairgate_accumulator_options_init(&o) == FAIRGATE_OK);
  o.calibration_bins = cal_bins;
  o.histogram_bins = hist_bins;
  CHECK(fairgate_accumulator_create_with_options(n_groups, &o, &acc) == FAIRGATE_OK);
  return acc;
}

static fairgate_status add_rows(fairgate_accumulator* acc, const double* s, const uint8_t* y,
                                const uint32_t* g, const double* w, size_t n) {
  fairgate_binary_inputs in;
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  in.n = n;
  in.y_true = y;
  in.scores = s;
  in.groups = g;
  in.weights = w;
  return fairgate_accumulator_add(acc, &in, NULL);
}

/* Serialised bytes of an accumulator into buf (capacity cap); returns the size. */
static size_t bytes_of(const fairgate_accumulator* acc, uint8_t* buf, size_t cap) {
  size_t size = 0;
  CHECK(fairgate_accumulator_serialize(acc, NULL, 0, &size) == FAIRGATE_OK);
  CHECK(size <= cap);
  CHECK(fairgate_accumulator_serialize(acc, buf, cap, &size) == FAIRGATE_OK);
  return size;
}

/* Every score-statistics result of two accumulators is identical bit for bit
 * (memcmp: NaN == NaN; both have n_groups groups and the given bin count). */
static int results_identical(const fairgate_accumulator* a, const fairgate_accumulator* b,
                             uint32_t n_groups, uint32_t cal_bins) {
  fairgate_calibration_summary sa[8], sb[8], oa, ob;
  fairgate_calibration_bin ba[64], bb[64];
  fairgate_auc_value aa[8], ab[8], xa, xb;
  size_t na = 0, nb = 0;
  uint32_t g;
  memset(sa, 0, sizeof sa);
  memset(sb, 0, sizeof sb);
  memset(&oa, 0, sizeof oa);
  memset(&ob, 0, sizeof ob);
  memset(aa, 0, sizeof aa);
  memset(ab, 0, sizeof ab);
  memset(&xa, 0, sizeof xa);
  memset(&xb, 0, sizeof xb);
  if (fairgate_accumulator_calibration(a, sa, &oa) != FAIRGATE_OK) return 0;
  if (fairgate_accumulator_calibration(b, sb, &ob) != FAIRGATE_OK) return 0;
  if (memcmp(sa, sb, n_groups * sizeof sa[0]) != 0 || memcmp(&oa, &ob, sizeof oa) != 0) return 0;
  for (g = 0; g <= n_groups; ++g) {
    const uint32_t which = g == n_groups ? FAIRGATE_GROUP_OVERALL : g;
    memset(ba, 0, sizeof ba);
    memset(bb, 0, sizeof bb);
    if (fairgate_accumulator_reliability_bins(a, which, ba, 64, &na) != FAIRGATE_OK) return 0;
    if (fairgate_accumulator_reliability_bins(b, which, bb, 64, &nb) != FAIRGATE_OK) return 0;
    if (na != cal_bins || nb != cal_bins || memcmp(ba, bb, na * sizeof ba[0]) != 0) return 0;
  }
  if (fairgate_accumulator_roc_auc_binned(a, aa, &xa) != FAIRGATE_OK) return 0;
  if (fairgate_accumulator_roc_auc_binned(b, ab, &xb) != FAIRGATE_OK) return 0;
  return memcmp(aa, ab, n_groups * sizeof aa[0]) == 0 && memcmp(&xa, &xb, sizeof xa) == 0;
}

/* ---- the hand-computed case ------------------------------------------- */

/* Two groups, 2 calibration bins (edges 0, 0.5, 1: bin 0 = [0, 0.5], bin 1 =
 * (0.5, 1]) and 4 histogram bins on [0, 1] ([0,.25) [.25,.5) [.5,.75) [.75,1]).
 * Dyadic scores, so every mean below is exact in binary. */
static const double hs[6] = {0.25, 0.375, 0.75, 0.625, 0.5, 1.0};
static const uint8_t hy[6] = {0, 1, 1, 1, 0, 1};
static const uint32_t hg[6] = {0, 0, 0, 0, 1, 1};

static void test_ece_mce_and_citl_match_the_hand_computation(void) {
  fairgate_accumulator* acc = make_acc(2, 2, 4);
  fairgate_calibration_summary by[2], all;
  fairgate_calibration_bin bins[2];
  size_t n = 0;
  CHECK(add_rows(acc, hs, hy, hg, NULL, 6) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_calibration(acc, by, &all) == FAIRGATE_OK);
  /* Group 0:
   *   bin 0: p = 0.25 (y 0), 0.375 (y 1): mean_pred 0.3125, frac_pos 0.5, gap 0.1875
   *   bin 1: p = 0.75 (y 1), 0.625 (y 1): mean_pred 0.6875, frac_pos 1.0, gap 0.3125
   *   ECE = 2/4 * 0.1875 + 2/4 * 0.3125 = 0.25; MCE = 0.3125
   *   CITL = mean score 2/4 - base rate 3/4 = -0.25 */
  CHECK(by[0].defined == 1 && by[0].count == 4 && by[0].weight == 4.0);
  CHECK(by[0].ece == 0.25 && by[0].mce == 0.3125);
  CHECK(by[0].mean_score == 0.5 && by[0].base_rate == 0.75);
  CHECK(by[0].calibration_in_the_large == -0.25);
  /* Group 1: p = 0.5 sits on the inner edge, so it goes to bin 0 (sklearn's
   * searchsorted side='left'); p = 1.0 to bin 1.
   *   bin 0: mean 0.5, frac 0, gap 0.5; bin 1: mean 1, frac 1, gap 0
   *   ECE = 1/2 * 0.5 + 1/2 * 0 = 0.25; MCE = 0.5; CITL = 0.75 - 0.5 = 0.25 */
  CHECK(by[1].ece == 0.25 && by[1].mce == 0.5 && by[1].calibration_in_the_large == 0.25);
  /* Overall: bin 0 = {0.25 y0, 0.375 y1, 0.5 y0}: mean 1.125/3 = 0.375, frac 1/3, gap 1/24;
   *          bin 1 = {0.75, 0.625, 1.0}, all y1:  mean 2.375/3,         frac 1,   gap 5/24;
   *   ECE = 3/6 * 1/24 + 3/6 * 5/24 = 1/8; MCE = 5/24; CITL = 3.5/6 - 4/6 = -1/12
   * (thirds are inexact in binary: compared to 1e-15). */
  CHECK(all.count == 6 && fabs(all.ece - 0.125) < 1e-15);
  CHECK(fabs(all.mce - 5.0 / 24.0) < 1e-15);
  CHECK(fabs(all.calibration_in_the_large + 1.0 / 12.0) < 1e-15);
  /* Group 0's reliability bins as sklearn's calibration_curve gives them. */
  CHECK(fairgate_accumulator_reliability_bins(acc, 0, bins, 2, &n) == FAIRGATE_OK && n == 2);
  CHECK(bins[0].lower == 0.0 && bins[0].upper == 0.5 && bins[1].upper == 1.0);
  CHECK(bins[0].count == 2 && bins[0].nonempty == 1);
  CHECK(bins[0].mean_predicted == 0.3125 && bins[0].fraction_positive == 0.5);
  CHECK(bins[1].mean_predicted == 0.6875 && bins[1].fraction_positive == 1.0);
  fairgate_accumulator_destroy(acc);
}

static void test_binned_auc_counts_pairs_in_one_bin_as_half(void) {
  fairgate_accumulator* acc = make_acc(2, 2, 4);
  fairgate_auc_value by[2], all;
  CHECK(add_rows(acc, hs, hy, hg, NULL, 6) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_roc_auc_binned(acc, by, &all) == FAIRGATE_OK);
  /* Histogram bins: 0.25, 0.375 -> bin 1; 0.5, 0.625 -> bin 2; 0.75, 1.0 -> bin 3.
   * Group 0: negative 0.25 (bin 1); positives 0.375 (bin 1), 0.75 (3), 0.625 (2):
   *   pairs 1/2 + 1 + 1 over 3 -> AUC 2.5/3 (the exact AUC is 1; the documented
   *   bound sum_b P_b N_b / (2PN) = 1/6 is met with equality).
   * Group 1: negative 0.5 (bin 2), positive 1.0 (bin 3): AUC 1.
   * Overall: negatives in bins 1, 2; positives in bins 1, 3, 2, 3:
   *   bin 1 positive: 1/2 + 0; bin 2 positive: 1 + 1/2; two bin 3 positives: 2 + 2
   *   -> 6 / 8 = 0.75. */
  CHECK(by[0].defined == 1 && by[0].n_pos == 3 && by[0].n_neg == 1);
  CHECK(fabs(by[0].auc - 2.5 / 3.0) < 1e-15);
  CHECK(by[1].auc == 1.0 && all.auc == 0.75 && all.n_pos == 4 && all.n_neg == 2);
  fairgate_accumulator_destroy(acc);
}

static void test_a_group_without_rows_is_undefined_not_an_error(void) {
  fairgate_accumulator* acc = make_acc(3, 2, 4);
  fairgate_calibration_summary by[3];
  fairgate_auc_value auc[3];
  CHECK(add_rows(acc, hs, hy, hg, NULL, 6) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_calibration(acc, by, NULL) == FAIRGATE_OK);
  CHECK(by[2].defined == 0 && by[2].count == 0 && isnan(by[2].ece) && isnan(by[2].mce));
  CHECK(fairgate_accumulator_roc_auc_binned(acc, auc, NULL) == FAIRGATE_OK);
  CHECK(auc[2].defined == 0 && isnan(auc[2].auc));
  fairgate_accumulator_destroy(acc);
}

/* ---- merge, serialisation --------------------------------------------- */

/* A fixed pseudo-random data set (64-bit LCG, Knuth's MMIX constants). */
#define NR 600
static double rs[NR], rw[NR];
static uint8_t ry[NR];
static uint32_t rg[NR];

static void make_random_rows(void) {
  uint64_t x = 12345;
  size_t i;
  for (i = 0; i < NR; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    rs[i] = (double)(x >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
    if (i % 97 == 0) rs[i] = 1.0;                           /* the closed top edge */
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    ry[i] = (uint8_t)((double)(x >> 11) * (1.0 / 9007199254740992.0) < rs[i]);
    rg[i] = (uint32_t)((x >> 40) % 3u);
    rw[i] = 0.25 + (double)((x >> 20) % 1000u) / 37.0;
  }
}

static void merge_equals_whole(const double* w) {
  fairgate_accumulator *whole = make_acc(3, 10, 50), *a = make_acc(3, 10, 50),
                       *b = make_acc(3, 10, 50);
  static uint8_t bw[1 << 16], bm[1 << 16];
  size_t sw, sm;
  CHECK(add_rows(whole, rs, ry, rg, w, NR) == FAIRGATE_OK);
  /* An uneven split; shard b gets its rows in two batches. */
  CHECK(add_rows(a, rs, ry, rg, w, 217) == FAIRGATE_OK);
  CHECK(add_rows(b, rs + 217, ry + 217, rg + 217, w ? w + 217 : NULL, 100) == FAIRGATE_OK);
  CHECK(add_rows(b, rs + 317, ry + 317, rg + 317, w ? w + 317 : NULL, NR - 317) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_merge(b, a) == FAIRGATE_OK); /* merge order reversed */
  CHECK(results_identical(whole, b, 3, 10));
  sw = bytes_of(whole, bw, sizeof bw);
  sm = bytes_of(b, bm, sizeof bm);
  CHECK(sw == sm && memcmp(bw, bm, sw) == 0);
  fairgate_accumulator_destroy(whole);
  fairgate_accumulator_destroy(a);
  fairgate_accumulator_destroy(b);
}

static void test_merging_two_shards_equals_the_whole_bit_for_bit(void) {
  merge_equals_whole(NULL);
  merge_equals_whole(rw);
}

static void test_serialize_round_trips_format_v2(void) {
  fairgate_accumulator *acc = make_acc(3, 10, 50), *back = NULL;
  static uint8_t buf[1 << 16], buf2[1 << 16];
  size_t size, size2;
  fairgate_accumulator_options o;
  CHECK(add_rows(acc, rs, ry, rg, rw, NR) == FAIRGATE_OK);
  size = bytes_of(acc, buf, sizeof buf);
  CHECK(memcmp(buf, "FGMA", 4) == 0 && buf[4] == 2 && buf[5] == 0); /* u16 LE version 2 */
  CHECK(fairgate_accumulator_deserialize(buf, size, &back) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_get_options(back, &o) == FAIRGATE_OK);
  CHECK(o.calibration_bins == 10 && o.histogram_bins == 50);
  CHECK(o.histogram_min == 0.0 && o.histogram_max == 1.0);
  CHECK(results_identical(acc, back, 3, 10));
  size2 = bytes_of(back, buf2, sizeof buf2);
  CHECK(size2 == size && memcmp(buf, buf2, size) == 0);
  /* The deserialised accumulator merges with a live one. */
  CHECK(fairgate_accumulator_merge(back, acc) == FAIRGATE_OK);
  fairgate_accumulator_destroy(back);
  back = NULL;
  /* Truncated or corrupted v2 bytes are refused. */
  CHECK(fairgate_accumulator_deserialize(buf, size - 9, &back) != FAIRGATE_OK && back == NULL);
  buf[size / 2] ^= 0x10;
  CHECK(fairgate_accumulator_deserialize(buf, size, &back) == FAIRGATE_E_VERIFICATION &&
        back == NULL);
  fairgate_accumulator_destroy(acc);
}

static void test_without_score_statistics_the_format_stays_v1(void) {
  fairgate_accumulator *acc = NULL, *plain = NULL;
  uint8_t b1[512], b2[512];
  size_t s1, s2;
  fairgate_accumulator_options o;
  CHECK(fairgate_accumulator_options_init(&o) == FAIRGATE_OK);
  CHECK(o.struct_size == sizeof o && o.calibration_bins == 0 && o.histogram_bins == 0);
  CHECK(fairgate_accumulator_create_with_options(3, &o, &acc) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_create(3, &plain) == FAIRGATE_OK);
  CHECK(add_rows(acc, rs, ry, rg, NULL, 50) == FAIRGATE_OK);
  CHECK(add_rows(plain, rs, ry, rg, NULL, 50) == FAIRGATE_OK);
  s1 = bytes_of(acc, b1, sizeof b1);
  s2 = bytes_of(plain, b2, sizeof b2);
  CHECK(s1 == s2 && memcmp(b1, b2, s1) == 0 && b1[4] == 1);
  fairgate_accumulator_destroy(acc);
  fairgate_accumulator_destroy(plain);
  CHECK(fairgate_accumulator_create_with_options(2, NULL, &acc) == FAIRGATE_OK);
  fairgate_accumulator_destroy(acc);
}

/* ---- errors ------------------------------------------------------------- */

static void test_bad_options_are_refused_and_out_is_untouched(void) {
  fairgate_accumulator* const sentinel = (fairgate_accumulator*)&rs[0];
  fairgate_accumulator* out = sentinel;
  fairgate_accumulator_options o;
  CHECK(fairgate_accumulator_options_init(NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_create_with_options(2, &o, NULL) == FAIRGATE_E_NULL_POINTER);
  o.struct_size = 4;
  CHECK(fairgate_accumulator_create_with_options(2, &o, &out) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "struct_size") != NULL && out == sentinel);
  CHECK(fairgate_accumulator_options_init(&o) == FAIRGATE_OK);
  o.calibration_bins = 65537;
  CHECK(fairgate_accumulator_create_with_options(2, &o, &out) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(out == sentinel);
  o.calibration_bins = 0;
  o.histogram_bins = 10;
  o.histogram_min = 1.0;
  o.histogram_max = 1.0;
  CHECK(fairgate_accumulator_create_with_options(2, &o, &out) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "range") != NULL && out == sentinel);
  o.histogram_min = NAN;
  CHECK(fairgate_accumulator_create_with_options(2, &o, &out) == FAIRGATE_E_INVALID_ARGUMENT);
  o.histogram_min = -INFINITY;
  CHECK(fairgate_accumulator_create_with_options(2, &o, &out) == FAIRGATE_E_INVALID_ARGUMENT);
  o.histogram_min = 0.0;
  CHECK(fairgate_accumulator_create_with_options(0, &o, &out) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(out == sentinel);
}

static void test_adding_rows_checks_what_the_statistics_need(void) {
  fairgate_accumulator *acc = make_acc(2, 4, 0), *hist = make_acc(2, 0, 4);
  const uint8_t pred[2] = {1, 0}, y[2] = {1, 0};
  const uint32_t g[2] = {0, 1};
  const double bad[2] = {0.5, 1.5};
  uint8_t before[4096], after[4096];
  size_t s0, s1;
  fairgate_binary_inputs in;
  fairgate_confusion_counts c;
  s0 = bytes_of(acc, before, sizeof before);
  /* Hard predictions cannot feed calibration bins or a histogram. */
  CHECK(fairgate_binary_inputs_init(&in) == FAIRGATE_OK);
  in.n = 2;
  in.y_true = y;
  in.y_pred = pred;
  in.groups = g;
  CHECK(fairgate_accumulator_add(acc, &in, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "scores") != NULL);
  CHECK(fairgate_accumulator_add(hist, &in, NULL) == FAIRGATE_E_INVALID_ARGUMENT);
  /* A score above 1 with calibration bins: the row is named, nothing added. */
  CHECK(add_rows(acc, bad, y, g, NULL, 2) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "[1]") != NULL);
  s1 = bytes_of(acc, after, sizeof after);
  CHECK(s0 == s1 && memcmp(before, after, s0) == 0);
  /* A histogram alone clamps it into the last bin. */
  CHECK(add_rows(hist, bad, y, g, NULL, 2) == FAIRGATE_OK);
  CHECK(fairgate_accumulator_counts(hist, 1, &c) == FAIRGATE_OK && c.fp == 1);
  fairgate_accumulator_destroy(acc);
  fairgate_accumulator_destroy(hist);
}

static void test_result_errors_leave_every_output_untouched(void) {
  fairgate_accumulator *plain = NULL, *cal = make_acc(2, 2, 0), *hist = make_acc(2, 0, 4);
  fairgate_calibration_summary by[2], all, by0[2], all0;
  fairgate_calibration_bin bins[2], bins0[2];
  fairgate_auc_value auc[2], xall, auc0[2], xall0;
  fairgate_accumulator_options o, o0;
  size_t n = 777;
  CHECK(fairgate_accumulator_create(2, &plain) == FAIRGATE_OK);
  memset(by, 0x5A, sizeof by);
  memset(&all, 0x5A, sizeof all);
  memset(bins, 0x5A, sizeof bins);
  memset(auc, 0x5A, sizeof auc);
  memset(&xall, 0x5A, sizeof xall);
  memcpy(by0, by, sizeof by);
  memcpy(&all0, &all, sizeof all);
  memcpy(bins0, bins, sizeof bins);
  memcpy(auc0, auc, sizeof auc);
  memcpy(&xall0, &xall, sizeof xall);
  /* No calibration bins / no histogram. */
  CHECK(fairgate_accumulator_calibration(plain, by, &all) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "calibration bins") != NULL);
  CHECK(fairgate_accumulator_calibration(hist, by, &all) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_accumulator_reliability_bins(hist, 0, bins, 2, &n) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_accumulator_roc_auc_binned(plain, auc, &xall) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "histogram") != NULL);
  CHECK(fairgate_accumulator_roc_auc_binned(cal, auc, &xall) == FAIRGATE_E_INVALID_ARGUMENT);
  /* NULL handles and outputs. */
  CHECK(fairgate_accumulator_calibration(NULL, by, &all) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_calibration(cal, NULL, &all) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_roc_auc_binned(NULL, auc, &xall) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_roc_auc_binned(hist, NULL, &xall) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_reliability_bins(NULL, 0, bins, 2, &n) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_reliability_bins(cal, 0, bins, 2, NULL) == FAIRGATE_E_NULL_POINTER);
  /* A group out of range (FAIRGATE_GROUP_OVERALL is the only index >= n_groups). */
  CHECK(fairgate_accumulator_reliability_bins(cal, 2, bins, 2, &n) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "group = 2") != NULL);
  CHECK(memcmp(by, by0, sizeof by) == 0 && memcmp(&all, &all0, sizeof all) == 0);
  CHECK(memcmp(bins, bins0, sizeof bins) == 0 && n == 777);
  CHECK(memcmp(auc, auc0, sizeof auc) == 0 && memcmp(&xall, &xall0, sizeof xall) == 0);
  /* Too small a buffer is not an error: the count is set, nothing written. */
  CHECK(fairgate_accumulator_reliability_bins(cal, FAIRGATE_GROUP_OVERALL, bins, 1, &n) ==
        FAIRGATE_OK);
  CHECK(n == 2 && memcmp(bins, bins0, sizeof bins) == 0);
  CHECK(fairgate_accumulator_reliability_bins(cal, 0, NULL, 0, &n) == FAIRGATE_OK && n == 2);
  /* get_options: NULLs and a struct_size too small. */
  memset(&o, 0x5A, sizeof o);
  o.struct_size = 3;
  memcpy(&o0, &o, sizeof o);
  CHECK(fairgate_accumulator_get_options(cal, &o) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(memcmp(&o, &o0, sizeof o) == 0);
  CHECK(fairgate_accumulator_get_options(NULL, &o) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_accumulator_get_options(cal, NULL) == FAIRGATE_E_NULL_POINTER);
  fairgate_accumulator_destroy(plain);
  fairgate_accumulator_destroy(cal);
  fairgate_accumulator_destroy(hist);
}

static void test_merge_needs_the_same_score_statistics(void) {
  fairgate_accumulator *a = make_acc(3, 10, 50), *b = make_acc(3, 10, 40), *c = NULL;
  static uint8_t before[1 << 16], after[1 << 16];
  size_t s0, s1;
  CHECK(fairgate_accumulator_create(3, &c) == FAIRGATE_OK);
  CHECK(add_rows(a, rs, ry, rg, NULL, 100) == FAIRGATE_OK);
  CHECK(add_rows(b, rs, ry, rg, NULL, 100) == FAIRGATE_OK);
  s0 = bytes_of(a, before, sizeof before);
  CHECK(fairgate_accumulator_merge(a, b) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "score statistics differ") != NULL);
  CHECK(fairgate_accumulator_merge(a, c) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_accumulator_merge(c, a) == FAIRGATE_E_INVALID_ARGUMENT);
  s1 = bytes_of(a, after, sizeof after);
  CHECK(s0 == s1 && memcmp(before, after, s0) == 0);
  fairgate_accumulator_destroy(a);
  fairgate_accumulator_destroy(b);
  fairgate_accumulator_destroy(c);
}

int main(void) {
  make_random_rows();
  test_ece_mce_and_citl_match_the_hand_computation();
  test_binned_auc_counts_pairs_in_one_bin_as_half();
  test_a_group_without_rows_is_undefined_not_an_error();
  test_merging_two_shards_equals_the_whole_bit_for_bit();
  test_serialize_round_trips_format_v2();
  test_without_score_statistics_the_format_stays_v1();
  test_bad_options_are_refused_and_out_is_untouched();
  test_adding_rows_checks_what_the_statistics_need();
  test_result_errors_leave_every_output_untouched();
  test_merge_needs_the_same_score_statistics();
  printf("capi scores: %d checks passed, %d failed\n", passed, failed);
  return failed != 0;
}
