// The constraint-aware compression controller (controller.hpp).
#include <fairgate/gate/controller.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/gate/record.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/io/store.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/policy/canonical.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/quantize/scheme.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/tensor/mask.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace gate {

namespace {

using ojson = nlohmann::ordered_json;
namespace fs = std::filesystem;

ojson number(double v) {
  return std::isnan(v) ? ojson(nullptr) : ojson(v);
}
double read_number(const ojson& j) {
  return j.is_null() ? nan : j.get<double>();
}

std::string text17(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string short_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

const char* kind_name(milestone_kind k) {
  switch (k) {
    case milestone_kind::prune_global:
      return "prune_global";
    case milestone_kind::prune_layer:
      return "prune_layer";
    case milestone_kind::quantize:
      return "quantize";
  }
  return "unknown";
}

// One compression state of the registered tensors.
struct cstate {
  std::vector<std::vector<float>>
      master;  // float weights before fake quantization (0 where pruned)
  std::vector<tensor::mask> masks;
  std::vector<std::uint32_t> bits;  // 32 = float
  std::vector<std::uint8_t> per_channel;
  std::vector<std::vector<float>> scales;  // fake-quant scales (empty when bits = 32)
};

// The fake-quantization scheme of a bit width: symmetric, PyTorch's
// torch_symmetric scales (amax / 127.5 for int8 over [-128, 127], amax / 7.5
// for int4 over [-8, 7]), per channel along `axis` or per tensor.
quantize::scheme scheme_for(std::uint32_t bits, int axis) {
  quantize::scheme sc;
  sc.type = bits == 4 ? quantize::qtype::int4 : quantize::qtype::int8;
  sc.rule = quantize::scale_rule::torch_symmetric;
  sc.axis = axis;
  return sc;
}

std::vector<std::byte> as_bytes(const void* p, std::size_t n) {
  std::vector<std::byte> b(n);
  if (n) std::memcpy(b.data(), p, n);
  return b;
}

// Appends one changelog line. If the append fails (disk full: EFBIG/ENOSPC
// after a partial write), the file is cut back to its previous length so
// that no partial line is left behind for the next append to glue onto;
// cutting back needs no space. The error is rethrown.
void append_changelog(const fs::path& path, const std::string& line) {
  std::error_code ec;
  const auto before = fs::exists(path, ec) ? fs::file_size(path, ec) : std::uintmax_t{0};
  try {
    io::append_line_durable(path, line);
  } catch (...) {
    std::error_code ec2;
    if (!ec && fs::exists(path, ec2) && fs::file_size(path, ec2) != before)
      fs::resize_file(path, before, ec2);
    throw;
  }
}

// A changelog that ends in a partial line (a crash in the middle of an
// append) is cut back to its last complete line before anything is appended.
void trim_partial_line(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec) || ec) return;
  const std::string text = io::read_text_file(path);
  if (text.empty() || text.back() == '\n') return;
  const auto nl = text.rfind('\n');
  fs::resize_file(path, nl == std::string::npos ? 0 : nl + 1, ec);
  require(!ec, errc::io_error, [&] {
    return "controller: cannot cut the partial last line of " + path.string() + ": " + ec.message();
  });
}

const char* remedy_name(remedy r) {
  switch (r) {
    case remedy::bisect:
      return "bisect";
    case remedy::restore_critical:
      return "restore_critical";
    case remedy::revert_tensor:
      return "revert_tensor";
    case remedy::stop:
      return "stop";
  }
  return "unknown";
}

}  // namespace

std::vector<milestone> prune_steps(double s0, double s1, double step, milestone_kind kind) {
  require(step > 0.0 && s0 >= 0.0 && s1 <= 1.0 && s0 <= s1, errc::invalid_argument,
          "prune_steps: need 0 <= s0 <= s1 <= 1 and step > 0");
  std::vector<milestone> out;
  for (int i = 0;; ++i) {
    // s0 + i * step, rounded to 1e-9 so 0.1 + 0.2 lands on 0.3.
    const double s = std::round((s0 + step * i) * 1e9) / 1e9;
    if (s > s1 + 1e-12) break;
    milestone m;
    m.kind = kind;
    m.sparsity = s;
    out.push_back(m);
  }
  return out;
}

struct controller::impl {
  controller& c;
  const policy::target* target = nullptr;
  io::content_store store;
  std::vector<double> baseline_scores;
  cstate orig_state;  // the host's original weights, read once when run() starts
  std::vector<tensor::mask> empty_masks;
  std::uint64_t step = 0;
  std::uint64_t checkpoint_no = 0;
  std::vector<std::string> checkpoint_states;  // state digest of every checkpoint, in order
  std::string plan_digest;
  bool resumed_pending_note = false;

  // Result accumulation for the target.
  target_result result;
  std::vector<frontier_point> points;

  impl(controller& ctl, fs::path root) : c(ctl), store(std::move(root)) {}

  std::size_t T() const { return c.tensors_.size(); }
  std::int64_t numel(std::size_t t) const { return c.tensors_[t].view.numel(); }

  tensor::view master_view(std::vector<float>& m, std::size_t t) const {
    const auto& v = c.tensors_[t].view;
    return tensor::view::contiguous(static_cast<void*>(m.data()), tensor::dtype::f32,
                                    v.shape.data(), v.rank);
  }

  // Writes a state into the host's tensors: master, fake-quantized if bits < 32, masked.
  void materialise(cstate& s) const {
    for (std::size_t t = 0; t < T(); ++t) {
      const auto& v = c.tensors_[t].view;
      std::memcpy(v.data, s.master[t].data(), s.master[t].size() * sizeof(float));
      if (s.bits[t] < 32) {
        const int axis = s.per_channel[t] ? c.tensors_[t].axis : quantize::per_tensor;
        quantize::minmax_observer obs(axis);
        obs.observe(v);
        const auto qp = obs.calculate_qparams(scheme_for(s.bits[t], axis));
        quantize::fake_quantize(v, qp, v);
        s.scales[t] = qp.scale;
      } else {
        s.scales[t].clear();
      }
      s.masks[t].apply(v);
    }
  }

  cstate original() const {
    cstate s;
    for (std::size_t t = 0; t < T(); ++t) {
      const auto& v = c.tensors_[t].view;
      s.master.emplace_back(static_cast<const float*>(v.data),
                            static_cast<const float*>(v.data) + numel(t));
      s.masks.push_back(tensor::mask::like(v));
      s.bits.push_back(32);
      s.per_channel.push_back(0);
      s.scales.emplace_back();
    }
    return s;
  }

