/* C ABI contract tests of the streaming monitor, in C99 against fairgate.h only.
 * Hand-computed windows and rates, delayed labels, the alarm hook with its
 * user_data, save/restore and reset, no allocation after create, and every
 * entry point fed bad input (NULL, struct_size 0, out-of-range group, NaN
 * score, unknown id): a status and a message, never a crash. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <fairgate/fairgate.h>

#include "check.h"

/* Counting allocations: glibc lets the executable interpose malloc, and
 * libstdc++'s operator new calls malloc. Not under a sanitizer, which owns
 * malloc itself (there the C++ suite's counting operator new covers it). */
#if defined(__SANITIZE_ADDRESS__)
#define FG_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define FG_COUNT_ALLOCS 0
#endif
#endif
#if !defined(FG_COUNT_ALLOCS) && defined(__GLIBC__)
#define FG_COUNT_ALLOCS 1
#endif
#ifndef FG_COUNT_ALLOCS
#define FG_COUNT_ALLOCS 0
#endif

static volatile long n_allocs = 0;
#if FG_COUNT_ALLOCS
extern void* __libc_malloc(size_t size);
void* malloc(size_t size) {
  ++n_allocs;
  return __libc_malloc(size);
}
#endif

static fairgate_monitor_options plain_options(uint32_t n_groups, int32_t kind, uint64_t size) {
  fairgate_monitor_options o;
  CHECK(fairgate_monitor_options_init(&o) == FAIRGATE_OK);
  o.n_groups = n_groups;
  o.window_kind = kind;
  o.window_size = size;
  o.min_support = 1;
  return o;
}

static fairgate_monitor_summary new_summary(void) {
  fairgate_monitor_summary s;
  memset(&s, 0, sizeof s);
  s.struct_size = sizeof s;
  return s;
}

static void test_defaults_are_documented_values(void) {
  fairgate_monitor_options o;
  fairgate_watched_constraint c;
  CHECK(fairgate_monitor_options_init(&o) == FAIRGATE_OK);
  CHECK(o.struct_size == sizeof o && o.n_groups == 2 && o.threshold == 0.5);
  CHECK(o.window_kind == FAIRGATE_WINDOW_SLIDING && o.window_size == 1000 && o.bins == 10);
  CHECK(o.psi_threshold == 0.25 && o.ks_alpha == 0.01 && o.min_support == 30);
  CHECK(o.pending_capacity == 1024 && o.constraints == NULL && o.on_alarm == NULL);
  CHECK(fairgate_watched_constraint_init(&c) == FAIRGATE_OK);
  CHECK(c.struct_size == sizeof c && c.metric == FAIRGATE_RATE_SELECTION);
  CHECK(c.kind == FAIRGATE_CONSTRAINT_DIFFERENCE && c.op == FAIRGATE_BOUND_LE);
  CHECK(c.bound == 0.1 && c.confidence == 0.95 && c.alpha == 0.05 && c.watch_change == 1);
}

/* Group 0: scores 0.9 (y=1), 0.8 (y=0), 0.2 (y=1), 0.1 (unknown);
 * group 1: 0.7 (y=1), 0.3 (y=0). Threshold 0.5.
 *   g0: predictions 1,1,0,0 -> selection 2/4 = 0.5; tp=1 fp=1 fn=1 tn=0 ->
 *       TPR 1/2, FPR 1/1, accuracy 1/3, precision 1/2; labelled 3.
 *   g1: predictions 1,0 -> selection 1/2; tp=1 tn=1 -> TPR 1, FPR 0, accuracy 1.
 * Wilson 95% of 2/4 (z = 1.959964, z^2 = 3.841459): centre 0.5 (p = 1/2 is
 * symmetric), half-width z sqrt(1/16 + z^2/64) / (1 + z^2/4)
 *   = 1.959964 * sqrt(0.0625 + 0.0600228) / 1.9603647 = 0.6860513 / 1.9603647 = 0.3499610,
 * so [0.1500390, 0.8499610]. */
