// fairgate/monitor/monitor.hpp: a fixed-memory streaming fairness monitor for an inference runtime.
//
//   namespace fm = fairgate::monitor;
//   fm::monitor mon(cfg, fm::make_baseline(val_scores, val_groups, val_labels, cfg));
//   mon.observe(score, group, label);                 // O(1), never allocates
//   mon.observe_unlabeled(id, score, group);  mon.label(id, 1);   // delayed labels
//   const fm::report& r = mon.poll();                 // rates, Wilson CIs, constraint states,
//   alarms
//
// STATE. Per window block and group: 6 confusion cells (tp, fp, tn, fn,
// unlabelled predicted 1, unlabelled predicted 0), their sums of squared
// weights (for Kish's effective size under decay), and `bins` score-histogram
// cells. Tumbling windows keep two blocks (the one filling and the last
// complete one), sliding and decay windows one. Everything is allocated in
// the constructor; observe/label/poll never allocate (tests/monitor checks
// this with a counting operator new). Only error paths (a thrown
// fairgate::error) allocate.
//
// WINDOWS.
//  - tumbling N: observations 0..N-1 form block 0, N..2N-1 block 1, ...;
//    poll() judges the last COMPLETE block (the filling one until the first
//    block completes; report::window_complete says which).
//  - sliding N: the last N observations. A ring of N packed entries (group,
//    cell, bin) lets the oldest be subtracted in O(1) when a new one arrives.
//  - decay with half-life H: an observation of age a weighs 2^(-a/H). Done in
//    O(1) by giving observation t the weight s_t = r^-t (r = 2^(-1/H)) instead
//    of decaying every cell; when s_t exceeds 2^256 every cell is multiplied
//    by 2^-256 (exact) and s_t with it. Ratios (rates) are unchanged by the
//    common scale. r^-1 = exp(ln 2 / H) via fairgate::math::exp.
//  Counting windows hold integer counts in doubles (exact below 2^53).
//
// DELAYED LABELS. observe_unlabeled(id, ...) records the observation as
// unlabelled (it counts for selection_rate and the score histogram at once)
// and keeps (id, sequence number, cell, weight) in a ring of
// pending_capacity entries, indexed by an open-addressing hash table
// (linear probing, backward-shift deletion; Knuth, TAOCP vol. 3, 6.4,
// Algorithm R). label(id, y) moves the observation from its unlabelled cell
// to its labelled cell in whichever block still holds it. When the ring is
// full the oldest entry is overwritten; overwritten entries that never got a
// label are counted (report::pending_overwritten), as are labels for unknown
// ids and labels whose observation already left every window.
//
// ALARMS (docs/monitoring.md has the full rationale):
//  (a) parity_bound: a constraint is violated only when its confidence
//      interval lies entirely on the wrong side of the bound (difference:
//      Newcombe's interval for the highest minus the lowest group rate, from
//      their Wilson intervals; group_rate: each group's Wilson interval).
//  (b) change: per group, a pooled two-proportion z test of the window rate
//      against the baseline rate, at level spent_alpha(alpha, poll) / n_groups
//      (alpha spent over the open-ended sequence of polls, Bonferroni over
//      groups): the probability of any false change alarm over the
//      monitor's life is <= alpha per constraint (sequential.hpp).
//  (c) psi / ks: each group's score histogram against the baseline's
//      (drift.hpp). These are screening statistics judged at every poll
//      (PSI is a rule of thumb, the KS level is per poll).
// Groups whose (effective) denominator is below min_support are not judged.
//
// DETERMINISM. Every operation is a fixed sequence of IEEE operations on the
// stream in arrival order (no threads, no hash-map iteration for output, the
// deterministic exp/log/normal quantile), so the same stream gives the same
// report bit for bit on every target (tests/monitor/golden_monitor.cpp).
//
// MEMORY (bytes, excluding the fixed-size object itself; memory_bytes()):
//   blocks * G * (12 + K) * 8            blocks = 2 tumbling, 1 otherwise
//   + (sliding ? N * 8 : 0)              the eviction ring
//   + P * 40 + 4 * pow2ceil(2P)          delayed-label ring and its index
//   + G * (6 + K) * 8                    baseline cells and histogram (as read)
//   + report: G * sizeof(group_status) + C * sizeof(constraint_status)
//             + (2C + 2) * G * sizeof(alarm)   (at most 2G alarms per constraint, 2G drift)
// with G groups, K bins, N window size, P pending_capacity, C constraints.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/digest.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/monitor/config.hpp>
#include <fairgate/monitor/drift.hpp>
#include <fairgate/monitor/sequential.hpp>
#include <fairgate/uncertainty/wilson.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace monitor {

inline constexpr std::int8_t no_label = -1;

enum class label_result : std::uint8_t {
  applied = 0,  // the observation's window statistics now include the label
  unknown_id,   // no pending observation has this id (never seen, already labelled, or overwritten)
  outside_window,  // the observation already left every window; the label is dropped (counted)
};

