// capi/src/monitor.cpp: fairgate_monitor, the C face of fairgate::monitor::monitor.
//
// Everything that allocates happens in fairgate_monitor_create: the C++
// monitor, the copy of the target name and nothing else. observe, label,
// poll and the copies into caller arrays work on memory that exists already
// (the C++ monitor's promise; tests/capi/test_capi_monitor.c counts
// allocations through malloc hooks of its own).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include <fairgate/fairgate.h>
#include <fairgate/metrics/serialize.hpp>
#include <fairgate/monitor/from_policy.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/monitor/rollback.hpp>

#include "gate_handles.hpp"
#include "guard.hpp"
#include "util.hpp"

namespace fmo = fairgate::monitor;

struct fairgate_monitor {
  fmo::monitor impl;
  std::string target;
  fairgate_monitor_alarm_fn on_alarm = nullptr;
  void* user_data = nullptr;
};

using fairgate::errc;
using fairgate::require;
using fairgate::capi::checked_enum;
using fairgate::capi::guard;
using fairgate::capi::read_versioned;
using fairgate::capi::require_array;
using fairgate::capi::require_non_null;

namespace {

// v1 layouts are frozen: new fields only ever go at the end (LP64).
static_assert(sizeof(fairgate_watched_constraint) == 48, "ABI: v1 layout is frozen");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_monitor_options) == 216,
              "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_monitor_alarm) == 104, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_monitor_group) == 264, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_monitor_constraint) == 48, "ABI: v1 layout is frozen");
static_assert(sizeof(fairgate_monitor_summary) == 72, "ABI: v1 layout is frozen");
static_assert(FAIRGATE_N_RATE_METRICS == fmo::n_rate_metrics, "C and C++ rate lists agree");
static_assert(FAIRGATE_NO_GROUP == fmo::no_group && FAIRGATE_NO_CONSTRAINT == fmo::no_constraint);

fairgate_monitor_options default_options() {
  const fmo::monitor_config c;
  fairgate_monitor_options o{};
  o.struct_size = sizeof(o);
  o.n_groups = c.n_groups;
  o.threshold = c.threshold;
  o.window_kind = FAIRGATE_WINDOW_SLIDING;
  o.window_size = c.window.size;
  o.half_life = c.window.half_life;
  o.bins = c.drift.bins;
  o.score_min = c.drift.score_min;
  o.score_max = c.drift.score_max;
  o.psi_threshold = c.drift.psi_threshold;
  o.ks_alpha = c.drift.ks_alpha;
  o.drift_enabled = c.drift.enabled ? 1 : 0;
  o.min_support = c.min_support;
  o.report_confidence = c.report_confidence;
  o.pending_capacity = c.pending_capacity;
  return o;
}

fairgate_watched_constraint default_constraint() {
  const fmo::watched_constraint w;
  fairgate_watched_constraint c{};
  c.struct_size = sizeof(c);
  c.metric = FAIRGATE_RATE_SELECTION;
  c.kind = FAIRGATE_CONSTRAINT_DIFFERENCE;
  c.op = FAIRGATE_BOUND_LE;
  c.bound = w.bound;
  c.confidence = w.confidence;
  c.alpha = w.alpha;
  c.watch_change = w.watch_change ? 1 : 0;
  return c;
}

// The smallest published size of fairgate_watched_constraint (v1).
constexpr std::size_t constraint_v1_size = sizeof(fairgate_watched_constraint);