  double sparsity(const cstate& s) const {
    std::int64_t z = 0, n = 0;
    for (std::size_t t = 0; t < T(); ++t) z += s.masks[t].count_pruned(), n += numel(t);
    return n == 0 ? 0.0 : static_cast<double>(z) / static_cast<double>(n);
  }
  double mean_bits(const cstate& s) const {
    double b = 0, n = 0;
    for (std::size_t t = 0; t < T(); ++t)
      b += static_cast<double>(s.bits[t]) * static_cast<double>(numel(t)),
          n += static_cast<double>(numel(t));
    return n == 0 ? 32.0 : b / n;
  }

  std::string state_digest(const cstate& s) const {
    io::sha256_hasher h;
    for (std::size_t t = 0; t < T(); ++t) {
      h.update(c.tensors_[t].name);
      const auto w = s.masks[t].words();
      h.update(as_bytes(w.data(), w.size() * sizeof(std::uint64_t)));
      h.update(as_bytes(s.master[t].data(), s.master[t].size() * sizeof(float)));
      h.update(std::to_string(s.bits[t]) + (s.per_channel[t] ? "c" : "t"));
    }
    return h.finish_hex();
  }

  // Scores of a state, validated: length and finiteness.
  std::vector<double> scores_of(cstate& s) {
    materialise(s);
    std::vector<double> sc = c.evaluate_();
    require(sc.size() == c.rows_.labels.size(), errc::length_mismatch, [&] {
      return "controller: evaluate() returned " + std::to_string(sc.size()) + " scores for " +
             std::to_string(c.rows_.labels.size()) + " evaluation rows";
    });
    for (std::size_t i = 0; i < sc.size(); ++i)
      require(std::isfinite(sc[i]), errc::invalid_value, [&] {
        return "controller: evaluate() returned scores[" + std::to_string(i) +
               "] = " + text17(sc[i]) + ": scores must be finite";
      });
    return sc;
  }

  verdict judge(const std::vector<double>& sc) const {
    gate_inputs in =
        gate_inputs::from_scores(c.rows_.labels, baseline_scores, sc, c.rows_.threshold,
                                 c.rows_.groups, c.rows_.group_names);
    in.seed = c.opts_.seed;
    in.sensitive_features = c.rows_.sensitive_features;
    return evaluate(c.policy_, target->name, in);
  }

  // Finetune (optional), evaluate and gate a candidate.
  verdict try_state(cstate& s, std::uint32_t finetune_steps) {
    if (finetune_steps > 0 && c.finetune_) {
      materialise(s);
      c.finetune_(finetune_steps);
      for (std::size_t t = 0; t < T(); ++t) {
        const float* p = static_cast<const float*>(c.tensors_[t].view.data);
        std::copy(p, p + numel(t), s.master[t].begin());
        for (std::int64_t i = 0; i < numel(t); ++i)
          if (!s.masks[t].kept(i)) s.master[t][static_cast<std::size_t>(i)] = 0.0f;
      }
    }
    return judge(scores_of(s));
  }

  // The worst group's value of the target's first per-group constraint metric.
  static double worst_group_metric(const verdict& v, const policy::target& t) {
    for (std::size_t i = 0; i < t.constraints.size(); ++i) {
      const auto& pc = t.constraints[i];
      if (pc.scope != policy::scope_kind::every_group) continue;
      const bool higher = policy::info(pc.metric).better != policy::better_when::lower;
      double w = nan;
      for (const auto& it : v.constraints[i].items) {
        if (it.result == outcome::skipped || std::isnan(it.candidate)) continue;
        if (std::isnan(w) || (higher ? it.candidate < w : it.candidate > w)) w = it.candidate;
      }
      return w;
    }
    if (v.constraints.empty() || v.constraints[0].items.empty()) return nan;
    return v.constraints[0].items[0].candidate;
  }

  // Applies a milestone to `from`; returns the candidate.
  cstate apply(const cstate& from, const milestone& m, double sparsity_target) const {
    cstate s = from;
    if (m.kind == milestone_kind::quantize) {
      for (std::size_t t = 0; t < T(); ++t) {
        s.bits[t] = m.bits;
        s.per_channel[t] = (m.per_channel && target->compression.per_channel) ? 1 : 0;
      }
      return s;
    }
    std::vector<tensor::view> views;
    for (std::size_t t = 0; t < T(); ++t) views.push_back(master_view(s.master[t], t));
    if (m.kind == milestone_kind::prune_global) {
      std::int64_t total = 0, pruned = 0;
      for (std::size_t t = 0; t < T(); ++t) total += numel(t), pruned += s.masks[t].count_pruned();
      const auto want =
          static_cast<std::int64_t>(std::nearbyint(sparsity_target * static_cast<double>(total)));
      if (want > pruned) {
        auto g = prune::global_l1_unstructured(views, prune::amount::count(want - pruned), s.masks);
        s.masks = std::move(g.masks);
      }
    } else {
      for (std::size_t t = 0; t < T(); ++t) {
        const auto want = static_cast<std::int64_t>(
            std::nearbyint(sparsity_target * static_cast<double>(numel(t))));
        const std::int64_t have = s.masks[t].count_pruned();
        if (want > have) {
          auto r = prune::l1_unstructured(views[t], prune::amount::count(want - have), &s.masks[t]);
          s.masks[t] = std::move(r.mask);
        }
      }
    }
    for (std::size_t t = 0; t < T(); ++t) s.masks[t].apply(views[t]);
    return s;
  }

  // What changed from `a` to `b`, per tensor, for the changelog.
  ojson changes(const cstate& a, const cstate& b) const {
    ojson arr = ojson::array();
    for (std::size_t t = 0; t < T(); ++t) {
      std::vector<std::int64_t> idx;
      for (std::int64_t i = 0; i < numel(t); ++i)
        if (a.masks[t].kept(i) != b.masks[t].kept(i)) idx.push_back(i);
      if (idx.empty() && a.bits[t] == b.bits[t]) continue;
      ojson j;
      j["tensor"] = c.tensors_[t].name;
      j["sparsity_before"] =
          static_cast<double>(a.masks[t].count_pruned()) / static_cast<double>(numel(t));
      j["sparsity_after"] =
          static_cast<double>(b.masks[t].count_pruned()) / static_cast<double>(numel(t));
      j["bits_before"] = a.bits[t];
      j["bits_after"] = b.bits[t];
      j["per_channel"] = b.per_channel[t] != 0;
      j["changed"] = idx.size();
      // SHA-256 of the changed flat indices as little-endian int64s.
      j["changed_digest"] = io::sha256_hex(as_bytes(idx.data(), idx.size() * sizeof(std::int64_t)));
      arr.push_back(std::move(j));
    }
    return arr;
  }