namespace monitor_detail {

// Cells: 0 tp, 1 fp, 2 tn, 3 fn, 4 unlabelled predicted 1, 5 unlabelled predicted 0.
inline constexpr std::uint32_t n_cells = 6;

// Bit masks over the cells: numerator and denominator of each rate_metric.
struct rate_cells {
  std::uint8_t num, den;
};
inline constexpr std::array<rate_cells, n_rate_metrics> rate_masks = {{
    {0b010011, 0b111111},  // selection_rate: tp + fp + u1 over all
    {0b000001, 0b001001},  // tpr: tp / (tp + fn)
    {0b000010, 0b000110},  // fpr: fp / (fp + tn)
    {0b000100, 0b000110},  // tnr: tn / (fp + tn)
    {0b001000, 0b001001},  // fnr: fn / (tp + fn)
    {0b000101, 0b001111},  // accuracy: (tp + tn) / labelled
    {0b000001, 0b000011},  // precision: tp / (tp + fp)
}};

inline std::uint32_t cell_of(bool pred, std::int8_t label) noexcept {
  if (label < 0) return pred ? 4u : 5u;
  if (label == 1) return pred ? 0u : 3u;
  return pred ? 1u : 2u;
}

// Mass behind a rate: successes, trials and sum of squared weights of the trials.
struct rate_mass {
  double num = 0.0, den = 0.0, den_sq = 0.0;
};

inline rate_mass mass_of(const double* cells, const double* cells_sq, rate_metric m) noexcept {
  const rate_cells rc = rate_masks[static_cast<std::size_t>(m)];
  rate_mass r;
  for (std::uint32_t c = 0; c < n_cells; ++c) {  // fixed order
    if (rc.num >> c & 1u) r.num += cells[c];
    if (rc.den >> c & 1u) {
      r.den += cells[c];
      r.den_sq += cells_sq[c];
    }
  }
  return r;
}

inline double effective_size(const rate_mass& r, bool weighted) noexcept {
  if (!weighted) return r.den;
  return r.den_sq > 0.0 ? r.den * r.den / r.den_sq : 0.0;
}

inline uncertainty::interval interval_of(const rate_mass& r, bool weighted, double confidence) {
  uncertainty::wilson_options o;
  o.confidence = confidence;
  if (!weighted) {
    return uncertainty::wilson_interval(static_cast<std::uint64_t>(r.num),
                                        static_cast<std::uint64_t>(r.den), o);
  }
  // Decayed masses: the numerator can exceed the denominator by rounding only.
  const double num = r.num > r.den ? r.den : r.num;
  return uncertainty::wilson_interval_weighted(num, r.den, r.den_sq, o);
}

// Hash of a 64-bit id (splitmix64's finaliser: a fixed, documented bijection).
inline std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace monitor_detail

// Builds a baseline from validation rows (score, group, label in {0, 1}) with
// the monitor's threshold and bins. Allocates (it runs before deployment).
[[nodiscard]] inline baseline make_baseline(std::span<const double> scores,
                                            std::span<const std::uint32_t> groups,
                                            std::span<const std::uint8_t> labels,
                                            const monitor_config& cfg);

class monitor {
 public:
  explicit monitor(monitor_config cfg, baseline base = {}) : cfg_(std::move(cfg)) {
    validate(base);
    const std::uint32_t G = cfg_.n_groups, K = cfg_.drift.bins;
    stride_ = 2 * monitor_detail::n_cells + K;
    weighted_ = cfg_.window.kind == window_kind::decay;
    const std::size_t blocks = cfg_.window.kind == window_kind::tumbling ? 2 : 1;
    cells_.assign(blocks * G * stride_, 0.0);
    if (cfg_.window.kind == window_kind::sliding) ring_.assign(cfg_.window.size, 0);
    if (weighted_) {
      inv_r_ = math::exp(0.6931471805599453 / cfg_.window.half_life);  // exp(ln 2 / H)
      scale_ = 1.0 / inv_r_;
    }
    pending_.assign(cfg_.pending_capacity, pending_entry{});
    std::size_t h = 1;
    while (h < 2 * static_cast<std::size_t>(cfg_.pending_capacity)) h <<= 1;
    index_.assign(h, 0);
    index_mask_ = h - 1;
    // Baseline as doubles (cells) and counts (histogram).
    has_baseline_ = base.counts.n_groups() != 0;
    if (has_baseline_) {
      base_cells_.assign(static_cast<std::size_t>(G) * monitor_detail::n_cells, 0.0);
      for (std::uint32_t g = 0; g < G; ++g) {
        const auto& c = base.counts.counts(g);
        double* b = &base_cells_[static_cast<std::size_t>(g) * monitor_detail::n_cells];
        b[0] = static_cast<double>(c.tp);
        b[1] = static_cast<double>(c.fp);
        b[2] = static_cast<double>(c.tn);
        b[3] = static_cast<double>(c.fn);
      }
    }
    base_hist_ = std::move(base.histogram);
    base_hist_total_.assign(base_hist_.empty() ? 0 : G, 0.0);
    for (std::size_t i = 0; i < base_hist_.size(); ++i)
      base_hist_total_[i / K] += static_cast<double>(base_hist_[i]);
    const std::size_t C = cfg_.constraints.size();
    report_.groups.assign(G, group_status{});
    report_.constraints.assign(C, constraint_status{});
    report_.alarms.reserve((2 * C + 2) * static_cast<std::size_t>(G));  // see alarm_capacity()
    bin_scale_ = static_cast<double>(K) / (cfg_.drift.score_max - cfg_.drift.score_min);
  }

  // Not copyable: a copied std::vector does not keep the reserved alarm
  // capacity, and poll() must not allocate. Moves keep every buffer.
  monitor(const monitor&) = delete;
  monitor& operator=(const monitor&) = delete;
  monitor(monitor&&) noexcept = default;
  monitor& operator=(monitor&&) noexcept = default;

  [[nodiscard]] const monitor_config& config() const noexcept { return cfg_; }
  [[nodiscard]] std::uint64_t observations() const noexcept { return seq_; }

  // One prediction. label: 0, 1, or no_label (-1). O(1), no allocation.
  void observe(double score_or_pred, std::uint32_t group, std::int8_t label = no_label) {
    check_observation(score_or_pred, group);
    require(label >= -1 && label <= 1, errc::out_of_range, [&] {
      return "monitor::observe: label = " + std::to_string(label) +
             ": must be 0, 1 or no_label (-1)";
    });
    add(score_or_pred, group, label);
  }