static void test_rates_of_a_small_window_match_the_hand_counts(void) {
  fairgate_monitor_options o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 8);
  fairgate_monitor* m = NULL;
  fairgate_monitor_summary s = new_summary();
  fairgate_monitor_group g[2];
  size_t n = 0;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK && m != NULL);
  CHECK(fairgate_monitor_observe(m, 0.9, 0, 1) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe(m, 0.8, 0, 0) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe(m, 0.2, 0, 1) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe(m, 0.1, 0, FAIRGATE_LABEL_UNKNOWN) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe(m, 0.7, 1, 1) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe(m, 0.3, 1, 0) == FAIRGATE_OK);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK);
  CHECK(s.poll == 1 && s.observations == 6 && s.n_groups == 2 && s.n_constraints == 0);
  CHECK(s.n_alarms == 0 && s.window_complete == 1);
  CHECK(fairgate_monitor_groups(m, NULL, 0, &n) == FAIRGATE_OK && n == 2); /* size query */
  CHECK(fairgate_monitor_groups(m, g, 2, &n) == FAIRGATE_OK && n == 2);
  CHECK(g[0].observations == 4.0 && g[0].labelled == 3.0 && g[0].effective == 4.0);
  CHECK(g[0].rates[FAIRGATE_RATE_SELECTION].estimate == 0.5);
  CHECK(fabs(g[0].rates[FAIRGATE_RATE_SELECTION].lower - 0.1500390) < 1e-6);
  CHECK(fabs(g[0].rates[FAIRGATE_RATE_SELECTION].upper - 0.8499610) < 1e-6);
  CHECK(g[0].rates[FAIRGATE_RATE_TRUE_POSITIVE].estimate == 0.5);
  CHECK(g[0].rates[FAIRGATE_RATE_FALSE_POSITIVE].estimate == 1.0);
  CHECK(g[0].rates[FAIRGATE_RATE_ACCURACY].estimate == 1.0 / 3.0);
  CHECK(g[0].rates[FAIRGATE_RATE_PRECISION].estimate == 0.5);
  CHECK(g[1].observations == 2.0 && g[1].labelled == 2.0);
  CHECK(g[1].rates[FAIRGATE_RATE_SELECTION].estimate == 0.5);
  CHECK(g[1].rates[FAIRGATE_RATE_TRUE_POSITIVE].estimate == 1.0);
  CHECK(g[1].rates[FAIRGATE_RATE_FALSE_POSITIVE].estimate == 0.0);
  CHECK(isnan(g[0].psi) && isnan(g[1].ks)); /* no baseline histogram */
  fairgate_monitor_destroy(m);
}

/* Sliding window of 4 over group-0 predictions 1,1,1,0,0,0: the window holds
 * the last four (1,0,0,0), selection 1/4. Tumbling 4 over the same: block 0
 * = 1,1,1,0 is the last complete one, selection 3/4. */
static void test_windows_keep_the_documented_observations(void) {
  const double scores[6] = {1, 1, 1, 0, 0, 0};
  const uint32_t groups[6] = {0, 0, 0, 0, 0, 0};
  fairgate_monitor_options o = plain_options(1, FAIRGATE_WINDOW_SLIDING, 4);
  fairgate_monitor* m = NULL;
  fairgate_monitor_group g;
  fairgate_monitor_summary s = new_summary();
  size_t n = 0;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe_batch(m, scores, groups, NULL, 6) == FAIRGATE_OK);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK);
  CHECK(fairgate_monitor_groups(m, &g, 1, &n) == FAIRGATE_OK);
  CHECK(g.observations == 4.0 && g.rates[FAIRGATE_RATE_SELECTION].estimate == 0.25);
  fairgate_monitor_destroy(m);
  o = plain_options(1, FAIRGATE_WINDOW_TUMBLING, 4);
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe_batch(m, scores, groups, NULL, 6) == FAIRGATE_OK);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK);
  CHECK(s.window_complete == 1 && s.window_index == 0);
  CHECK(fairgate_monitor_groups(m, &g, 1, &n) == FAIRGATE_OK);
  CHECK(g.observations == 4.0 && g.rates[FAIRGATE_RATE_SELECTION].estimate == 0.75);
  fairgate_monitor_destroy(m);
}

static void test_delayed_labels_move_an_observation_to_its_labelled_cell(void) {
  fairgate_monitor_options o = plain_options(1, FAIRGATE_WINDOW_SLIDING, 100);
  fairgate_monitor* m = NULL;
  fairgate_monitor_summary s = new_summary();
  fairgate_monitor_group g;
  size_t n = 0;
  int32_t result = -7;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe_unlabeled(m, 7, 0.9, 0) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe_unlabeled(m, 7, 0.9, 0) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "7") != NULL);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK);
  CHECK(fairgate_monitor_groups(m, &g, 1, &n) == FAIRGATE_OK);
  CHECK(g.labelled == 0.0 && g.rates[FAIRGATE_RATE_SELECTION].estimate == 1.0);
  CHECK(g.rates[FAIRGATE_RATE_TRUE_POSITIVE].defined == 0);
  CHECK(fairgate_monitor_label(m, 7, 1, &result) == FAIRGATE_OK &&
        result == FAIRGATE_LABEL_APPLIED);
  CHECK(fairgate_monitor_label(m, 7, 1, &result) == FAIRGATE_OK &&
        result == FAIRGATE_LABEL_UNKNOWN_ID);
  CHECK(fairgate_monitor_label(m, 8, 0, NULL) == FAIRGATE_OK);
  CHECK(fairgate_monitor_label(m, 9, 2, &result) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK && s.labels_unknown_id == 2);
  CHECK(fairgate_monitor_groups(m, &g, 1, &n) == FAIRGATE_OK);
  CHECK(g.labelled == 1.0 && g.rates[FAIRGATE_RATE_TRUE_POSITIVE].estimate == 1.0);
  fairgate_monitor_destroy(m);
}