fmo::monitor_config config_of(const fairgate_monitor_options& o) {
  fmo::monitor_config c;
  c.n_groups = o.n_groups;
  c.threshold = o.threshold;
  c.window.kind = checked_enum<fmo::window_kind>(o.window_kind, 3, "options->window_kind");
  c.window.size = o.window_size;
  c.window.half_life = o.half_life;
  c.drift.bins = o.bins;
  c.drift.score_min = o.score_min;
  c.drift.score_max = o.score_max;
  c.drift.psi_threshold = o.psi_threshold;
  c.drift.ks_alpha = o.ks_alpha;
  c.drift.enabled = o.drift_enabled != 0;
  c.min_support = o.min_support;
  c.report_confidence = o.report_confidence;
  c.pending_capacity = o.pending_capacity;
  if (o.target != nullptr) c.target = o.target;
  require_array(o.constraints, o.n_constraints, "options->constraints");
  if (o.n_constraints > 0) {
    // Every element carries the same struct_size, which is the stride.
    const std::size_t stride = o.constraints[0].struct_size;
    require(stride >= constraint_v1_size && stride % alignof(fairgate_watched_constraint) == 0,
            errc::invalid_argument, [&] {
              return "options->constraints[0].struct_size = " + std::to_string(stride) +
                     " is not a valid size; call fairgate_watched_constraint_init first";
            });
    require(o.n_constraints <= 4096, errc::invalid_argument, [&] {
      return "options->n_constraints = " + std::to_string(o.n_constraints) + ": at most 4096";
    });
    const auto* base = reinterpret_cast<const unsigned char*>(o.constraints);
    c.constraints.reserve(o.n_constraints);
    for (std::size_t k = 0; k < o.n_constraints; ++k) {
      fairgate_watched_constraint w{};
      std::memcpy(&w, base + k * stride, sizeof w);
      const std::string at = "options->constraints[" + std::to_string(k) + "]";
      require(w.struct_size == stride, errc::invalid_argument, [&] {
        return at + ".struct_size = " + std::to_string(w.struct_size) +
               ": every element must have the struct_size of element 0 (" + std::to_string(stride) +
               ")";
      });
      fmo::watched_constraint x;
      x.metric = checked_enum<fmo::rate_metric>(w.metric, FAIRGATE_N_RATE_METRICS,
                                                (at + ".metric").c_str());
      x.kind = checked_enum<fmo::constraint_kind>(w.kind, 2, (at + ".kind").c_str());
      x.op = checked_enum<fmo::bound_op>(w.op, 2, (at + ".op").c_str());
      x.bound = w.bound;
      x.confidence = w.confidence;
      x.alpha = w.alpha;
      x.watch_change = w.watch_change != 0;
      c.constraints.push_back(x);
    }
  }
  return c;
}

fmo::baseline baseline_of(const fairgate_monitor_options& o, const fmo::monitor_config& c) {
  const bool bytes = o.baseline_accumulator != nullptr || o.baseline_accumulator_size > 0 ||
                     o.baseline_histogram != nullptr || o.baseline_histogram_size > 0;
  const bool rows = o.baseline_n > 0 || o.baseline_scores != nullptr ||
                    o.baseline_groups != nullptr || o.baseline_labels != nullptr;
  require(!(bytes && rows), errc::invalid_argument,
          "options: give the baseline either as accumulator bytes (+ histogram) or as rows, not "
          "both");
  fmo::baseline b;
  if (rows) {
    require_non_null(o.baseline_scores, "options->baseline_scores");
    require_non_null(o.baseline_groups, "options->baseline_groups");
    require_non_null(o.baseline_labels, "options->baseline_labels");
    require(o.baseline_n > 0, errc::empty_input,
            "options->baseline_n = 0 but baseline rows were given");
    const std::size_t n = o.baseline_n;
    return fmo::make_baseline(std::span<const double>(o.baseline_scores, n),
                              std::span<const std::uint32_t>(o.baseline_groups, n),
                              std::span<const std::uint8_t>(o.baseline_labels, n), c);
  }
  if (o.baseline_accumulator != nullptr || o.baseline_accumulator_size > 0) {
    require_non_null(o.baseline_accumulator, "options->baseline_accumulator");
    b.counts = fairgate::metrics::deserialize(
        std::span<const std::uint8_t>(o.baseline_accumulator, o.baseline_accumulator_size));
  } else {
    require(o.baseline_histogram == nullptr && o.baseline_histogram_size == 0,
            errc::invalid_argument,
            "options->baseline_histogram needs options->baseline_accumulator as well");
  }
  require_array(o.baseline_histogram, o.baseline_histogram_size, "options->baseline_histogram");
  if (o.baseline_histogram_size > 0)
    b.histogram.assign(o.baseline_histogram, o.baseline_histogram + o.baseline_histogram_size);
  return b;
}