  // A prediction whose label will arrive later through label(id, y). `id` must
  // not be pending already (errc::invalid_argument).
  void observe_unlabeled(std::uint64_t id, double score_or_pred, std::uint32_t group) {
    check_observation(score_or_pred, group);
    require(find(id) == npos, errc::invalid_argument, [&] {
      return "monitor::observe_unlabeled: id " + std::to_string(id) +
             " is already awaiting its label";
    });
    const std::uint64_t seq = seq_;
    const double w = add(score_or_pred, group, no_label);
    // Overwrite the oldest ring entry when full.
    const std::uint32_t P = cfg_.pending_capacity;
    if (pending_size_ == P) {
      pending_entry& old = pending_[pending_head_];
      if (old.live) {
        ++overwritten_;
        erase(old.id);
      }
      pending_head_ = (pending_head_ + 1) % P;
      --pending_size_;
    }
    const std::uint32_t slot = (pending_head_ + pending_size_) % P;
    ++pending_size_;
    pending_[slot] =
        pending_entry{id, seq, w, epoch_, group, score_or_pred >= cfg_.threshold, true};
    insert(id, slot);
  }

  // The label y in {0, 1} of a pending observation. O(1) expected.
  label_result label(std::uint64_t id, std::uint8_t y) {
    require(y <= 1, errc::out_of_range, [&] {
      return "monitor::label: id " + std::to_string(id) + ": y = " + std::to_string(y) +
             ": must be 0 or 1";
    });
    const std::size_t at = find(id);
    if (at == npos) {
      ++unknown_;
      return label_result::unknown_id;
    }
    pending_entry& e = pending_[index_[at] - 1];
    erase_at(at);
    e.live = false;
    const std::uint32_t from = e.pred ? 4u : 5u;
    const std::uint32_t to = monitor_detail::cell_of(e.pred, static_cast<std::int8_t>(y));
    const std::uint64_t N = cfg_.window.size;
    double* block = nullptr;
    double w = 1.0;
    switch (cfg_.window.kind) {
      case window_kind::sliding:
        if (seq_ - e.seq <= N) {
          block = cells_.data();
          std::uint64_t& r = ring_[e.seq % N];
          r = (r & ~std::uint64_t{0xff}) | to;
        }
        break;
      case window_kind::tumbling: {
        const std::uint64_t win = e.seq / N, cur = seq_ / N;
        if (win == cur)
          block = current_block();
        else if (win + 1 == cur)
          block = last_block();
        break;
      }
      case window_kind::decay: {
        const std::uint64_t d = epoch_ - e.epoch;
        if (d < 4) {  // older weights are below 2^-768 of the newest: already gone
          block = cells_.data();
          w = std::ldexp(e.weight, -256 * static_cast<int>(d));
        }
        break;
      }
    }
    if (block == nullptr) {
      ++outside_;
      return label_result::outside_window;
    }
    double* c = block + static_cast<std::size_t>(e.group) * stride_;
    double* c2 = c + monitor_detail::n_cells;
    c[from] -= w;
    if (c[from] < 0.0) c[from] = 0.0;
    c[to] += w;
    if (weighted_) {
      c2[from] -= w * w;
      if (c2[from] < 0.0) c2[from] = 0.0;
      c2[to] += w * w;
    } else {
      c2[from] = c[from];
      c2[to] = c[to];
    }
    return label_result::applied;
  }

  // Evaluates the window: per-group rates with Wilson intervals, every watched
  // constraint's state, and the alarms. The returned report is owned by the
  // monitor and overwritten by the next poll(). No allocation.
  const report& poll() {
    report& r = report_;
    r.poll = ++polls_;
    r.observations = seq_;
    r.pending_overwritten = overwritten_;
    r.labels_unknown_id = unknown_;
    r.labels_outside_window = outside_;
    r.alarms.clear();
    const double* block = cells_.data();
    r.window_complete = true;
    r.window_index = 0;
    if (cfg_.window.kind == window_kind::tumbling) {
      const std::uint64_t cur = seq_ / cfg_.window.size;
      if (cur == 0) {
        block = current_block();
        r.window_complete = false;
      } else {
        block = last_block();
        r.window_index = cur - 1;
      }
    }
    const std::uint32_t G = cfg_.n_groups, K = cfg_.drift.bins;
    const double min_support = static_cast<double>(cfg_.min_support);
    for (std::uint32_t g = 0; g < G; ++g) {
      const double* c = group_cells(block, g);
      const double* c2 = c + monitor_detail::n_cells;
      group_status& s = r.groups[g];
      const auto all = monitor_detail::mass_of(c, c2, rate_metric::selection_rate);
      // Decay: masses in units of the newest observation's weight (which is 1).
      const double unit = weighted_ ? 1.0 / scale_ : 1.0;
      s.observations = all.den * unit;
      s.effective = monitor_detail::effective_size(all, weighted_);
      s.labelled = monitor_detail::mass_of(c, c2, rate_metric::accuracy).den * unit;
      for (std::uint32_t m = 0; m < n_rate_metrics; ++m) {
        const auto mass = monitor_detail::mass_of(c, c2, static_cast<rate_metric>(m));
        s.rates[m] = monitor_detail::interval_of(mass, weighted_, cfg_.report_confidence);
        s.rates[m].low_support = monitor_detail::effective_size(mass, weighted_) < min_support;
      }
      s.psi = s.ks = std::numeric_limits<double>::quiet_NaN();
      if (cfg_.drift.enabled && !base_hist_.empty() && s.effective >= min_support &&
          base_hist_total_[g] > 0.0) {
        const std::span<const std::uint64_t> e(&base_hist_[static_cast<std::size_t>(g) * K], K);
        const std::span<const double> a(c + 2 * monitor_detail::n_cells, K);
        s.psi = population_stability_index(e, a);
        s.ks = ks_statistic_binned(e, a);
        if (s.psi > cfg_.drift.psi_threshold) {
          alarm al = base_alarm(alarm_kind::psi, no_constraint, g, s.psi, cfg_.drift.psi_threshold,
                                s.effective);
          r.alarms.push_back(al);
        }
        const double crit =
            ks_critical_value(cfg_.drift.ks_alpha, base_hist_total_[g], s.effective);
        if (s.ks > crit)
          r.alarms.push_back(base_alarm(alarm_kind::ks, no_constraint, g, s.ks, crit, s.effective));
      }
    }
    for (std::uint32_t k = 0; k < cfg_.constraints.size(); ++k) evaluate(block, k);
    return r;
  }