  void log(std::size_t milestone_index, const milestone& m, const std::string& attempt,
           const cstate& from, const cstate& cand, const verdict* v, const std::string& decision,
           const std::string& reason) {
    ojson j;
    j["format"] = "fairgate.changelog/1";
    j["step"] = step;
    j["target"] = target->name;
    j["milestone"] = milestone_index;
    j["pass"] = attempt == "baseline" ? "none" : kind_name(m.kind);
    j["attempt"] = attempt;
    j["sparsity"] = sparsity(cand);
    j["mean_bits"] = mean_bits(cand);
    j["tensors"] = changes(from, cand);
    ojson keys = ojson::array();
    std::uint64_t seed = 0;
    for (const auto& pc : target->constraints)
      if (pc.evidence.kind != policy::evidence_kind::point)
        seed = c.opts_.seed ? *c.opts_.seed : pc.evidence.seed;
    keys.push_back({{"seed", seed},
                    {"purpose", "bootstrap.paired"},
                    {"purpose_tag", rng::purpose_tag("bootstrap.paired")}});
    j["stream_keys"] = std::move(keys);
    step_record rec;
    rec.step = step;
    rec.milestone = milestone_index;
    rec.pass = j["pass"].get<std::string>();
    rec.attempt = attempt;
    rec.decision = decision;
    rec.reason = reason;
    rec.sparsity = j["sparsity"].get<double>();
    rec.mean_bits = j["mean_bits"].get<double>();
    ojson metrics = ojson::array();
    if (v != nullptr) {
      for (const auto& cr : v->constraints)
        metrics.push_back({{"id", cr.id},
                           {"metric", cr.metric},
                           {"result", std::string(to_string(cr.result))},
                           {"value", number(cr.value)},
                           {"interval", {number(cr.lower), number(cr.upper)}},
                           {"p_value", number(cr.p_value)},
                           {"groups", cr.groups}});
      j["verdict"] = v->pass ? "pass" : "fail";
      rec.verdict_digest = io::sha256_hex(v->to_json(-1));
      j["verdict_digest"] = rec.verdict_digest;
      rec.gated = *v;
    } else {
      j["verdict"] = nullptr;
    }
    j["metrics"] = std::move(metrics);
    j["decision"] = decision;
    j["reason"] = reason;
    if (resumed_pending_note) {
      j["resumed"] = true;
      resumed_pending_note = false;
    }
    append_changelog(c.changelog_path(), j.dump());
    // Only once the line is durable: the record mirrors the changelog.
    result.decisions.push_back(std::move(rec));
  }

  void record_point(const cstate& s, const verdict& v) {
    frontier_point p;
    p.step = step;
    p.sparsity = sparsity(s);
    p.mean_bits = mean_bits(s);
    p.worst_group_metric = worst_group_metric(v, *target);
    p.pass = v.pass;
    points.push_back(p);
    if (v.pass) {
      const bool better =
          !result.best.pass || p.sparsity > result.best.sparsity ||
          (p.sparsity == result.best.sparsity && p.mean_bits < result.best.mean_bits);
      if (better) result.best = summary(s, v);
    }
  }

  state_summary summary(const cstate& s, const verdict& v) const {
    state_summary b;
    b.sparsity = sparsity(s);
    b.mean_bits = mean_bits(s);
    for (std::size_t t = 0; t < T(); ++t) {
      b.tensor_sparsity.push_back(static_cast<double>(s.masks[t].count_pruned()) /
                                  static_cast<double>(numel(t)));
      b.tensor_bits.push_back(s.bits[t]);
    }
    b.worst_group_metric = worst_group_metric(v, *target);
    b.pass = v.pass;
    b.state_digest = state_digest(s);
    b.verdict_json = v.to_json(-1);
    return b;
  }

  // --- checkpoints -----------------------------------------------------------
  fs::path head_path() const { return c.opts_.directory / "heads" / (target->name + ".json"); }

  static ojson summary_json(const state_summary& b) {
    return {{"sparsity", b.sparsity},
            {"mean_bits", b.mean_bits},
            {"tensor_sparsity", b.tensor_sparsity},
            {"tensor_bits", b.tensor_bits},
            {"worst_group_metric", number(b.worst_group_metric)},
            {"pass", b.pass},
            {"state_digest", b.state_digest},
            {"verdict", b.verdict_json}};
  }
  static state_summary summary_from(const ojson& j) {
    state_summary b;
    b.sparsity = j.at("sparsity").get<double>();
    b.mean_bits = j.at("mean_bits").get<double>();
    b.tensor_sparsity = j.at("tensor_sparsity").get<std::vector<double>>();
    b.tensor_bits = j.at("tensor_bits").get<std::vector<std::uint32_t>>();
    b.worst_group_metric = read_number(j.at("worst_group_metric"));
    b.pass = j.at("pass").get<bool>();
    b.state_digest = j.at("state_digest").get<std::string>();
    b.verdict_json = j.at("verdict").get<std::string>();
    return b;
  }

  // `last` is the verdict JSON of the kept state (restored verbatim on resume).
  void checkpoint(const cstate& s, std::size_t next_milestone, bool stopped, bool done,
                  const std::string& last) {
    ojson j;
    j["format"] = "fairgate.checkpoint/1";
    j["target"] = target->name;
    j["checkpoint"] = checkpoint_no + 1;
    j["plan_digest"] = plan_digest;
    j["next_milestone"] = next_milestone;
    j["step"] = step;
    j["stopped"] = stopped;
    j["done"] = done;
    ojson ts = ojson::array();
    for (std::size_t t = 0; t < T(); ++t) {
      const auto w = s.masks[t].words();
      ts.push_back(
          {{"name", c.tensors_[t].name},
           {"mask", store.put(as_bytes(w.data(), w.size() * sizeof(std::uint64_t)))},
           {"weights", store.put(as_bytes(s.master[t].data(), s.master[t].size() * sizeof(float)))},
           {"bits", s.bits[t]},
           {"per_channel", s.per_channel[t] != 0},
           {"scales", s.scales[t]}});
    }
    j["state"] = std::move(ts);
    j["state_digest"] = state_digest(s);
    j["previous"] = result.checkpoints.empty() ? ojson(nullptr) : ojson(result.checkpoints.back());
    // The gate draws from keyed streams only (no sequential RNG state): the key is the record.
    j["rng"] = {{"seed", c.opts_.seed ? ojson(*c.opts_.seed) : ojson(nullptr)},
                {"positions", ojson::array()}};
    j["last_verdict"] = store.put(last);
    j["best"] = summary_json(result.best);
    ojson pts = ojson::array();
    for (const auto& p : points)
      pts.push_back({{"step", p.step},
                     {"sparsity", p.sparsity},
                     {"mean_bits", p.mean_bits},
                     {"worst_group_metric", number(p.worst_group_metric)},
                     {"pass", p.pass}});
    j["points"] = std::move(pts);
    const std::string hash = store.put(j.dump());
    io::write_file_atomic(head_path(), ojson{{"checkpoint", hash}}.dump() + "\n");
    result.checkpoints.push_back(hash);
    checkpoint_states.push_back(j["state_digest"].get<std::string>());
    ++checkpoint_no;
    if (c.opts_.after_checkpoint) c.opts_.after_checkpoint(target->name, checkpoint_no);
  }