struct hook_log {
  int calls;
  size_t alarms;
  char target[32];
  fairgate_monitor_alarm first;
  int32_t answer;
};

static int32_t record_alarms(const char* target, const fairgate_monitor_alarm* alarms, size_t n,
                             void* user_data) {
  struct hook_log* log = (struct hook_log*)user_data;
  ++log->calls;
  log->alarms += n;
  strncpy(log->target, target, sizeof log->target - 1);
  if (n > 0) log->first = alarms[0];
  return log->answer;
}

/* 100 predictions of 1 in group 0 and 100 of 0 in group 1: the selection
 * rate difference is 1 - 0 = 1, and Newcombe's interval for it lies far
 * above the bound 0.1, so the constraint is violated with one parity alarm
 * naming group 0 (highest) and group 1 (lowest). */
static void test_a_violated_bound_raises_an_alarm_and_calls_the_hook(void) {
  fairgate_watched_constraint c;
  fairgate_monitor_options o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 1000);
  fairgate_monitor* m = NULL;
  fairgate_monitor_summary s = new_summary();
  fairgate_monitor_constraint cs;
  fairgate_monitor_alarm a[8];
  struct hook_log log;
  size_t n = 0;
  int i;
  memset(&log, 0, sizeof log);
  CHECK(fairgate_watched_constraint_init(&c) == FAIRGATE_OK);
  o.min_support = 30;
  o.constraints = &c;
  o.n_constraints = 1;
  o.target = "adult_demo";
  o.on_alarm = record_alarms;
  o.user_data = &log;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  for (i = 0; i < 100; ++i) {
    CHECK(fairgate_monitor_observe(m, 0.9, 0, FAIRGATE_LABEL_UNKNOWN) == FAIRGATE_OK);
    CHECK(fairgate_monitor_observe(m, 0.1, 1, FAIRGATE_LABEL_UNKNOWN) == FAIRGATE_OK);
  }
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK);
  CHECK(s.n_alarms == 1 && s.alarm_capacity == (2 * 1 + 2) * 2);
  CHECK(log.calls == 1 && log.alarms == 1 && strcmp(log.target, "adult_demo") == 0);
  CHECK(log.first.kind == FAIRGATE_ALARM_PARITY_BOUND &&
        log.first.metric == FAIRGATE_RATE_SELECTION);
  CHECK(log.first.group == 0 && log.first.other_group == 1 && log.first.value == 1.0);
  CHECK(log.first.lower > 0.9 && log.first.upper == 1.0 && log.first.threshold == 0.1);
  CHECK(log.first.poll == 1 && log.first.observations == 200 && log.first.constraint == 0);
  CHECK(isnan(log.first.p_value) && isnan(log.first.baseline_value));
  CHECK(fairgate_monitor_alarms(m, a, 0, &n) == FAIRGATE_OK && n == 1); /* query only */
  CHECK(fairgate_monitor_alarms(m, a, 8, &n) == FAIRGATE_OK && n == 1);
  CHECK(memcmp(&a[0], &log.first, sizeof a[0]) == 0);
  CHECK(fairgate_monitor_constraints(m, &cs, 1, &n) == FAIRGATE_OK && n == 1);
  CHECK(cs.state == FAIRGATE_CONSTRAINT_VIOLATED && cs.group == 0 && cs.other_group == 1);
  CHECK(cs.value.estimate == 1.0 && cs.value.defined == 1);
  /* A failing hook makes poll fail with its status; the report stays readable. */
  log.answer = FAIRGATE_E_IO;
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_E_IO);
  CHECK(strstr(fairgate_last_error_message(), "hook") != NULL);
  CHECK(fairgate_monitor_alarms(m, a, 8, &n) == FAIRGATE_OK && n == 1 && a[0].poll == 2);
  log.answer = 12345; /* not a fairgate_status */
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_E_INVALID_VALUE);
  CHECK(log.calls == 3);
  fairgate_monitor_destroy(m);
}