  // The report of the last poll() (before the first poll: empty statistics).
  [[nodiscard]] const report& last_report() const noexcept { return report_; }

  // Back to the state right after construction (same configuration and
  // baseline): every window, the delayed-label ring, the counters and the
  // poll index are cleared. No allocation.
  void reset() noexcept {
    std::fill(cells_.begin(), cells_.end(), 0.0);
    std::fill(ring_.begin(), ring_.end(), std::uint64_t{0});
    std::fill(pending_.begin(), pending_.end(), pending_entry{});
    std::fill(index_.begin(), index_.end(), std::uint32_t{0});
    pending_head_ = pending_size_ = 0;
    scale_ = weighted_ ? 1.0 / inv_r_ : 1.0;
    epoch_ = 0;
    seq_ = polls_ = overwritten_ = unknown_ = outside_ = 0;
    std::fill(report_.groups.begin(), report_.groups.end(), group_status{});
    std::fill(report_.constraints.begin(), report_.constraints.end(), constraint_status{});
    report_.alarms.clear();
    report_.poll = report_.observations = report_.window_index = 0;
    report_.window_complete = true;
    report_.pending_overwritten = report_.labels_unknown_id = report_.labels_outside_window = 0;
  }

  // --- the streaming state as bytes (a checkpoint for a runtime restart) ----
  // Layout, version 1 (integers little-endian on every host; doubles as
  // their IEEE-754 bit patterns, so a restore is bit-exact):
  //   "FGMS", u16 version = 1, u16 0, u64 fingerprint of the configuration
  //   u64 |cells|, |ring|, |pending|, |index|; then those arrays
  //   (pending entries as u64 id, u64 seq, f64 weight, u32 epoch, u32 group,
  //   u8 pred, u8 live), u32 pending head, u32 pending size, f64 scale,
  //   u32 epoch, u64 seq, polls, overwritten, unknown, outside
  //   u64 FNV-1a 64 of every preceding byte
  // The configuration and the baseline are NOT in the bytes: a state is
  // restored into a monitor constructed with the same configuration (checked
  // through the fingerprint). The last report is not saved; poll() again.
  [[nodiscard]] std::size_t state_size() const noexcept {
    return 8 + 8 + 32 + 8 * (cells_.size() + ring_.size()) + 34 * pending_.size() +
           4 * index_.size() + 4 + 4 + 8 + 4 + 40 + 8;
  }

  // Writes state_size() bytes to out (errc::length_mismatch if it is
  // shorter). No allocation.
  void save_state(std::span<std::uint8_t> out) const {
    require(out.size() >= state_size(), errc::length_mismatch, [&] {
      return "monitor::save_state: the buffer has " + std::to_string(out.size()) +
             " bytes, the state needs " + std::to_string(state_size());
    });
    state_writer w{out.data()};
    w.bytes("FGMS", 4);
    w.u(state_version, 2);
    w.u(0, 2);
    w.u(fingerprint(), 8);
    w.u(cells_.size(), 8);
    w.u(ring_.size(), 8);
    w.u(pending_.size(), 8);
    w.u(index_.size(), 8);
    for (double c : cells_) w.f(c);
    for (std::uint64_t r : ring_) w.u(r, 8);
    for (const pending_entry& e : pending_) {
      w.u(e.id, 8);
      w.u(e.seq, 8);
      w.f(e.weight);
      w.u(e.epoch, 4);
      w.u(e.group, 4);
      w.u(e.pred ? 1 : 0, 1);
      w.u(e.live ? 1 : 0, 1);
    }
    for (std::uint32_t i : index_) w.u(i, 4);
    w.u(pending_head_, 4);
    w.u(pending_size_, 4);
    w.f(scale_);
    w.u(epoch_, 4);
    w.u(seq_, 8);
    w.u(polls_, 8);
    w.u(overwritten_, 8);
    w.u(unknown_, 8);
    w.u(outside_, 8);
    fnv1a64 h;
    h.update(
        std::span<const std::uint8_t>(out.data(), static_cast<std::size_t>(w.at - out.data())));
    w.u(h.value(), 8);
  }

