// fairgate/monitor/config.hpp: what a streaming monitor watches, and what it reports (plain
// structs).
//
//   fairgate::monitor::monitor_config cfg;
//   cfg.n_groups = 2;
//   cfg.window = {.kind = fairgate::monitor::window_kind::sliding, .size = 2000};
//   cfg.constraints.push_back({.metric = fairgate::monitor::rate_metric::selection_rate,
//                              .kind = fairgate::monitor::constraint_kind::difference, .bound =
//                              0.1});
//
// Every struct here is plain data of fixed size (the constraint list and the
// baseline are read once, at construction), so a C wrapper maps them 1:1 to
// C structs and arrays (docs/monitoring.md lists the intended C functions).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/uncertainty/wilson.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace monitor {

// Rates the monitor can watch: each is a proportion of one denominator, so it
// has a Wilson interval and a two-proportion test. Names and definitions are
// Fairlearn's (selection_rate, true_positive_rate, ...). selection_rate counts
// every observation, labelled or not; the others only labelled ones.
enum class rate_metric : std::uint8_t {
  selection_rate = 0,   // (tp + fp + unlabelled predicted 1) / all
  true_positive_rate,   // tp / (tp + fn)
  false_positive_rate,  // fp / (fp + tn)
  true_negative_rate,   // tn / (fp + tn)
  false_negative_rate,  // fn / (tp + fn)
  accuracy,             // (tp + tn) / labelled
  precision,            // tp / (tp + fp)
};
inline constexpr std::uint32_t n_rate_metrics = 7;

constexpr const char* rate_metric_name(rate_metric m) noexcept {
  switch (m) {
    case rate_metric::selection_rate:
      return "selection_rate";
    case rate_metric::true_positive_rate:
      return "true_positive_rate";
    case rate_metric::false_positive_rate:
      return "false_positive_rate";
    case rate_metric::true_negative_rate:
      return "true_negative_rate";
    case rate_metric::false_negative_rate:
      return "false_negative_rate";
    case rate_metric::accuracy:
      return "accuracy";
    case rate_metric::precision:
      return "precision";
  }
  return "unknown";
}

enum class window_kind : std::uint8_t {
  tumbling = 0,  // consecutive blocks of `size` observations; poll() judges the last complete block
  sliding,       // the last `size` observations
  decay,         // every observation, weighted 2^(-age / half_life)
};

struct window_config {
  window_kind kind = window_kind::sliding;
  std::uint64_t size = 1000;  // tumbling / sliding: observations per window (>= 1)
  double half_life = 1000.0;  // decay: observations after which a weight halves (> 0)
};

enum class constraint_kind : std::uint8_t {
  difference = 0,  // max_g rate - min_g rate  (op) bound  (Fairlearn's difference, between_groups)
  group_rate,      // every group's rate        (op) bound
};

enum class bound_op : std::uint8_t { le = 0, ge };  // "<=", ">="

struct watched_constraint {
  rate_metric metric = rate_metric::selection_rate;
  constraint_kind kind = constraint_kind::difference;
  bound_op op = bound_op::le;
  double bound = 0.1;
  double confidence = 0.95;  // two-sided level of the Wilson / Newcombe intervals
  double alpha = 0.05;       // family-wise level of the change-vs-baseline alarm over ALL polls
  bool watch_change = true;  // raise change-vs-baseline alarms for this metric
};

struct drift_config {
  std::uint32_t bins = 10;  // fixed equal-width bins over [score_min, score_max]
  double score_min = 0.0;
  double score_max = 1.0;
  double psi_threshold = 0.25;  // Siddiqi's "significant shift"
  double ks_alpha = 0.01;       // level of the binned KS test per (poll, group)
  bool enabled = true;          // needs a baseline histogram
};

struct monitor_config {
  std::uint32_t n_groups = 2;
  double threshold = 0.5;  // prediction = score >= threshold (0/1 inputs work as is)
  window_config window;
  std::vector<watched_constraint> constraints;
  drift_config drift;
  std::uint64_t min_support = 30;   // groups with fewer (effective) observations are not judged
  double report_confidence = 0.95;  // level of the per-group Wilson intervals in report::groups
  std::uint32_t pending_capacity = 1024;  // delayed-label ring: observations awaiting a label
  std::string target;                     // policy target name (the rollback hook's key)
};

// The reference the monitor compares against: validation or deployment-gate
// statistics. `counts` are per-group confusion counts (group_accumulator, so a
// gate's or a shard merge's accumulator is used as is); `histogram` holds
// n_groups * bins score counts, group-major (empty: no drift alarms).
struct baseline {
  metrics::group_accumulator counts;
  std::vector<std::uint64_t> histogram;
};