/* A deterministic stream (an LCG) with delayed labels, for state tests. */
static uint64_t lcg = 1;
static double next_unit(void) {
  lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(lcg >> 11) * (1.0 / 9007199254740992.0);
}
static void feed(fairgate_monitor* m, int from, int to) {
  int i;
  for (i = from; i < to; ++i) {
    const double s = next_unit();
    const uint32_t g = (uint32_t)(next_unit() * 3.0);
    const int32_t y = next_unit() < s ? 1 : 0;
    if (i % 3 == 0) {
      CHECK(fairgate_monitor_observe_unlabeled(m, (uint64_t)i, s, g) == FAIRGATE_OK);
    } else {
      CHECK(fairgate_monitor_observe(m, s, g, y) == FAIRGATE_OK);
    }
    if (i % 3 == 1 && i >= 40)
      CHECK(fairgate_monitor_label(m, (uint64_t)(i - 40), y, NULL) == FAIRGATE_OK);
  }
}

static fairgate_monitor_options state_options(int32_t kind) {
  fairgate_monitor_options o = plain_options(3, kind, 50);
  o.half_life = 40.0;
  o.pending_capacity = 16;
  return o;
}

static int same_groups(fairgate_monitor* a, fairgate_monitor* b) {
  fairgate_monitor_group ga[3], gb[3];
  fairgate_monitor_summary sa = new_summary(), sb = new_summary();
  size_t n = 0;
  if (fairgate_monitor_poll(a, &sa) != FAIRGATE_OK || fairgate_monitor_poll(b, &sb) != FAIRGATE_OK)
    return 0;
  if (fairgate_monitor_groups(a, ga, 3, &n) != FAIRGATE_OK ||
      fairgate_monitor_groups(b, gb, 3, &n) != FAIRGATE_OK)
    return 0;
  return memcmp(&sa, &sb, sizeof sa) == 0 && memcmp(ga, gb, sizeof ga) == 0;
}

static void test_a_restored_state_continues_bit_for_bit(void) {
  static uint8_t bytes[1 << 16];
  int32_t kind;
  for (kind = 0; kind < 3; ++kind) {
    fairgate_monitor_options o = state_options(kind);
    fairgate_monitor *a = NULL, *b = NULL;
    size_t size = 0, again = 0;
    uint64_t saved_lcg;
    CHECK(fairgate_monitor_create(&o, &a) == FAIRGATE_OK);
    CHECK(fairgate_monitor_create(&o, &b) == FAIRGATE_OK);
    lcg = 1;
    feed(a, 0, 300);
    CHECK(fairgate_monitor_save(a, NULL, 0, &size) == FAIRGATE_OK && size > 0 &&
          size < sizeof bytes);
    CHECK(fairgate_monitor_save(a, bytes, sizeof bytes, &again) == FAIRGATE_OK && again == size);
    CHECK(fairgate_monitor_restore(b, bytes, size) == FAIRGATE_OK);
    saved_lcg = lcg;
    feed(a, 300, 500);
    lcg = saved_lcg;
    feed(b, 300, 500);
    CHECK(same_groups(a, b));
    fairgate_monitor_destroy(a);
    fairgate_monitor_destroy(b);
  }
}

static void test_a_bad_state_is_rejected_and_changes_nothing(void) {
  static uint8_t bytes[1 << 16];
  fairgate_monitor_options o = state_options(FAIRGATE_WINDOW_SLIDING);
  fairgate_monitor_options other = state_options(FAIRGATE_WINDOW_SLIDING);
  fairgate_monitor *a = NULL, *b = NULL, *c = NULL;
  size_t size = 0;
  other.threshold = 0.6; /* same array sizes, another meaning */
  CHECK(fairgate_monitor_create(&o, &a) == FAIRGATE_OK);
  CHECK(fairgate_monitor_create(&o, &b) == FAIRGATE_OK);
  CHECK(fairgate_monitor_create(&other, &c) == FAIRGATE_OK);
  lcg = 5;
  feed(a, 0, 120);
  lcg = 5;
  feed(b, 0, 120);
  CHECK(fairgate_monitor_save(a, bytes, sizeof bytes, &size) == FAIRGATE_OK);
  CHECK(fairgate_monitor_restore(c, bytes, size) == FAIRGATE_E_VERIFICATION);
  CHECK(strstr(fairgate_last_error_message(), "configuration") != NULL);
  bytes[100] ^= 1;
  CHECK(fairgate_monitor_restore(b, bytes, size) == FAIRGATE_E_VERIFICATION);
  bytes[100] ^= 1;
  CHECK(fairgate_monitor_restore(b, bytes, size - 1) == FAIRGATE_E_PARSE);
  CHECK(fairgate_monitor_restore(b, (const uint8_t*)"FGMA....", 8) == FAIRGATE_E_PARSE);
  CHECK(fairgate_monitor_restore(b, NULL, 4) == FAIRGATE_E_NULL_POINTER);
  CHECK(same_groups(a, b)); /* b was never changed */
  fairgate_monitor_destroy(a);
  fairgate_monitor_destroy(b);
  fairgate_monitor_destroy(c);
}