  // Restores a state written by save_state() of a monitor with the same
  // configuration. Every byte is validated before anything changes (on error
  // the monitor is untouched): wrong magic or a malformed body ->
  // errc::parse_error, a newer version -> errc::unsupported, another
  // configuration or a checksum mismatch -> errc::verification_failed. The
  // last report is cleared (poll() again). No allocation.
  void load_state(std::span<const std::uint8_t> in) {
    require(in.size() >= 16 && std::equal(in.begin(), in.begin() + 4, "FGMS"), errc::parse_error,
            "monitor::load_state: not a monitor state (the bytes do not start with \"FGMS\")");
    state_reader r{in.data()};
    r.at += 4;
    const auto version = r.u(2);
    require(version <= state_version, errc::unsupported, [&] {
      return "monitor::load_state: state version " + std::to_string(version) +
             " is newer than this build reads (" + std::to_string(state_version) + ")";
    });
    require(version == state_version && r.u(2) == 0, errc::parse_error,
            "monitor::load_state: malformed header");
    require(in.size() == state_size(), errc::parse_error, [&] {
      return "monitor::load_state: " + std::to_string(in.size()) +
             " bytes, but a state of this monitor's configuration has " +
             std::to_string(state_size());
    });
    fnv1a64 h;
    h.update(in.first(in.size() - 8));
    state_reader tail{in.data() + in.size() - 8};
    require(tail.u(8) == h.value(), errc::verification_failed,
            "monitor::load_state: checksum mismatch (corrupted or truncated state)");
    require(r.u(8) == fingerprint(), errc::verification_failed,
            "monitor::load_state: the state was saved by a monitor with another configuration");
    require(r.u(8) == cells_.size() && r.u(8) == ring_.size() && r.u(8) == pending_.size() &&
                r.u(8) == index_.size(),
            errc::parse_error, "monitor::load_state: array sizes do not match the configuration");
    // Validate the values that index memory before writing anything.
    {
      state_reader v = r;
      v.at += 8 * cells_.size();
      const std::uint32_t G = cfg_.n_groups, K = cfg_.drift.bins;
      for (std::size_t i = 0; i < ring_.size(); ++i) {
        const std::uint64_t s = v.u(8);
        require(
            (s >> 32) < G && ((s >> 8) & 0xffffffu) < K && (s & 0xffu) < monitor_detail::n_cells,
            errc::parse_error, [&] {
              return "monitor::load_state: ring entry " + std::to_string(i) + " is out of range";
            });
      }
      for (std::size_t i = 0; i < pending_.size(); ++i) {
        v.at += 24 + 4;
        const auto g = v.u(4), pred = v.u(1), live = v.u(1);
        require(g < G && pred <= 1 && live <= 1, errc::parse_error, [&] {
          return "monitor::load_state: pending entry " + std::to_string(i) + " is out of range";
        });
      }
      for (std::size_t i = 0; i < index_.size(); ++i) {
        require(v.u(4) <= pending_.size(), errc::parse_error, [&] {
          return "monitor::load_state: index entry " + std::to_string(i) + " is out of range";
        });
      }
      const auto head = v.u(4), size = v.u(4);
      require(head < pending_.size() && size <= pending_.size(), errc::parse_error,
              "monitor::load_state: the delayed-label ring's head or size is out of range");
    }
    for (double& c : cells_) c = r.f();
    for (std::uint64_t& s : ring_) s = r.u(8);
    for (pending_entry& e : pending_) {
      e.id = r.u(8);
      e.seq = r.u(8);
      e.weight = r.f();
      e.epoch = static_cast<std::uint32_t>(r.u(4));
      e.group = static_cast<std::uint32_t>(r.u(4));
      e.pred = r.u(1) != 0;
      e.live = r.u(1) != 0;
    }
    for (std::uint32_t& i : index_) i = static_cast<std::uint32_t>(r.u(4));
    pending_head_ = static_cast<std::uint32_t>(r.u(4));
    pending_size_ = static_cast<std::uint32_t>(r.u(4));
    scale_ = r.f();
    epoch_ = static_cast<std::uint32_t>(r.u(4));
    seq_ = r.u(8);
    polls_ = r.u(8);
    overwritten_ = r.u(8);
    unknown_ = r.u(8);
    outside_ = r.u(8);
    report_.alarms.clear();
  }

  // Heap bytes held (the formula in the top comment, as allocated).
  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    return cells_.capacity() * sizeof(double) + ring_.capacity() * sizeof(std::uint64_t) +
           pending_.capacity() * sizeof(pending_entry) + index_.capacity() * sizeof(std::uint32_t) +
           base_cells_.capacity() * sizeof(double) + base_hist_.capacity() * sizeof(std::uint64_t) +
           base_hist_total_.capacity() * sizeof(double) +
           report_.groups.capacity() * sizeof(group_status) +
           report_.constraints.capacity() * sizeof(constraint_status) +
           report_.alarms.capacity() * sizeof(alarm) +
           cfg_.constraints.capacity() * sizeof(watched_constraint);
  }

 private:
  struct pending_entry {
    std::uint64_t id = 0;
    std::uint64_t seq = 0;
    double weight = 0.0;
    std::uint32_t epoch = 0;
    std::uint32_t group = 0;
    bool pred = false;
    bool live = false;
  };
  static_assert(sizeof(pending_entry) == 40);
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::uint16_t state_version = 1;

  // Little-endian field access for the state bytes (no allocation).
  struct state_writer {
    std::uint8_t* at;
    void bytes(const char* p, std::size_t n) noexcept {
      for (std::size_t i = 0; i < n; ++i) *at++ = static_cast<std::uint8_t>(p[i]);
    }
    void u(std::uint64_t v, int n) noexcept {
      for (int i = 0; i < n; ++i) *at++ = static_cast<std::uint8_t>(v >> (8 * i));
    }
    void f(double d) noexcept { u(std::bit_cast<std::uint64_t>(d), 8); }
  };
  struct state_reader {
    const std::uint8_t* at;
    std::uint64_t u(int n) noexcept {
      std::uint64_t v = 0;
      for (int i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(*at++) << (8 * i);
      return v;
    }
    double f() noexcept { return std::bit_cast<double>(u(8)); }
  };

  // What a saved state depends on: everything that shapes the arrays or the
  // meaning of a cell (not the constraints or the alarm levels, which only
  // judge the state).
  [[nodiscard]] std::uint64_t fingerprint() const noexcept {
    fnv1a64 h;
    h.update_u32(cfg_.n_groups);
    h.update_u64(std::bit_cast<std::uint64_t>(cfg_.threshold));
    h.update_u32(static_cast<std::uint32_t>(cfg_.window.kind));
    h.update_u64(cfg_.window.size);
    h.update_u64(std::bit_cast<std::uint64_t>(cfg_.window.half_life));
    h.update_u32(cfg_.drift.bins);
    h.update_u64(std::bit_cast<std::uint64_t>(cfg_.drift.score_min));
    h.update_u64(std::bit_cast<std::uint64_t>(cfg_.drift.score_max));
    h.update_u32(cfg_.pending_capacity);
    return h.value();
  }