fairgate_interval interval_of(const fairgate::uncertainty::interval& i) {
  fairgate_interval r{};
  r.estimate = i.estimate;
  r.lower = i.lower;
  r.upper = i.upper;
  r.defined = i.defined ? 1 : 0;
  r.low_support = i.low_support ? 1 : 0;
  return r;
}

fairgate_monitor_alarm alarm_of(const fmo::alarm& a) {
  fairgate_monitor_alarm r{};
  r.kind = static_cast<int32_t>(a.kind);
  r.metric = a.kind == fmo::alarm_kind::psi || a.kind == fmo::alarm_kind::ks
                 ? 0
                 : static_cast<int32_t>(a.metric);
  r.constraint = a.constraint;
  r.group = a.group;
  r.other_group = a.other_group;
  r.value = a.value;
  r.lower = a.lower;
  r.upper = a.upper;
  r.threshold = a.threshold;
  r.baseline_value = a.baseline_value;
  r.p_value = a.p_value;
  r.level = a.level;
  r.support = a.support;
  r.poll = a.poll;
  r.observations = a.observations;
  return r;
}

fairgate_monitor& mon_of(fairgate_monitor* m) {
  require_non_null(m, "monitor");
  return *m;
}
const fairgate_monitor& mon_of(const fairgate_monitor* m) {
  require_non_null(m, "monitor");
  return *m;
}

std::int8_t label_of(int32_t label, const char* what) {
  require(label >= -1 && label <= 1, errc::out_of_range, [&] {
    return std::string(what) + " = " + std::to_string(label) +
           ": must be 0, 1 or FAIRGATE_LABEL_UNKNOWN (-1)";
  });
  return static_cast<std::int8_t>(label);
}

// Hands this poll's alarms to the hook, converted on the stack in chunks of
// at most 64 (no allocation; a poll raises at most (2C + 2) * G alarms).
// Returns the hook's first non-zero status, or 0.
int32_t call_hook(const fairgate_monitor& m, const fmo::report& r) {
  if (m.on_alarm == nullptr || r.alarms.empty()) return 0;
  constexpr std::size_t chunk = 64;
  fairgate_monitor_alarm buf[chunk];
  for (std::size_t at = 0; at < r.alarms.size(); at += chunk) {
    const std::size_t n = std::min(chunk, r.alarms.size() - at);
    for (std::size_t i = 0; i < n; ++i) buf[i] = alarm_of(r.alarms[at + i]);
    const int32_t st = m.on_alarm(m.target.c_str(), buf, n, m.user_data);
    if (st != 0) return st;
  }
  return 0;
}

}  // namespace

extern "C" {

fairgate_status fairgate_monitor_options_init(fairgate_monitor_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = default_options();
  });
}

fairgate_status fairgate_watched_constraint_init(fairgate_watched_constraint* constraint) {
  return guard([&] {
    require_non_null(constraint, "constraint");
    *constraint = default_constraint();
  });
}

fairgate_status fairgate_monitor_create(const fairgate_monitor_options* options,
                                        fairgate_monitor** out) {
  return guard([&] {
    require_non_null(options, "options");
    require_non_null(out, "out");
    const fairgate_monitor_options o =
        read_versioned(options, sizeof(fairgate_monitor_options), default_options(), "options");
    fmo::monitor_config cfg = config_of(o);
    fmo::baseline base = baseline_of(o, cfg);
    std::string target = cfg.target;
    auto m = std::unique_ptr<fairgate_monitor>(new fairgate_monitor{
        fmo::monitor(std::move(cfg), std::move(base)), std::move(target), o.on_alarm, o.user_data});
    *out = m.release();
  });
}