static void test_reset_equals_a_fresh_monitor(void) {
  fairgate_monitor_options o = state_options(FAIRGATE_WINDOW_DECAY);
  fairgate_monitor *a = NULL, *b = NULL;
  CHECK(fairgate_monitor_create(&o, &a) == FAIRGATE_OK);
  CHECK(fairgate_monitor_create(&o, &b) == FAIRGATE_OK);
  lcg = 9;
  feed(a, 0, 400);
  CHECK(fairgate_monitor_poll(a, NULL) == FAIRGATE_OK);
  CHECK(fairgate_monitor_reset(a) == FAIRGATE_OK);
  lcg = 11;
  feed(a, 0, 100);
  lcg = 11;
  feed(b, 0, 100);
  CHECK(same_groups(a, b));
  fairgate_monitor_destroy(a);
  fairgate_monitor_destroy(b);
}

static void test_nothing_allocates_after_create(void) {
  static uint8_t bytes[1 << 16];
  fairgate_watched_constraint c[2];
  fairgate_monitor_options o = state_options(FAIRGATE_WINDOW_SLIDING);
  fairgate_monitor* m = NULL;
  fairgate_monitor_group g[3];
  fairgate_monitor_alarm a[16];
  fairgate_monitor_summary s = new_summary();
  struct hook_log log;
  size_t n = 0, size = 0;
  long before;
  memset(&log, 0, sizeof log);
  CHECK(fairgate_watched_constraint_init(&c[0]) == FAIRGATE_OK);
  CHECK(fairgate_watched_constraint_init(&c[1]) == FAIRGATE_OK);
  c[1].metric = FAIRGATE_RATE_TRUE_POSITIVE;
  c[1].kind = FAIRGATE_CONSTRAINT_GROUP_RATE;
  c[1].op = FAIRGATE_BOUND_GE;
  c[1].bound = 0.9;
  o.constraints = c;
  o.n_constraints = 2;
  o.on_alarm = record_alarms;
  o.user_data = &log;
  before = n_allocs;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  if (FG_COUNT_ALLOCS) CHECK(n_allocs > before); /* the counter sees the library's allocations */
  before = n_allocs;
  lcg = 3;
  feed(m, 0, 500);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK);
  CHECK(fairgate_monitor_groups(m, g, 3, &n) == FAIRGATE_OK);
  CHECK(fairgate_monitor_alarms(m, a, 16, &n) == FAIRGATE_OK);
  CHECK(fairgate_monitor_save(m, bytes, sizeof bytes, &size) == FAIRGATE_OK);
  CHECK(fairgate_monitor_restore(m, bytes, size) == FAIRGATE_OK);
  CHECK(fairgate_monitor_reset(m) == FAIRGATE_OK);
  CHECK(n_allocs == before);
  CHECK(log.calls >= 1); /* the TPR floor of 0.9 is violated: the hook ran, without allocating */
  if (!FG_COUNT_ALLOCS)
    printf("allocation counting is off in this build (sanitizer or no glibc)\n");
  fairgate_monitor_destroy(m);
}