// --- what poll() reports ---------------------------------------------------

enum class alarm_kind : std::uint8_t {
  parity_bound = 0,  // (a) a constraint's interval lies entirely on the wrong side of its bound
  change,            // (b) a group's rate differs significantly from the baseline (alpha-spent)
  psi,               // (c) PSI of a group's score histogram vs the baseline above psi_threshold
  ks,                // (c) binned KS statistic above its critical value
};

constexpr const char* alarm_kind_name(alarm_kind k) noexcept {
  switch (k) {
    case alarm_kind::parity_bound:
      return "parity_bound";
    case alarm_kind::change:
      return "change";
    case alarm_kind::psi:
      return "psi";
    case alarm_kind::ks:
      return "ks";
  }
  return "unknown";
}

inline constexpr std::uint32_t no_group = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint32_t no_constraint = std::numeric_limits<std::uint32_t>::max();

// One alarm. `value` is the statistic judged; the evidence fields say why.
struct alarm {
  alarm_kind kind = alarm_kind::parity_bound;
  std::uint32_t constraint =
      no_constraint;                     // index into monitor_config::constraints (psi/ks: none)
  std::uint32_t group = no_group;        // the group (difference: the group with the highest rate)
  std::uint32_t other_group = no_group;  // difference: the group with the lowest rate
  rate_metric metric = rate_metric::selection_rate;  // psi/ks: unused
  double value = 0.0;  // rate difference / group rate / PSI / KS statistic
  double lower = 0.0;  // parity/change: the interval of `value` (change: of window - baseline)
  double upper = 0.0;
  double threshold = 0.0;  // the bound / PSI threshold / KS critical value
  double baseline_value = std::numeric_limits<double>::quiet_NaN();  // change: baseline rate
  double p_value = std::numeric_limits<double>::quiet_NaN();         // change: two-sided p-value
  double level = std::numeric_limits<double>::quiet_NaN();  // change: spent level it was tested at
  double support = 0.0;            // (effective) observations behind `value`
  std::uint64_t poll = 0;          // 1-based index of the poll that raised it
  std::uint64_t observations = 0;  // observations seen when it was raised
};

enum class constraint_state : std::uint8_t {
  satisfied = 0,  // the interval lies entirely on the allowed side of the bound
  inconclusive,   // the interval straddles the bound
  violated,       // the interval lies entirely on the wrong side: an alarm
  insufficient,   // fewer than two groups (one for group_rate) have min_support observations
};

constexpr const char* constraint_state_name(constraint_state s) noexcept {
  switch (s) {
    case constraint_state::satisfied:
      return "satisfied";
    case constraint_state::inconclusive:
      return "inconclusive";
    case constraint_state::violated:
      return "violated";
    case constraint_state::insufficient:
      return "insufficient";
  }
  return "unknown";
}

struct constraint_status {
  constraint_state state = constraint_state::insufficient;
  uncertainty::interval value;  // the judged quantity (difference, or the worst group's rate)
  std::uint32_t group = no_group;
  std::uint32_t other_group = no_group;
  bool change_alarm = false;  // some group raised a change alarm at this poll
};

struct group_status {
  double observations =
      0.0;                 // window mass (count; decay: sum of 2^(-age/H), the newest weighing 1)
  double effective = 0.0;  // Kish effective size of all observations (= observations unless decay)
  double labelled = 0.0;   // window mass with a label
  std::array<uncertainty::interval, n_rate_metrics> rates{};  // Wilson, indexed by rate_metric
  double psi = std::numeric_limits<double>::quiet_NaN();
  double ks = std::numeric_limits<double>::quiet_NaN();
};

// poll()'s result. Owned by the monitor and overwritten by the next poll().
struct report {
  std::uint64_t poll = 0;          // 1-based poll index
  std::uint64_t observations = 0;  // observations ever seen
  std::uint64_t window_index = 0;  // tumbling: index of the judged block
  bool window_complete = true;     // tumbling: false while no block has completed yet
  std::uint64_t pending_overwritten =
      0;                                // delayed-label entries overwritten before their label came
  std::uint64_t labels_unknown_id = 0;  // label(id) calls for ids not (or no longer) pending
  std::uint64_t labels_outside_window = 0;     // labels whose observation had left every window
  std::vector<group_status> groups;            // n_groups
  std::vector<constraint_status> constraints;  // one per watched constraint
  std::vector<alarm> alarms;                   // capacity fixed at construction
};

}  // namespace monitor

FAIRGATE_END_NAMESPACE