  void validate(const baseline& base) const {
    const auto& c = cfg_;
    require(c.n_groups >= 1 && c.n_groups <= (1u << 24), errc::invalid_argument, [&] {
      return "monitor: n_groups = " + std::to_string(c.n_groups) + ": must be in [1, 2^24]";
    });
    require(std::isfinite(c.threshold), errc::invalid_argument,
            "monitor: threshold must be finite");
    require(c.window.kind == window_kind::decay ||
                (c.window.size >= 1 && c.window.size <= (std::uint64_t{1} << 40)),
            errc::invalid_argument, [&] {
              return "monitor: window.size = " + std::to_string(c.window.size) +
                     ": must be in [1, 2^40]";
            });
    require(!(c.window.kind == window_kind::decay) ||
                (std::isfinite(c.window.half_life) && c.window.half_life >= 1.0),
            errc::invalid_argument, [&] {
              return "monitor: window.half_life = " + std::to_string(c.window.half_life) +
                     ": must be >= 1";
            });
    require(static_cast<std::uint8_t>(c.window.kind) <= 2, errc::invalid_argument,
            "monitor: unknown window kind");
    require(c.drift.bins >= 1 && c.drift.bins <= 65536, errc::invalid_argument, [&] {
      return "monitor: drift.bins = " + std::to_string(c.drift.bins) + ": must be in [1, 65536]";
    });
    require(std::isfinite(c.drift.score_min) && std::isfinite(c.drift.score_max) &&
                c.drift.score_min < c.drift.score_max,
            errc::invalid_argument,
            "monitor: drift.score_min < drift.score_max (finite) is required");
    require(c.drift.psi_threshold > 0.0 && c.drift.ks_alpha > 0.0 && c.drift.ks_alpha < 1.0,
            errc::invalid_argument,
            "monitor: drift.psi_threshold must be > 0 and drift.ks_alpha in (0, 1)");
    require(c.report_confidence > 0.0 && c.report_confidence < 1.0, errc::invalid_argument,
            "monitor: report_confidence must be in (0, 1)");
    require(c.pending_capacity >= 1 && c.pending_capacity <= (1u << 30), errc::invalid_argument,
            "monitor: pending_capacity must be in [1, 2^30]");
    for (std::size_t k = 0; k < c.constraints.size(); ++k) {
      const auto& w = c.constraints[k];
      require(static_cast<std::uint32_t>(w.metric) < n_rate_metrics &&
                  static_cast<std::uint8_t>(w.kind) <= 1 && static_cast<std::uint8_t>(w.op) <= 1 &&
                  std::isfinite(w.bound) && w.confidence > 0.0 && w.confidence < 1.0 &&
                  w.alpha > 0.0 && w.alpha < 1.0,
              errc::invalid_argument, [&] {
                return "monitor: constraints[" + std::to_string(k) +
                       "]: needs a known metric/kind/op, a finite bound, confidence and alpha in "
                       "(0, 1)";
              });
    }
    require(base.counts.n_groups() == 0 || base.counts.n_groups() == c.n_groups,
            errc::invalid_argument, [&] {
              return "monitor: baseline has " + std::to_string(base.counts.n_groups()) +
                     " groups, the monitor " + std::to_string(c.n_groups);
            });
    require(base.histogram.empty() ||
                base.histogram.size() == static_cast<std::size_t>(c.n_groups) * c.drift.bins,
            errc::length_mismatch, [&] {
              return "monitor: baseline histogram has " + std::to_string(base.histogram.size()) +
                     " cells, expected n_groups * bins = " +
                     std::to_string(static_cast<std::size_t>(c.n_groups) * c.drift.bins);
            });
  }

  void check_observation(double score, std::uint32_t group) const {
    require(group < cfg_.n_groups, errc::out_of_range, [&] {
      return "monitor: observation " + std::to_string(seq_) + ": group = " + std::to_string(group) +
             " must be < n_groups = " + std::to_string(cfg_.n_groups);
    });
    require(std::isfinite(score), errc::invalid_value, [&] {
      return "monitor: observation " + std::to_string(seq_) + ": score is " +
             std::to_string(score) + ": must be finite";
    });
  }

  [[nodiscard]] std::uint32_t bin_of(double score) const noexcept {
    const std::uint32_t K = cfg_.drift.bins;
    if (!(score > cfg_.drift.score_min)) return 0;
    if (score >= cfg_.drift.score_max) return K - 1;
    const auto b = static_cast<std::uint32_t>((score - cfg_.drift.score_min) * bin_scale_);
    return b < K ? b : K - 1;
  }

  double* current_block() noexcept { return cells_.data(); }
  double* last_block() noexcept { return cells_.data() + cells_.size() / 2; }
  [[nodiscard]] const double* group_cells(const double* block, std::uint32_t g) const noexcept {
    return block + static_cast<std::size_t>(g) * stride_;
  }

  // Adds one validated observation; returns its weight.
  double add(double score, std::uint32_t group, std::int8_t label) noexcept {
    const bool pred = score >= cfg_.threshold;
    const std::uint32_t cell = monitor_detail::cell_of(pred, label);
    const std::uint32_t bin = bin_of(score);
    const std::uint64_t N = cfg_.window.size;
    double w = 1.0;
    switch (cfg_.window.kind) {
      case window_kind::sliding: {
        std::uint64_t& slot = ring_[seq_ % N];
        if (seq_ >= N) {
          const auto og = static_cast<std::uint32_t>(slot >> 32);
          const auto ob = static_cast<std::uint32_t>((slot >> 8) & 0xffffffu);
          const auto oc = static_cast<std::uint32_t>(slot & 0xffu);
          double* c = cells_.data() + static_cast<std::size_t>(og) * stride_;
          c[oc] -= 1.0;
          c[monitor_detail::n_cells + oc] -= 1.0;
          c[2 * monitor_detail::n_cells + ob] -= 1.0;
        }
        slot = (static_cast<std::uint64_t>(group) << 32) | (static_cast<std::uint64_t>(bin) << 8) |
               cell;
        bump(cells_.data(), group, cell, bin, 1.0, 1.0);
        break;
      }
      case window_kind::tumbling:
        bump(cells_.data(), group, cell, bin, 1.0, 1.0);
        if ((seq_ + 1) % N == 0) {  // the filling block completes: it becomes the last one
          const std::size_t half = cells_.size() / 2;
          std::copy(cells_.begin(), cells_.begin() + static_cast<std::ptrdiff_t>(half),
                    cells_.begin() + static_cast<std::ptrdiff_t>(half));
          std::fill(cells_.begin(), cells_.begin() + static_cast<std::ptrdiff_t>(half), 0.0);
        }
        break;
      case window_kind::decay:
        scale_ *= inv_r_;
        if (scale_ > 0x1p256) rescale();
        w = scale_;
        bump(cells_.data(), group, cell, bin, w, w * w);
        break;
    }
    ++seq_;
    return w;
  }