static void test_bad_options_give_a_status_and_a_message(void) {
  fairgate_monitor_options o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 10);
  fairgate_watched_constraint c;
  fairgate_monitor* m = NULL;
  uint8_t garbage[24] = {1, 2, 3};
  uint64_t hist[3] = {1, 2, 3};
  double scores[2] = {0.5, 0.5};
  uint32_t groups[2] = {0, 1};
  uint8_t labels[2] = {0, 1};
  CHECK(fairgate_monitor_options_init(NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_watched_constraint_init(NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_create(NULL, &m) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_create(&o, NULL) == FAIRGATE_E_NULL_POINTER);
  o.struct_size = 0;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "struct_size") != NULL);
  o = plain_options(0, FAIRGATE_WINDOW_SLIDING, 10);
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "n_groups") != NULL);
  o = plain_options(2, 7, 10);
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 0);
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  o = plain_options(2, FAIRGATE_WINDOW_DECAY, 10);
  o.half_life = NAN;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 10);
  o.n_constraints = 1; /* constraints NULL */
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_watched_constraint_init(&c) == FAIRGATE_OK);
  o.constraints = &c;
  c.metric = 9;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "constraints[0].metric") != NULL);
  c.metric = 0;
  c.struct_size = 0;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  c.struct_size = sizeof c;
  c.bound = NAN;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  c.bound = 0.1;
  o.baseline_accumulator = garbage;
  o.baseline_accumulator_size = sizeof garbage;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_PARSE);
  o.baseline_scores = scores;
  o.baseline_groups = groups;
  o.baseline_labels = labels;
  o.baseline_n = 2;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT); /* both forms */
  o.baseline_accumulator = NULL;
  o.baseline_accumulator_size = 0;
  labels[1] = 2;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "labels[1]") != NULL);
  labels[1] = 1;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  fairgate_monitor_destroy(m);
  m = NULL;
  o.baseline_scores = NULL;
  o.baseline_groups = NULL;
  o.baseline_labels = NULL;
  o.baseline_n = 0;
  o.baseline_histogram = hist; /* without an accumulator */
  o.baseline_histogram_size = 3;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(m == NULL); /* outputs are written only on success */
  fairgate_monitor_destroy(NULL);
}

static void test_bad_observations_count_nothing(void) {
  fairgate_monitor_options o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 10);
  fairgate_monitor* m = NULL;
  fairgate_monitor_summary s = new_summary();
  fairgate_monitor_group g[2];
  const double scores[3] = {0.1, 0.2, NAN};
  const uint32_t groups[3] = {0, 1, 1};
  const uint32_t bad_groups[3] = {0, 1, 2};
  const int8_t labels[3] = {0, 1, 1};
  const int8_t bad_labels[3] = {0, 5, 1};
  size_t n = 0;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe(m, NAN, 0, 1) == FAIRGATE_E_INVALID_VALUE);
  CHECK(fairgate_monitor_observe(m, INFINITY, 0, 1) == FAIRGATE_E_INVALID_VALUE);
  CHECK(fairgate_monitor_observe(m, 0.5, 2, 1) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "group = 2") != NULL);
  CHECK(fairgate_monitor_observe(m, 0.5, 0, 2) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_monitor_observe_unlabeled(m, 1, NAN, 0) == FAIRGATE_E_INVALID_VALUE);
  CHECK(fairgate_monitor_observe_unlabeled(m, 1, 0.5, 9) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(fairgate_monitor_observe_batch(m, scores, groups, labels, 3) == FAIRGATE_E_INVALID_VALUE);
  CHECK(strstr(fairgate_last_error_message(), "scores[2]") != NULL);
  CHECK(fairgate_monitor_observe_batch(m, scores, bad_groups, labels, 2) == FAIRGATE_OK);
  CHECK(fairgate_monitor_observe_batch(m, scores, bad_groups, labels, 3) != FAIRGATE_OK);
  CHECK(fairgate_monitor_observe_batch(m, scores, groups, bad_labels, 2) ==
        FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "labels[1]") != NULL);
  CHECK(fairgate_monitor_observe_batch(m, NULL, groups, labels, 2) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_observe_batch(m, NULL, NULL, NULL, 0) == FAIRGATE_OK);
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_OK &&
        s.observations == 2); /* only the good batch */
  CHECK(fairgate_monitor_groups(m, g, 2, &n) == FAIRGATE_OK);
  CHECK(g[0].observations == 1.0 && g[1].observations == 1.0);
  s.struct_size = 0;
  CHECK(fairgate_monitor_poll(m, &s) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_monitor_groups(m, g, 1, &n) == FAIRGATE_OK && n == 2); /* too small: not written */
  CHECK(fairgate_monitor_groups(m, NULL, 2, &n) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_groups(m, g, 2, NULL) == FAIRGATE_E_NULL_POINTER);
  fairgate_monitor_destroy(m);
}