void fairgate_monitor_destroy(fairgate_monitor* monitor) {
  delete monitor;
}

fairgate_status fairgate_monitor_observe(fairgate_monitor* monitor, double score, uint32_t group,
                                         int32_t label) {
  return guard([&] {
    auto& m = mon_of(monitor);
    m.impl.observe(score, group, label_of(label, "label"));
  });
}

fairgate_status fairgate_monitor_observe_batch(fairgate_monitor* monitor, const double* scores,
                                               const uint32_t* groups, const int8_t* labels,
                                               size_t n) {
  return guard([&] {
    auto& m = mon_of(monitor);
    require_array(scores, n, "scores");
    require_array(groups, n, "groups");
    const std::uint32_t G = m.impl.config().n_groups;
    for (std::size_t i = 0; i < n; ++i) {  // validate all first: all or nothing
      require(std::isfinite(scores[i]), errc::invalid_value, [&] {
        return "scores[" + std::to_string(i) + "] = " + std::to_string(scores[i]) +
               ": must be finite";
      });
      require(groups[i] < G, errc::out_of_range, [&] {
        return "groups[" + std::to_string(i) + "] = " + std::to_string(groups[i]) +
               " must be < n_groups = " + std::to_string(G);
      });
      if (labels != nullptr) {
        require(labels[i] >= -1 && labels[i] <= 1, errc::out_of_range, [&] {
          return "labels[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
                 ": must be 0, 1 or -1 (unknown)";
        });
      }
    }
    for (std::size_t i = 0; i < n; ++i)
      m.impl.observe(scores[i], groups[i], labels != nullptr ? labels[i] : fmo::no_label);
  });
}

fairgate_status fairgate_monitor_observe_unlabeled(fairgate_monitor* monitor, uint64_t id,
                                                   double score, uint32_t group) {
  return guard([&] { mon_of(monitor).impl.observe_unlabeled(id, score, group); });
}

fairgate_status fairgate_monitor_label(fairgate_monitor* monitor, uint64_t id, int32_t y,
                                       int32_t* out_result) {
  return guard([&] {
    auto& m = mon_of(monitor);
    require(y == 0 || y == 1, errc::out_of_range, [&] {
      return "label for id " + std::to_string(id) + ": y = " + std::to_string(y) +
             ": must be 0 or 1";
    });
    const auto r = m.impl.label(id, static_cast<std::uint8_t>(y));
    if (out_result != nullptr) *out_result = static_cast<int32_t>(r);
  });
}

fairgate_status fairgate_monitor_poll(fairgate_monitor* monitor,
                                      fairgate_monitor_summary* out_summary) {
  int32_t hook = 0;
  std::uint64_t poll = 0;
  const fairgate_status st = guard([&] {
    auto& m = mon_of(monitor);
    if (out_summary != nullptr) {
      require(out_summary->struct_size >= sizeof(fairgate_monitor_summary), errc::invalid_argument,
              [&] {
                return "out_summary->struct_size = " + std::to_string(out_summary->struct_size) +
                       ": set it to sizeof(fairgate_monitor_summary)";
              });
    }
    const fmo::report& r = m.impl.poll();
    if (out_summary != nullptr) {
      fairgate_monitor_summary s{};
      s.struct_size = sizeof(s);
      s.window_complete = r.window_complete ? 1 : 0;
      s.poll = r.poll;
      s.observations = r.observations;
      s.window_index = r.window_index;
      s.pending_overwritten = r.pending_overwritten;
      s.labels_unknown_id = r.labels_unknown_id;
      s.labels_outside_window = r.labels_outside_window;
      s.n_groups = static_cast<uint32_t>(r.groups.size());
      s.n_constraints = static_cast<uint32_t>(r.constraints.size());
      s.n_alarms = static_cast<uint32_t>(r.alarms.size());
      s.alarm_capacity = static_cast<uint32_t>(r.alarms.capacity());
      std::memcpy(out_summary, &s, sizeof s);
    }
    poll = r.poll;
    hook = call_hook(m, r);
  });
  if (st != FAIRGATE_OK || hook == 0) return st;
  // The host's hook failed: its status (values outside fairgate_status become
  // FAIRGATE_E_INVALID_VALUE), with a message saying where.
  const auto code = hook >= FAIRGATE_E_INVALID_ARGUMENT && hook <= FAIRGATE_E_OUT_OF_MEMORY
                        ? static_cast<fairgate_status>(hook)
                        : FAIRGATE_E_INVALID_VALUE;
  return fairgate::capi::set_error(code, "monitor: the alarm hook returned " +
                                             std::to_string(hook) + " at poll " +
                                             std::to_string(poll));
}