  void bump(double* block, std::uint32_t g, std::uint32_t cell, std::uint32_t bin, double w,
            double w2) noexcept {
    double* c = block + static_cast<std::size_t>(g) * stride_;
    c[cell] += w;
    c[monitor_detail::n_cells + cell] += w2;
    c[2 * monitor_detail::n_cells + bin] += w;
  }

  void rescale() noexcept {
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      const bool squared =
          (i % stride_) >= monitor_detail::n_cells && (i % stride_) < 2 * monitor_detail::n_cells;
      cells_[i] = std::ldexp(cells_[i], squared ? -512 : -256);
    }
    scale_ = std::ldexp(scale_, -256);
    ++epoch_;
  }

  // --- the delayed-label index ----------------------------------------------
  [[nodiscard]] std::size_t home(std::uint64_t id) const noexcept {
    return static_cast<std::size_t>(monitor_detail::mix(id)) & index_mask_;
  }
  [[nodiscard]] std::size_t find(std::uint64_t id) const noexcept {
    for (std::size_t i = home(id);; i = (i + 1) & index_mask_) {
      if (index_[i] == 0) return npos;
      if (pending_[index_[i] - 1].id == id) return i;
    }
  }
  void insert(std::uint64_t id, std::uint32_t slot) noexcept {
    std::size_t i = home(id);
    while (index_[i] != 0) i = (i + 1) & index_mask_;
    index_[i] = slot + 1;
  }
  void erase(std::uint64_t id) noexcept {
    const std::size_t at = find(id);
    if (at != npos) erase_at(at);
  }
  // Knuth's Algorithm R: shift later members of the probe run back so that
  // no lookup stops early at the hole.
  void erase_at(std::size_t i) noexcept {
    std::size_t j = i;
    for (;;) {
      index_[i] = 0;
      for (;;) {
        j = (j + 1) & index_mask_;
        if (index_[j] == 0) return;
        const std::size_t k = home(pending_[index_[j] - 1].id);
        const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) break;
      }
      index_[i] = index_[j];
      i = j;
    }
  }

  // --- constraint evaluation --------------------------------------------------
  alarm base_alarm(alarm_kind kind, std::uint32_t constraint, std::uint32_t g, double value,
                   double threshold, double support) const noexcept {
    alarm a;
    a.kind = kind;
    a.constraint = constraint;
    a.group = g;
    a.value = value;
    a.lower = a.upper = value;
    a.threshold = threshold;
    a.support = support;
    a.poll = polls_;
    a.observations = seq_;
    return a;
  }

  static constraint_state judge(const uncertainty::interval& iv, bound_op op,
                                double bound) noexcept {
    if (op == bound_op::le) {
      if (iv.lower > bound) return constraint_state::violated;
      return iv.upper <= bound ? constraint_state::satisfied : constraint_state::inconclusive;
    }
    if (iv.upper < bound) return constraint_state::violated;
    return iv.lower >= bound ? constraint_state::satisfied : constraint_state::inconclusive;
  }

  void evaluate(const double* block, std::uint32_t k) {
    const watched_constraint& w = cfg_.constraints[k];
    constraint_status& st = report_.constraints[k];
    st = constraint_status{};
    const std::uint32_t G = cfg_.n_groups;
    const double min_support = static_cast<double>(cfg_.min_support);
    // Eligible groups and the extreme point estimates (ties: lowest index).
    std::uint32_t hi = no_group, lo = no_group, eligible = 0;
    double hi_v = 0.0, lo_v = 0.0;
    auto mass = [&](std::uint32_t g) {
      const double* c = group_cells(block, g);
      return monitor_detail::mass_of(c, c + monitor_detail::n_cells, w.metric);
    };
    for (std::uint32_t g = 0; g < G; ++g) {
      const auto m = mass(g);
      if (monitor_detail::effective_size(m, weighted_) < min_support || !(m.den > 0.0)) continue;
      const double v = m.num / m.den;
      ++eligible;
      if (hi == no_group || v > hi_v) {
        hi = g;
        hi_v = v;
      }
      if (lo == no_group || v < lo_v) {
        lo = g;
        lo_v = v;
      }
    }
    if (w.kind == constraint_kind::difference) {
      if (eligible >= 2) {
        const auto a = monitor_detail::interval_of(mass(hi), weighted_, w.confidence);
        const auto b = monitor_detail::interval_of(mass(lo), weighted_, w.confidence);
        st.value = newcombe_difference(a, b);
        st.group = hi;
        st.other_group = lo;
        st.state = judge(st.value, w.op, w.bound);
        if (st.state == constraint_state::violated) {
          alarm al = base_alarm(alarm_kind::parity_bound, k, hi, st.value.estimate, w.bound,
                                std::min(monitor_detail::effective_size(mass(hi), weighted_),
                                         monitor_detail::effective_size(mass(lo), weighted_)));
          al.other_group = lo;
          al.metric = w.metric;
          al.lower = st.value.lower;
          al.upper = st.value.upper;
          report_.alarms.push_back(al);
        }
      }
    } else if (eligible >= 1) {
      // Worst group first: the highest rate for "<=", the lowest for ">=".
      const std::uint32_t worst = w.op == bound_op::le ? hi : lo;
      st.group = worst;
      st.value = monitor_detail::interval_of(mass(worst), weighted_, w.confidence);
      st.state = constraint_state::satisfied;
      for (std::uint32_t g = 0; g < G; ++g) {
        const auto m = mass(g);
        if (monitor_detail::effective_size(m, weighted_) < min_support || !(m.den > 0.0)) continue;
        const auto iv = monitor_detail::interval_of(m, weighted_, w.confidence);
        const auto s = judge(iv, w.op, w.bound);
        if (s == constraint_state::violated) {
          alarm al = base_alarm(alarm_kind::parity_bound, k, g, iv.estimate, w.bound,
                                monitor_detail::effective_size(m, weighted_));
          al.metric = w.metric;
          al.lower = iv.lower;
          al.upper = iv.upper;
          report_.alarms.push_back(al);
        }
        if (static_cast<int>(s) > static_cast<int>(st.state)) st.state = s;
      }
    }
    if (!w.watch_change || !has_baseline_) return;
    const double level = spent_alpha(w.alpha, polls_) / static_cast<double>(G);
    for (std::uint32_t g = 0; g < G; ++g) {
      const auto m = mass(g);
      const double n1 = monitor_detail::effective_size(m, weighted_);
      const double* bc = &base_cells_[static_cast<std::size_t>(g) * monitor_detail::n_cells];
      const auto bm = monitor_detail::mass_of(bc, bc, w.metric);
      if (n1 < min_support || !(m.den > 0.0) || !(bm.den > 0.0)) continue;
      const auto wi = monitor_detail::interval_of(m, weighted_, w.confidence);
      const auto bi = monitor_detail::interval_of(bm, false, w.confidence);
      const z_test t = two_proportion_z(wi.estimate, n1, bi.estimate, bm.den);
      if (t.defined && t.p_value < level) {
        const auto d = newcombe_difference(wi, bi);
        alarm al = base_alarm(alarm_kind::change, k, g, wi.estimate, level, n1);
        al.metric = w.metric;
        al.lower = d.lower;
        al.upper = d.upper;
        al.threshold = w.bound;
        al.baseline_value = bi.estimate;
        al.p_value = t.p_value;
        al.level = level;
        report_.alarms.push_back(al);
        st.change_alarm = true;
      }
    }
  }

  monitor_config cfg_;
  std::size_t stride_ = 0;
  bool weighted_ = false;
  bool has_baseline_ = false;
  std::vector<double> cells_;        // blocks x groups x (cells, squared cells, bins)
  std::vector<std::uint64_t> ring_;  // sliding: group << 32 | bin << 8 | cell
  std::vector<pending_entry> pending_;
  std::vector<std::uint32_t> index_;  // ring slot + 1, 0 = empty
  std::size_t index_mask_ = 0;
  std::uint32_t pending_head_ = 0, pending_size_ = 0;
  std::vector<double> base_cells_;
  std::vector<std::uint64_t> base_hist_;
  std::vector<double> base_hist_total_;
  report report_;
  double bin_scale_ = 1.0;
  double inv_r_ = 1.0, scale_ = 1.0;
  std::uint32_t epoch_ = 0;
  std::uint64_t seq_ = 0, polls_ = 0;
  std::uint64_t overwritten_ = 0, unknown_ = 0, outside_ = 0;

  friend baseline make_baseline(std::span<const double>, std::span<const std::uint32_t>,
                                std::span<const std::uint8_t>, const monitor_config&);
};