  struct loaded {
    cstate s;
    std::size_t next = 0;
    bool stopped = false, done = false;
    std::string verdict_json;
  };

  static ojson parse_object(const std::vector<std::byte>& b) {
    return ojson::parse(std::string(reinterpret_cast<const char*>(b.data()), b.size()));
  }

  // The state a checkpoint records (every blob re-hashed on read).
  cstate load_state(const ojson& j) const {
    cstate s = original();
    const auto& ts = j.at("state");
    require(ts.size() == T(), errc::invalid_argument,
            "controller: checkpoint tensor count differs");
    for (std::size_t t = 0; t < T(); ++t) {
      require(ts[t].at("name").get<std::string>() == c.tensors_[t].name, errc::invalid_argument,
              [&] {
                return "controller: checkpoint tensor " + std::to_string(t) + " is '" +
                       ts[t].at("name").get<std::string>() + "', registered is '" +
                       c.tensors_[t].name + "'";
              });
      const auto mb = store.get(ts[t].at("mask").get<std::string>());
      require(mb.size() == s.masks[t].words().size() * sizeof(std::uint64_t),
              errc::verification_failed,
              "controller: checkpoint mask size differs from the tensor's");
      tensor::mask m = tensor::mask::like(c.tensors_[t].view);
      for (std::int64_t i = 0; i < numel(t); ++i) {
        std::uint64_t wd;
        std::memcpy(&wd, mb.data() + static_cast<std::size_t>(i / 64) * 8, 8);
        m.set(i, ((wd >> (i % 64)) & 1u) != 0);
      }
      s.masks[t] = std::move(m);
      const auto wb = store.get(ts[t].at("weights").get<std::string>());
      require(wb.size() == s.master[t].size() * sizeof(float), errc::verification_failed,
              "controller: checkpoint weights size differs from the tensor's");
      std::memcpy(s.master[t].data(), wb.data(), wb.size());
      s.bits[t] = ts[t].at("bits").get<std::uint32_t>();
      s.per_channel[t] = ts[t].at("per_channel").get<bool>() ? 1 : 0;
      s.scales[t] = ts[t].at("scales").get<std::vector<float>>();
    }
    return s;
  }