fairgate_status fairgate_monitor_groups(const fairgate_monitor* monitor,
                                        fairgate_monitor_group* out, size_t capacity,
                                        size_t* out_n) {
  return guard([&] {
    const auto& m = mon_of(monitor);
    require_non_null(out_n, "out_n");
    const auto& gs = m.impl.last_report().groups;
    if (capacity >= gs.size()) {
      require_array(out, gs.size(), "out");
      for (std::size_t g = 0; g < gs.size(); ++g) {
        fairgate_monitor_group x{};
        x.observations = gs[g].observations;
        x.effective = gs[g].effective;
        x.labelled = gs[g].labelled;
        for (std::size_t k = 0; k < fmo::n_rate_metrics; ++k)
          x.rates[k] = interval_of(gs[g].rates[k]);
        x.psi = gs[g].psi;
        x.ks = gs[g].ks;
        out[g] = x;
      }
    }
    *out_n = gs.size();
  });
}

fairgate_status fairgate_monitor_constraints(const fairgate_monitor* monitor,
                                             fairgate_monitor_constraint* out, size_t capacity,
                                             size_t* out_n) {
  return guard([&] {
    const auto& m = mon_of(monitor);
    require_non_null(out_n, "out_n");
    const auto& cs = m.impl.last_report().constraints;
    if (capacity >= cs.size()) {
      require_array(out, cs.size(), "out");
      for (std::size_t k = 0; k < cs.size(); ++k) {
        fairgate_monitor_constraint x{};
        x.state = static_cast<int32_t>(cs[k].state);
        x.change_alarm = cs[k].change_alarm ? 1 : 0;
        x.group = cs[k].group;
        x.other_group = cs[k].other_group;
        x.value = interval_of(cs[k].value);
        out[k] = x;
      }
    }
    *out_n = cs.size();
  });
}

fairgate_status fairgate_monitor_alarms(const fairgate_monitor* monitor,
                                        fairgate_monitor_alarm* out, size_t capacity,
                                        size_t* out_n) {
  return guard([&] {
    const auto& m = mon_of(monitor);
    require_non_null(out_n, "out_n");
    const auto& as = m.impl.last_report().alarms;
    if (capacity >= as.size()) {
      require_array(out, as.size(), "out");
      for (std::size_t i = 0; i < as.size(); ++i) out[i] = alarm_of(as[i]);
    }
    *out_n = as.size();
  });
}

fairgate_status fairgate_monitor_reset(fairgate_monitor* monitor) {
  return guard([&] { mon_of(monitor).impl.reset(); });
}

fairgate_status fairgate_monitor_save(const fairgate_monitor* monitor, uint8_t* buffer,
                                      size_t capacity, size_t* out_size) {
  return guard([&] {
    const auto& m = mon_of(monitor);
    require_non_null(out_size, "out_size");
    const std::size_t need = m.impl.state_size();
    if (capacity >= need) {
      require_non_null(buffer, "buffer");
      m.impl.save_state(std::span<std::uint8_t>(buffer, need));
    }
    *out_size = need;
  });
}