inline baseline make_baseline(std::span<const double> scores, std::span<const std::uint32_t> groups,
                              std::span<const std::uint8_t> labels, const monitor_config& cfg) {
  require(scores.size() == groups.size() && scores.size() == labels.size(), errc::length_mismatch,
          [&] {
            return "make_baseline: scores, groups and labels have " +
                   std::to_string(scores.size()) + ", " + std::to_string(groups.size()) + " and " +
                   std::to_string(labels.size()) + " rows";
          });
  // A throw-away monitor validates cfg and supplies the binning.
  monitor_config c = cfg;
  c.constraints.clear();
  c.pending_capacity = 1;
  c.window = {window_kind::tumbling, 1, 1.0};
  const monitor m(c);
  baseline b{
      metrics::group_accumulator(cfg.n_groups),
      std::vector<std::uint64_t>(static_cast<std::size_t>(cfg.n_groups) * cfg.drift.bins, 0)};
  auto& counts = b.counts.mutable_counts();
  for (std::size_t i = 0; i < scores.size(); ++i) {
    require(groups[i] < cfg.n_groups, errc::out_of_range, [&] {
      return "make_baseline: groups[" + std::to_string(i) + "] = " + std::to_string(groups[i]) +
             " must be < n_groups = " + std::to_string(cfg.n_groups);
    });
    require(labels[i] <= 1, errc::out_of_range, [&] {
      return "make_baseline: labels[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
             ": labels must be 0 or 1";
    });
    require(std::isfinite(scores[i]), errc::invalid_value,
            [&] { return "make_baseline: scores[" + std::to_string(i) + "] is not finite"; });
    const bool pred = scores[i] >= cfg.threshold;
    auto& cc = counts[groups[i]];
    if (labels[i] == 1)
      (pred ? cc.tp : cc.fn) += 1;
    else
      (pred ? cc.fp : cc.tn) += 1;
    b.histogram[static_cast<std::size_t>(groups[i]) * cfg.drift.bins + m.bin_of(scores[i])] += 1;
  }
  return b;
}

}  // namespace monitor

FAIRGATE_END_NAMESPACE