  std::optional<loaded> load_head() {
    if (!fs::exists(head_path())) return std::nullopt;
    ojson head, j;
    try {
      head = ojson::parse(io::read_text_file(head_path()));
    } catch (const nlohmann::json::exception& e) {
      throw error(errc::parse_error, "controller: checkpoint head " + head_path().string() +
                                         " is not valid JSON: " + e.what());
    }
    const std::string hash = head.value("checkpoint", std::string());
    const auto bytes =
        store.get(hash);  // verified: a corrupted checkpoint is errc::verification_failed
    j = ojson::parse(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    require(j.at("plan_digest").get<std::string>() == plan_digest, errc::invalid_argument, [&] {
      return "controller: checkpoint " + hash + " of target '" + target->name +
             "' was written for another plan or other tensors; cannot resume";
    });
    loaded L;
    L.s = load_state(j);
    const auto vb = store.get(j.at("last_verdict").get<std::string>());
    L.verdict_json.assign(reinterpret_cast<const char*>(vb.data()), vb.size());
    L.next = j.at("next_milestone").get<std::size_t>();
    L.stopped = j.at("stopped").get<bool>();
    L.done = j.at("done").get<bool>();
    step = j.at("step").get<std::uint64_t>();
    checkpoint_no = j.at("checkpoint").get<std::uint64_t>();
    result.best = summary_from(j.at("best"));
    // The chain of checkpoints that led here (each names its predecessor).
    result.checkpoints.clear();
    checkpoint_states.clear();
    {
      std::string h = hash;
      ojson cj = j;
      for (;;) {
        result.checkpoints.push_back(h);
        checkpoint_states.push_back(cj.value("state_digest", std::string()));
        if (!cj.contains("previous") || cj.at("previous").is_null()) break;
        h = cj.at("previous").get<std::string>();
        const auto pb = store.get(h);
        cj = ojson::parse(std::string(reinterpret_cast<const char*>(pb.data()), pb.size()));
      }
      std::reverse(result.checkpoints.begin(), result.checkpoints.end());
      std::reverse(checkpoint_states.begin(), checkpoint_states.end());
    }
    points.clear();
    for (const auto& p : j.at("points"))
      points.push_back({p.at("step").get<std::uint64_t>(), p.at("sparsity").get<double>(),
                        p.at("mean_bits").get<double>(), read_number(p.at("worst_group_metric")),
                        p.at("pass").get<bool>()});
    return L;
  }

  // --- the plan for one target ------------------------------------------------
  bool allowed(const milestone& m) const {
    if (m.kind == milestone_kind::quantize) {
      const auto& b = target->compression.allowed_bits;
      return std::find(b.begin(), b.end(), m.bits) != b.end();
    }
    return m.sparsity <= target->compression.max_sparsity;
  }

  // The first failing constraint of a verdict (index), or npos.
  static std::size_t first_failing(const verdict& v) {
    for (std::size_t i = 0; i < v.constraints.size(); ++i)
      if (v.constraints[i].result == outcome::fail) return i;
    return static_cast<std::size_t>(-1);
  }

  // The worst-off group of a failing constraint: a guardrail's first failing
  // group, a Fairlearn disparity's lower-rate end, or an AIF360 metric's
  // judged (non-reference) group.
  std::uint32_t worst_off_group(const verdict& v, std::size_t ci) const {
    const auto& gs = v.constraints[ci].groups;
    const bool aif =
        policy::info(target->constraints[ci].metric).family == policy::metric_family::aif360;
    const std::string name = gs.empty() ? std::string() : (aif ? gs.front() : gs.back());
    for (std::uint32_t g = 0; g < c.rows_.group_names.size(); ++g)
      if (c.rows_.group_names[g] == name) return g;
    return 0;
  }

  // Restores the most important of the weights pruned from `from` to `cand`.
  cstate restore_critical(const cstate& from, const cstate& cand, std::uint32_t group) const {
    struct entry {
      double importance;
      std::size_t t;
      std::int64_t i;
    };
    std::vector<entry> e;
    for (std::size_t t = 0; t < T(); ++t) {
      std::vector<double> sal;
      if (c.saliency_) {
        sal = c.saliency_(t, group);
        require(sal.size() == static_cast<std::size_t>(numel(t)), errc::length_mismatch, [&] {
          return "controller: saliency(" + std::to_string(t) + ", " + std::to_string(group) +
                 ") returned " + std::to_string(sal.size()) + " values for tensor '" +
                 c.tensors_[t].name + "' of " + std::to_string(numel(t)) + " weights";
        });
      }
      for (std::int64_t i = 0; i < numel(t); ++i) {
        if (!(from.masks[t].kept(i) && !cand.masks[t].kept(i))) continue;
        const double imp =
            c.saliency_
                ? sal[static_cast<std::size_t>(i)]
                : std::fabs(static_cast<double>(from.master[t][static_cast<std::size_t>(i)]));
        require(std::isfinite(imp), errc::invalid_value, [&] {
          return "controller: saliency of tensor '" + c.tensors_[t].name + "'[" +
                 std::to_string(i) + "] is not finite";
        });
        e.push_back({imp, t, i});
      }
    }
    // Most important first; ties: lower (tensor, index) first.
    std::stable_sort(e.begin(), e.end(),
                     [](const entry& a, const entry& b) { return a.importance > b.importance; });
    const auto k = static_cast<std::size_t>(
        std::ceil(c.opts_.restore_fraction * static_cast<double>(e.size())));
    cstate s = cand;
    for (std::size_t j = 0; j < k && j < e.size(); ++j) {
      s.masks[e[j].t].set(e[j].i, true);
      s.master[e[j].t][static_cast<std::size_t>(e[j].i)] =
          from.master[e[j].t][static_cast<std::size_t>(e[j].i)];
    }
    return s;
  }

  target_result run_target(const std::vector<milestone>& plan) {
    result = target_result{};
    result.target = target->name;
    points.clear();
    checkpoint_states.clear();
    step = 0;
    checkpoint_no = 0;
    // Every target starts from the host's ORIGINAL weights, not from what the
    // previous target left in the views.
    cstate last = orig_state;
    std::size_t next = 0;
    bool stopped = false;
    std::string last_verdict;  // JSON of the kept state's verdict
    std::optional<loaded> L;
    if (c.opts_.resume) L = load_head();
    if (L) {
      last = std::move(L->s);
      next = L->next;
      stopped = L->stopped;
      last_verdict = std::move(L->verdict_json);
      resumed_pending_note = true;
      if (L->done) {
        result.steps = step;
        result.stopped = stopped;
        result.frontier = pareto();
        set_best_checkpoint();
        return result;
      }
    } else {
      // Step 0: the uncompressed model against itself.
      const verdict v0 = try_state(last, 0);
      last_verdict = v0.to_json(-1);
      record_point(last, v0);
      log(0, milestone{}, "baseline", last, last, &v0, "keep", "uncompressed baseline");
      ++step;
      checkpoint(last, 0, false, false, last_verdict);
    }
    for (; next < plan.size() && !stopped; ++next) {
      const milestone& m = plan[next];
      if (!allowed(m)) {
        log(next, m, "milestone", last, last, nullptr, "skip",
            std::string("not allowed by target '") + target->name +
                "' (max_sparsity / allowed_bits)");
        ++step;
        checkpoint(last, next + 1, false, false, last_verdict);
        continue;
      }
      if (m.kind != milestone_kind::quantize && m.sparsity <= sparsity(last)) {
        log(next, m, "milestone", last, last, nullptr, "skip", "already at or above this sparsity");
        ++step;
        checkpoint(last, next + 1, false, false, last_verdict);
        continue;
      }
      if (m.kind == milestone_kind::quantize &&
          std::all_of(last.bits.begin(), last.bits.end(),
                      [&](std::uint32_t b) { return b <= m.bits; })) {
        log(next, m, "milestone", last, last, nullptr, "skip",
            "every tensor is already at or below " + std::to_string(m.bits) + " bits");
        ++step;
        checkpoint(last, next + 1, false, false, last_verdict);
        continue;
      }
      cstate cand = apply(last, m, m.sparsity);
      verdict v = try_state(cand, m.finetune_steps);
      record_point(cand, v);
      if (v.pass) {
        log(next, m, "milestone", last, cand, &v, "keep", "all constraints hold");
        ++step;
        last = std::move(cand);
        last_verdict = v.to_json(-1);
        checkpoint(last, next + 1, false, false, last_verdict);
        continue;
      }
      const std::size_t fi = first_failing(v);
      log(next, m, "milestone", last, cand, &v, "rollback",
          "constraint '" + v.constraints[fi].id + "' fails: " + v.constraints[fi].reason);
      ++step;
      bool fixed = false;
      for (const remedy r : c.opts_.remedies) {
        if (r == remedy::stop) {
          log(next, m, "stop", last, last, nullptr, "stop",
              "no remedy passed; the plan stops for this target");
          ++step;
          stopped = true;
          break;
        }
        if (r == remedy::bisect && m.kind != milestone_kind::quantize) {
          double lo = sparsity(last), hi = m.sparsity;
          for (std::uint32_t d = 0; d < c.opts_.bisect_depth && !fixed; ++d) {
            const double mid = (lo + hi) / 2.0;
            cstate b = apply(last, m, mid);
            verdict bv = try_state(b, m.finetune_steps);
            record_point(b, bv);
            if (bv.pass) {
              log(next, m, "bisect", last, b, &bv, "keep",
                  "sparsity " + short_text(mid) + " passes");
              last = std::move(b);
              last_verdict = bv.to_json(-1);
              fixed = true;
            } else {
              log(next, m, "bisect", last, b, &bv, "rollback",
                  "sparsity " + short_text(mid) + " still fails");
              hi = mid;
            }
            ++step;
          }
        } else if (r == remedy::restore_critical && m.kind != milestone_kind::quantize) {
          const std::uint32_t g = worst_off_group(v, fi);
          cstate rc = restore_critical(last, cand, g);
          verdict rv = try_state(rc, m.finetune_steps);
          record_point(rc, rv);
          log(next, m, "restore_critical", last, rc, &rv, rv.pass ? "keep" : "rollback",
              "restored " + short_text(c.opts_.restore_fraction) +
                  " of the newly pruned weights, ranked by " +
                  (c.saliency_ ? "saliency" : "magnitude") + " for group '" +
                  c.rows_.group_names[g] + "'");
          ++step;
          if (rv.pass) {
            last = std::move(rc);
            last_verdict = rv.to_json(-1);
            fixed = true;
          }
        } else if (r == remedy::revert_tensor && T() > 1) {
          // Rank tensors by how much reverting each one moves the violated constraint.
          const auto& pc = target->constraints[fi];
          const bool le = pc.bound.op == policy::comparison::le;
          std::size_t best_t = T();
          double best_val = nan;
          cstate best_s;
          verdict best_v;
          for (std::size_t t = 0; t < T(); ++t) {
            if (cand.bits[t] == last.bits[t] &&
                cand.masks[t].count_pruned() == last.masks[t].count_pruned())
              continue;
            cstate rt = cand;
            rt.masks[t] = last.masks[t];
            rt.master[t] = last.master[t];
            rt.bits[t] = last.bits[t];
            rt.per_channel[t] = last.per_channel[t];
            verdict tv = try_state(rt, m.finetune_steps);
            const double val = tv.constraints[fi].value;
            if (best_t == T() || (!std::isnan(val) && (std::isnan(best_val) ||
                                                       (le ? val < best_val : val > best_val)))) {
              best_t = t, best_val = val, best_s = std::move(rt), best_v = std::move(tv);
            }
          }
          if (best_t < T()) {
            record_point(best_s, best_v);
            log(next, m, "revert_tensor", last, best_s, &best_v, best_v.pass ? "keep" : "rollback",
                "reverted '" + c.tensors_[best_t].name + "', the tensor whose compression moved '" +
                    pc.id + "' most (to " + short_text(best_val) + ")");
            ++step;
            if (best_v.pass) {
              last = std::move(best_s);
              last_verdict = best_v.to_json(-1);
              fixed = true;
            }
          }
        }
        if (fixed) break;
      }
      checkpoint(last, next + 1, stopped, false, last_verdict);
    }
    materialise(last);
    checkpoint(last, plan.size(), stopped, true, last_verdict);
    result.steps = step;
    result.stopped = stopped;
    result.frontier = pareto();
    set_best_checkpoint();
    return result;
  }

  void set_best_checkpoint() {
    result.best_checkpoint = 0;
    for (std::size_t k = 0; k < checkpoint_states.size(); ++k)
      if (result.best.pass && checkpoint_states[k] == result.best.state_digest) {
        result.best_checkpoint = k + 1;
        break;
      }
  }

  std::vector<frontier_point> pareto() const {
    bool higher = true;
    for (const auto& pc : target->constraints)
      if (pc.scope == policy::scope_kind::every_group) {
        higher = policy::info(pc.metric).better != policy::better_when::lower;
        break;
      }
    const auto better_eq = [&](double a, double b) {
      if (std::isnan(b)) return true;
      if (std::isnan(a)) return false;
      return higher ? a >= b : a <= b;
    };
    std::vector<frontier_point> out;
    for (const auto& p : points) {
      if (!p.pass) continue;  // the frontier is of deployable (passing) states
      bool dominated = false;
      for (const auto& q : points) {
        if (&p == &q || !q.pass) continue;
        const bool ge = q.sparsity >= p.sparsity && q.mean_bits <= p.mean_bits &&
                        better_eq(q.worst_group_metric, p.worst_group_metric);
        const bool strict = q.sparsity > p.sparsity || q.mean_bits < p.mean_bits ||
                            (better_eq(q.worst_group_metric, p.worst_group_metric) &&
                             !better_eq(p.worst_group_metric, q.worst_group_metric));
        if (ge && strict) {
          dominated = true;
          break;
        }
      }
      if (!dominated) out.push_back(p);
    }
    return out;
  }
};

controller::controller(policy::policy p, evaluation_rows rows, controller_options opts)
    : policy_(std::move(p)), rows_(std::move(rows)), opts_(std::move(opts)) {
  require(!opts_.directory.empty(), errc::invalid_argument,
          "controller: options.directory is empty");
  require(rows_.labels.size() == rows_.groups.size(), errc::length_mismatch, [&] {
    return "controller: " + std::to_string(rows_.labels.size()) + " labels but " +
           std::to_string(rows_.groups.size()) + " group codes";
  });
  for (const auto& t : opts_.targets)
    require(policy_.find_target(t) != nullptr, errc::invalid_argument,
            [&] { return "controller: policy '" + policy_.name + "' has no target '" + t + "'"; });
  require(opts_.restore_fraction > 0.0 && opts_.restore_fraction <= 1.0, errc::invalid_argument,
          "controller: restore_fraction must be in (0, 1]");
  // A policy that references unknown groups or features, or a metric the gate
  // cannot judge on these rows, fails here, before any work or file.
  {
    gate_inputs in;
    in.baseline = metrics::prediction_view::scores(metrics::real_view{}, rows_.threshold);
    in.candidate = in.baseline;
    in.group_names = rows_.group_names;
    in.sensitive_features = rows_.sensitive_features;
    if (opts_.targets.empty())
      for (const auto& t : policy_.targets) validate(policy_, t.name, in);
    else
      for (const auto& t : opts_.targets) validate(policy_, t, in);
  }
  // Fail early, before any work, if the directory cannot hold checkpoints.
  std::error_code ec;
  fs::create_directories(opts_.directory / "heads", ec);
  require(!ec, errc::io_error, [&] {
    return "controller: cannot create checkpoint directory " +
           (opts_.directory / "heads").string() + ": " + ec.message();
  });
  io::write_file_atomic(opts_.directory / "heads" / ".probe", std::string_view("ok\n"));
}

std::filesystem::path controller::changelog_path() const {
  return opts_.directory / "changelog.jsonl";
}

void controller::add_tensor(std::string name, tensor::view weights, int channel_axis) {
  require(weights.type == tensor::dtype::f32 && weights.is_contiguous(), errc::invalid_argument,
          [&] { return "controller: tensor '" + name + "' must be a C-contiguous f32 view"; });
  require(channel_axis >= 0 &&
              static_cast<std::size_t>(channel_axis) < std::max<std::size_t>(weights.rank, 1),
          errc::invalid_argument,
          [&] { return "controller: tensor '" + name + "': channel_axis out of range"; });
  for (const auto& t : tensors_)
    require(t.name != name, errc::invalid_argument,
            [&] { return "controller: tensor '" + name + "' registered twice"; });
  tensors_.push_back({std::move(name), weights, channel_axis});
}

run_result controller::run(const std::vector<milestone>& plan) {
  require(static_cast<bool>(evaluate_), errc::invalid_argument,
          "controller: no evaluate() callback registered");
  require(!tensors_.empty(), errc::invalid_argument, "controller: no weight tensors registered");
  for (const auto& m : plan)
    require(m.kind == milestone_kind::quantize ? (m.bits == 8 || m.bits == 4)
                                               : (m.sparsity >= 0.0 && m.sparsity <= 1.0),
            errc::invalid_argument,
            "controller: milestones prune to a sparsity in [0, 1] or quantize to 8 or 4 bits");
  impl I(*this, opts_.directory / "store");
  // The plan and tensor layout a checkpoint belongs to.
  {
    ojson pj = ojson::array();
    for (const auto& m : plan)
      pj.push_back(
          {kind_name(m.kind), text17(m.sparsity), m.bits, m.per_channel, m.finetune_steps});
    for (const auto& t : tensors_) pj.push_back({t.name, t.view.numel(), t.axis});
    I.plan_digest = io::sha256_hex(pj.dump());
  }
  trim_partial_line(changelog_path());
  const cstate orig = I.original();
  I.orig_state = orig;
  cstate o = orig;
  I.baseline_scores = I.scores_of(o);
  run_result out;
  out.plan = plan;
  out.baseline_scores_sha256 =
      io::sha256_hex(as_bytes(I.baseline_scores.data(), I.baseline_scores.size() * sizeof(double)));
  io::sha256_hasher h;
  std::vector<const policy::target*> targets;
  if (opts_.targets.empty())
    for (const auto& t : policy_.targets) targets.push_back(&t);
  else
    for (const auto& n : opts_.targets) targets.push_back(policy_.find_target(n));
  try {
    for (const auto* t : targets) {
      I.target = t;
      out.targets.push_back(I.run_target(plan));
      const auto& r = out.targets.back();
      h.update(r.target + "|" + r.best.state_digest + "|" + r.best.verdict_json + "|" +
               std::to_string(r.steps) + (r.stopped ? "|stopped" : "|running"));
      for (const auto& p : r.frontier) {
        std::string line = "|";
        line += std::to_string(p.step);
        for (double x : {p.sparsity, p.mean_bits, p.worst_group_metric}) {
          line += ',';
          line += text17(x);
        }
        line += p.pass ? ",pass" : ",fail";
        h.update(line);
      }
    }
  } catch (...) {
    cstate back = orig;
    I.materialise(back);  // the host gets its original weights back
    throw;
  }
  cstate back = orig;
  I.materialise(back);
  out.digest = h.finish_hex();
  if (!opts_.manifest_path.empty()) {
    manifest::manifest m;
    record_run(m, out, *this);
    m.write(opts_.manifest_path);
  }
  return out;
}

void record_run(manifest::manifest& m, const run_result& r, const controller& c) {
  using json = nlohmann::json;
  const auto num = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  json cfg;
  json plan = json::array();
  for (const auto& ms : r.plan)
    plan.push_back({{"kind", kind_name(ms.kind)},
                    {"sparsity", ms.sparsity},
                    {"bits", ms.bits},
                    {"per_channel", ms.per_channel},
                    {"finetune_steps", ms.finetune_steps}});
  cfg["plan"] = std::move(plan);
  json remedies = json::array();
  for (const remedy x : c.opts_.remedies) remedies.push_back(remedy_name(x));
  cfg["remedies"] = std::move(remedies);
  cfg["options"] = {{"targets", c.opts_.targets},
                    {"bisect_depth", c.opts_.bisect_depth},
                    {"restore_fraction", c.opts_.restore_fraction},
                    {"seed", c.opts_.seed ? json(*c.opts_.seed) : json(nullptr)}};
  json tensors = json::array();
  for (const auto& t : c.tensors_) {
    std::vector<std::int64_t> shape(t.view.shape.begin(), t.view.shape.begin() + t.view.rank);
    tensors.push_back({{"name", t.name}, {"shape", shape}, {"channel_axis", t.axis}});
  }
  cfg["tensors"] = std::move(tensors);
  std::vector<std::uint32_t> codes(c.rows_.groups.begin(), c.rows_.groups.end());
  cfg["evaluation_rows"] = {
      {"rows", c.rows_.labels.size()},
      {"labels_sha256", io::sha256_hex(as_bytes(c.rows_.labels.data(), c.rows_.labels.size()))},
      {"groups_sha256",
       io::sha256_hex(as_bytes(codes.data(), codes.size() * sizeof(std::uint32_t)))},
      {"group_names", c.rows_.group_names},
      {"threshold", c.rows_.threshold},
      {"baseline_scores_sha256", r.baseline_scores_sha256}};
  cfg["callbacks"] = {{"finetune", static_cast<bool>(c.finetune_)},
                      {"saliency", static_cast<bool>(c.saliency_)}};
  m.config()["controller"] = std::move(cfg);

  if (m.computation().at("policy").is_null())
    m.set_policy("policy:" + c.policy_.name, policy::to_canonical_toml(c.policy_));
  if (c.opts_.seed && m.computation().at("randomness").at("root_seed").is_null())
    m.set_root_seed(*c.opts_.seed);
  // The keyed streams the gate draws bootstrap replicates from (gate.hpp).
  for (const auto& tr : r.targets) {
    const policy::target* t = c.policy_.find_target(tr.target);
    if (t == nullptr) continue;
    for (const auto& pc : t->constraints) {
      const bool mcnemar =
          pc.evidence.kind == policy::evidence_kind::paired_test &&
          pc.bound.kind == policy::bound_kind::relative && pc.bound.value == 0.0 &&
          ((pc.metric == policy::metric_id::accuracy && pc.bound.op == policy::comparison::ge) ||
           (pc.metric == policy::metric_id::error_rate && pc.bound.op == policy::comparison::le));
      const bool draws = (pc.evidence.kind == policy::evidence_kind::ci &&
                          pc.evidence.interval == policy::interval_method::bootstrap) ||
                         (pc.evidence.kind == policy::evidence_kind::paired_test && !mcnemar);
      if (!draws) continue;
      const std::uint64_t seed = c.opts_.seed ? *c.opts_.seed : pc.evidence.seed;
      // Score-based metrics draw per-row weights (gate.hpp), the others per-cell counts.
      const bool rows = policy::info(pc.metric).needs_scores;
      const char* purpose = rows ? "bootstrap.rows" : "bootstrap.paired";
      m.add_stream(rng::stream_key{seed, rng::purpose_tag(purpose), 0},
                   "gate " + t->name + "/" + pc.id + ": paired " + (rows ? "row " : "") +
                       "bootstrap, replicates 0.." +
                       std::to_string(pc.evidence.bootstrap_replicates - 1) +
                       " (stream index = replicate)");
    }
  }

  json targets = json::array();
  for (const auto& tr : r.targets) {
    const auto& b = tr.best;
    json best = {{"sparsity", b.sparsity},
                 {"mean_bits", b.mean_bits},
                 {"tensor_sparsity", b.tensor_sparsity},
                 {"tensor_bits", b.tensor_bits},
                 {"worst_group_metric", num(b.worst_group_metric)},
                 {"pass", b.pass},
                 {"state_digest", b.state_digest},
                 {"verdict", b.verdict_json.empty() ? json(nullptr) : json::parse(b.verdict_json)}};
    json frontier = json::array();
    for (const auto& p : tr.frontier)
      frontier.push_back({{"step", p.step},
                          {"sparsity", p.sparsity},
                          {"mean_bits", p.mean_bits},
                          {"worst_group_metric", num(p.worst_group_metric)},
                          {"pass", p.pass}});
    targets.push_back({{"target", tr.target},
                       {"best", std::move(best)},
                       {"frontier", std::move(frontier)},
                       {"steps", tr.steps},
                       {"stopped", tr.stopped},
                       {"checkpoints", tr.checkpoints},
                       {"best_checkpoint", tr.best_checkpoint}});
  }
  m.results()["controller"] = {{"digest", r.digest}, {"targets", std::move(targets)}};

  const io::content_store store(c.opts_.directory / "store");
  for (const auto& tr : r.targets)
    for (std::size_t k = 0; k < tr.checkpoints.size(); ++k) {
      std::error_code ec;
      const auto size = fs::file_size(store.object_path(tr.checkpoints[k]), ec);
      require(!ec, errc::io_error, [&] {
        return "record_run: checkpoint " + tr.checkpoints[k] + " is missing from the store " +
               store.root().string();
      });
      m.add_artifact_digest("controller/" + tr.target + "/checkpoint/" + std::to_string(k + 1),
                            tr.checkpoints[k], size);
    }
  if (fs::exists(c.changelog_path()))
    (void)m.add_artifact("controller/changelog.jsonl", io::read_file(c.changelog_path()));
  m.unhashed()["controller"] = {{"directory", c.opts_.directory.string()},
                                {"resume", c.opts_.resume}};
}

restored_state restore(controller& c, const manifest::manifest& m, std::string_view target,
                       std::uint64_t checkpoint) try {
  using json = nlohmann::json;
  const json& comp = m.computation();
  require(comp.contains("results") && comp.at("results").contains("controller") &&
              comp.contains("config") && comp.at("config").contains("controller"),
          errc::invalid_argument,
          "restore: the manifest has no controller record (results.controller)");
  // record_run's layout, or one record per target under the target's name
  // (what `fairgate compress` writes: results.controller.<target>).
  const json* res = &comp.at("results").at("controller");
  const json* cfg = &comp.at("config").at("controller");
  const std::string tname(target);
  if (!res->contains("targets") && res->contains(tname)) {
    res = &res->at(tname);
    if (cfg->contains(tname)) cfg = &cfg->at(tname);
  }
  const json* entry = nullptr;
  if (res->contains("targets"))
    for (const auto& t : res->at("targets"))
      if (t.at("target").get<std::string>() == target) entry = &t;
  require(entry != nullptr, errc::invalid_argument, [&] {
    return "restore: the manifest records no run of target '" + std::string(target) + "'";
  });
  // The registered tensors must be the recorded ones.
  const json& rt = cfg->at("tensors");
  require(rt.size() == c.tensors_.size(), errc::invalid_argument, [&] {
    return "restore: the manifest records " + std::to_string(rt.size()) + " tensors, " +
           std::to_string(c.tensors_.size()) + " are registered";
  });
  for (std::size_t t = 0; t < c.tensors_.size(); ++t) {
    const auto& v = c.tensors_[t].view;
    std::vector<std::int64_t> shape(v.shape.begin(), v.shape.begin() + v.rank);
    require(rt[t].at("name").get<std::string>() == c.tensors_[t].name &&
                rt[t].at("shape").get<std::vector<std::int64_t>>() == shape,
            errc::invalid_argument, [&] {
              return "restore: registered tensor " + std::to_string(t) + " '" + c.tensors_[t].name +
                     "' differs in name or shape from the recorded '" +
                     rt[t].at("name").get<std::string>() + "'";
            });
  }
  const auto hashes = entry->at("checkpoints").get<std::vector<std::string>>();
  const std::uint64_t k =
      checkpoint == 0 ? entry->at("best_checkpoint").get<std::uint64_t>() : checkpoint;
  require(k >= 1 && k <= hashes.size(), errc::invalid_argument, [&] {
    return "restore: target '" + std::string(target) + "' has checkpoints 1.." +
           std::to_string(hashes.size()) + "; " +
           (checkpoint == 0 ? std::string("no best state is recorded")
                            : "checkpoint " + std::to_string(checkpoint) + " does not exist");
  });
  controller::impl I(c, c.opts_.directory / "store");
  const std::string& hash = hashes[k - 1];
  // Re-hashed on read: a store entry that fails verification is errc::verification_failed.
  const ojson j = controller::impl::parse_object(I.store.get(hash));
  require(j.value("format", std::string()) == "fairgate.checkpoint/1" &&
              j.value("target", std::string()) == target,
          errc::verification_failed, [&] {
            return "restore: store object " + hash + " is not a checkpoint of target '" +
                   std::string(target) + "'";
          });
  cstate s = I.load_state(j);
  const std::string digest = I.state_digest(s);
  const std::string want = checkpoint == 0 ? entry->at("best").at("state_digest").get<std::string>()
                                           : j.value("state_digest", std::string());
  require(digest == want, errc::verification_failed, [&] {
    return "restore: checkpoint " + std::to_string(k) + " of target '" + std::string(target) +
           "' holds state " + digest + ", the manifest records " + want;
  });
  // The scales materialise() will compute from the recorded weights must be
  // the recorded ones; checked before anything is written to the host.
  for (std::size_t t = 0; t < s.scales.size(); ++t) {
    std::vector<float> scales;
    if (s.bits[t] < 32) {
      std::vector<float> copy = s.master[t];
      const tensor::view v = I.master_view(copy, t);
      const int axis = s.per_channel[t] ? c.tensors_[t].axis : quantize::per_tensor;
      quantize::minmax_observer obs(axis);
      obs.observe(v);
      scales = obs.calculate_qparams(scheme_for(s.bits[t], axis)).scale;
    }
    require(scales == s.scales[t], errc::verification_failed, [&] {
      return "restore: the recorded quantization scales of tensor '" + c.tensors_[t].name +
             "' differ from the ones its recorded weights give";
    });
  }
  I.materialise(s);
  restored_state out;
  out.target = std::string(target);
  out.checkpoint = k;
  out.state_digest = digest;
  out.sparsity = I.sparsity(s);
  out.mean_bits = I.mean_bits(s);
  out.tensor_bits = s.bits;
  return out;
} catch (const nlohmann::json::exception& e) {
  throw error(errc::parse_error,
              std::string("restore: malformed controller record in the manifest: ") + e.what());
}

}  // namespace gate
FAIRGATE_END_NAMESPACE