static void test_a_null_monitor_is_a_status_everywhere(void) {
  fairgate_monitor_summary s = new_summary();
  fairgate_monitor_group g;
  fairgate_monitor_constraint c;
  fairgate_monitor_alarm a;
  uint8_t b[8];
  size_t n = 0;
  int32_t r = 0;
  double x = 0.5;
  uint32_t grp = 0;
  CHECK(fairgate_monitor_observe(NULL, 0.5, 0, 1) == FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "monitor") != NULL);
  CHECK(fairgate_monitor_observe_batch(NULL, &x, &grp, NULL, 1) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_observe_unlabeled(NULL, 1, 0.5, 0) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_label(NULL, 1, 1, &r) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_poll(NULL, &s) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_groups(NULL, &g, 1, &n) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_constraints(NULL, &c, 1, &n) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_alarms(NULL, &a, 1, &n) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_reset(NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_save(NULL, b, sizeof b, &n) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_restore(NULL, b, sizeof b) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_memory_bytes(NULL, &n) == FAIRGATE_E_NULL_POINTER);
  fairgate_monitor_destroy(NULL);
}

/* docs/monitoring.md: sliding N = 10, G = 2, K = 10, P = 1024, C = 0 holds
 *   1 * 2 * (12 + 10) * 8 = 352 cells + 10 * 8 = 80 ring + 1024 * 40 + 4 * 2048
 *   = 49152 delayed labels, + report (groups, alarms) which we do not
 *   hand-compute: the total must be at least the 49584 computed here. */
static void test_memory_bytes_covers_the_documented_arrays(void) {
  fairgate_monitor_options o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 10);
  fairgate_monitor* m = NULL;
  size_t bytes = 0;
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  CHECK(fairgate_monitor_memory_bytes(m, &bytes) == FAIRGATE_OK);
  CHECK(bytes >= 49584 && bytes < 49584 + 4096);
  CHECK(fairgate_monitor_memory_bytes(m, NULL) == FAIRGATE_E_NULL_POINTER);
  fairgate_monitor_destroy(m);
}

/* The policy below: dp (<= 0.1) -> selection-rate difference; eo (<= 0.2,
 * worst case) -> TPR and FPR differences; di (a ratio) skipped; acc
 * (every_group >= 0.8) -> accuracy group_rate; tpr-kept (relative) skipped. */
static const char monitor_policy[] =
    "schema_version = 1\nname = \"monitor-test\"\n\n"
    "[[target]]\nname = \"edge\"\nsensitive_features = [\"sex\"]\nreference_group = \"Male\"\n\n"
    "[[target.constraint]]\nid = \"dp\"\nmetric = \"demographic_parity_difference\"\nbound = \"<= "
    "0.1\"\n\n"
    "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\nbound = \"<= "
    "0.2\"\n\n"
    "[[target.constraint]]\nid = \"di\"\nmetric = \"disparate_impact\"\nbound = \">= 0.8\"\n\n"
    "[[target.constraint]]\nid = \"acc\"\nmetric = \"accuracy\"\nscope = \"every_group\"\nbound = "
    "\">= 0.8\"\n\n"
    "[[target.constraint]]\nid = \"tpr-kept\"\nmetric = \"tpr\"\nmax_drop = 0.02\n";

static void test_a_policy_target_gives_the_watched_constraints(void) {
  fairgate_policy* p = NULL;
  fairgate_watched_constraint c[8];
  fairgate_monitor_options o = plain_options(2, FAIRGATE_WINDOW_SLIDING, 100);
  fairgate_monitor* m = NULL;
  size_t n = 0, skipped = 0;
  CHECK(fairgate_policy_load_string(monitor_policy, strlen(monitor_policy), "monitor-test.toml",
                                    &p) == FAIRGATE_OK);
  CHECK(fairgate_monitor_constraints_from_policy(p, "edge", NULL, 0, &n, &skipped) == FAIRGATE_OK);
  CHECK(n == 4 && skipped == 2);
  CHECK(fairgate_monitor_constraints_from_policy(p, "edge", c, 8, &n, NULL) == FAIRGATE_OK);
  CHECK(c[0].struct_size == sizeof c[0] && c[0].metric == FAIRGATE_RATE_SELECTION);
  CHECK(c[0].kind == FAIRGATE_CONSTRAINT_DIFFERENCE && c[0].op == FAIRGATE_BOUND_LE);
  CHECK(c[0].bound == 0.1);
  CHECK(c[1].metric == FAIRGATE_RATE_TRUE_POSITIVE && c[1].bound == 0.2);
  CHECK(c[2].metric == FAIRGATE_RATE_FALSE_POSITIVE && c[2].bound == 0.2);
  CHECK(c[3].metric == FAIRGATE_RATE_ACCURACY && c[3].kind == FAIRGATE_CONSTRAINT_GROUP_RATE);
  CHECK(c[3].op == FAIRGATE_BOUND_GE && c[3].bound == 0.8);
  o.constraints = c; /* they configure a monitor as they are */
  o.n_constraints = n;
  o.target = "edge";
  CHECK(fairgate_monitor_create(&o, &m) == FAIRGATE_OK);
  fairgate_monitor_destroy(m);
  CHECK(fairgate_monitor_constraints_from_policy(p, "cloud", c, 8, &n, NULL) ==
        FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "edge") != NULL); /* lists the targets */
  CHECK(fairgate_monitor_constraints_from_policy(p, NULL, c, 8, &n, NULL) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_constraints_from_policy(NULL, "edge", c, 8, &n, NULL) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_constraints_from_policy(p, "edge", c, 8, NULL, NULL) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_constraints_from_policy(p, "edge", NULL, 8, &n, NULL) ==
        FAIRGATE_E_NULL_POINTER);
  fairgate_policy_destroy(p);
}