fairgate_status fairgate_monitor_restore(fairgate_monitor* monitor, const uint8_t* bytes,
                                         size_t size) {
  return guard([&] {
    auto& m = mon_of(monitor);
    require_array(bytes, size, "bytes");
    m.impl.load_state(std::span<const std::uint8_t>(bytes, size));
  });
}

fairgate_status fairgate_monitor_memory_bytes(const fairgate_monitor* monitor, size_t* out_bytes) {
  return guard([&] {
    const auto& m = mon_of(monitor);
    require_non_null(out_bytes, "out_bytes");
    *out_bytes = m.impl.memory_bytes();
  });
}

fairgate_status fairgate_monitor_constraints_from_policy(const fairgate_policy* policy,
                                                         const char* target,
                                                         fairgate_watched_constraint* out,
                                                         size_t capacity, size_t* out_n,
                                                         size_t* out_n_skipped) {
  return guard([&] {
    const auto& p = fairgate::capi::policy_of(policy);
    const std::string name = fairgate::capi::string_arg(target, "target");
    require_non_null(out_n, "out_n");
    const fairgate::policy::target* t = nullptr;
    std::string names;
    for (const auto& x : p.targets) {
      if (x.name == name) t = &x;
      names += (names.empty() ? "" : ", ") + x.name;
    }
    require(t != nullptr, errc::invalid_argument, [&] {
      return "target \"" + name + "\" is not in the policy (targets: " + names + ")";
    });
    const fmo::policy_mapping m = fmo::watched_from_policy(*t);
    if (capacity >= m.watched.size()) {
      require_array(out, m.watched.size(), "out");
      for (std::size_t k = 0; k < m.watched.size(); ++k) {
        const fmo::watched_constraint& w = m.watched[k];
        fairgate_watched_constraint c = default_constraint();
        c.metric = static_cast<int32_t>(w.metric);
        c.kind = static_cast<int32_t>(w.kind);
        c.op = static_cast<int32_t>(w.op);
        c.bound = w.bound;
        c.confidence = w.confidence;
        c.alpha = w.alpha;
        c.watch_change = w.watch_change ? 1 : 0;
        out[k] = c;
      }
    }
    *out_n = m.watched.size();
    if (out_n_skipped != nullptr) *out_n_skipped = m.skipped.size();
  });
}

fairgate_status fairgate_monitor_record_known_good(fairgate_manifest* manifest,
                                                   const char* store_dir, const char* target,
                                                   const void* bytes, size_t size) {
  return guard([&] {
    require_non_null(manifest, "manifest");
    const std::string dir = fairgate::capi::string_arg(store_dir, "store_dir");
    const std::string name = fairgate::capi::string_arg(target, "target");
    require_array(bytes, size, "bytes");
    const std::string artifact = fmo::last_good_artifact_name(name);
    const std::span<const std::byte> b(static_cast<const std::byte*>(bytes), size);
    fairgate::io::content_store store(dir);
    (void)store.put(b);
    (void)manifest->value.add_artifact(artifact, b);
  });
}

fairgate_status fairgate_monitor_last_known_good(const fairgate_manifest* manifest,
                                                 const char* store_dir, const char* target,
                                                 uint8_t* buffer, size_t capacity,
                                                 size_t* out_size) {
  return guard([&] {
    require_non_null(manifest, "manifest");
    const std::string dir = fairgate::capi::string_arg(store_dir, "store_dir");
    const std::string name = fairgate::capi::string_arg(target, "target");
    require_non_null(out_size, "out_size");
    const fairgate::io::content_store store(dir);
    const fmo::known_good_config good = fmo::last_known_good(manifest->value, store, name);
    if (capacity >= good.bytes.size() && !good.bytes.empty()) {
      require_non_null(buffer, "buffer");
      std::memcpy(buffer, good.bytes.data(), good.bytes.size());
    }
    *out_size = good.bytes.size();
  });
}

}  // extern "C"