/* The rollback convention end to end: two configurations of "demo" pass
 * the gate in turn; after the manifest is written and read back, the last
 * known-good one comes back byte for byte. Paths are relative to the test's
 * working directory (CTest runs it in the build tree). */
static void test_the_last_known_good_configuration_comes_back_exactly(void) {
  const char first[] = "sparsity=0.5;bits=8";
  const unsigned char second[6] = {0, 1, 2, 0xff, 'x', 0};
  fairgate_manifest *m = NULL, *back = NULL;
  uint8_t buf[64];
  size_t size = 0;
  CHECK(fairgate_manifest_create(&m) == FAIRGATE_OK);
  CHECK(fairgate_monitor_record_known_good(m, "monitor_rollback_store", "demo", first,
                                           sizeof first - 1) == FAIRGATE_OK);
  CHECK(fairgate_monitor_record_known_good(m, "monitor_rollback_store", "demo", second,
                                           sizeof second) == FAIRGATE_OK);
  CHECK(fairgate_manifest_write(m, "monitor_rollback_manifest.json") == FAIRGATE_OK);
  CHECK(fairgate_manifest_read("monitor_rollback_manifest.json", &back) == FAIRGATE_OK);
  CHECK(fairgate_monitor_last_known_good(back, "monitor_rollback_store", "demo", NULL, 0, &size) ==
        FAIRGATE_OK);
  CHECK(size == sizeof second);
  CHECK(fairgate_monitor_last_known_good(back, "monitor_rollback_store", "demo", buf, sizeof buf,
                                         &size) == FAIRGATE_OK);
  CHECK(size == sizeof second && memcmp(buf, second, sizeof second) == 0);
  CHECK(fairgate_monitor_last_known_good(back, "monitor_rollback_store", "other", buf, sizeof buf,
                                         &size) == FAIRGATE_E_EMPTY_INPUT);
  CHECK(strstr(fairgate_last_error_message(), "config/other/last_good") != NULL);
  CHECK(fairgate_monitor_last_known_good(back, "monitor_rollback_empty_store", "demo", buf,
                                         sizeof buf, &size) == FAIRGATE_E_IO);
  CHECK(fairgate_monitor_last_known_good(NULL, "s", "demo", buf, 1, &size) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_last_known_good(back, NULL, "demo", buf, 1, &size) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_last_known_good(back, "s", NULL, buf, 1, &size) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_last_known_good(back, "monitor_rollback_store", "demo", buf, 64, NULL) ==
        FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_record_known_good(m, "monitor_rollback_store", "", first, 3) ==
        FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_monitor_record_known_good(NULL, "s", "demo", first, 3) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_monitor_record_known_good(m, "s", "demo", NULL, 3) == FAIRGATE_E_NULL_POINTER);
  fairgate_manifest_destroy(m);
  fairgate_manifest_destroy(back);
}

int main(void) {
  test_defaults_are_documented_values();
  test_rates_of_a_small_window_match_the_hand_counts();
  test_windows_keep_the_documented_observations();
  test_delayed_labels_move_an_observation_to_its_labelled_cell();
  test_a_violated_bound_raises_an_alarm_and_calls_the_hook();
  test_a_restored_state_continues_bit_for_bit();
  test_a_bad_state_is_rejected_and_changes_nothing();
  test_reset_equals_a_fresh_monitor();
  test_nothing_allocates_after_create();
  test_bad_options_give_a_status_and_a_message();
  test_bad_observations_count_nothing();
  test_a_null_monitor_is_a_status_everywhere();
  test_memory_bytes_covers_the_documented_arrays();
  test_a_policy_target_gives_the_watched_constraints();
  test_the_last_known_good_configuration_comes_back_exactly();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
