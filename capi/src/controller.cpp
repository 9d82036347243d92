// capi/src/controller.cpp: the constraint-aware compression controller over the
// C ABI, with C function-pointer callbacks carrying the host's user_data.
//
// A callback failure travels through the C++ controller as a private
// exception type (the controller restores the host's weights and rethrows);
// it is turned back into the callback's status here, so nothing crosses the
// C boundary but a status.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/fairgate.h>
#include <fairgate/gate/controller.hpp>
#include <fairgate/gate/record.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/io/store.hpp>
#include <fairgate/tensor/view.hpp>

#include "gate_handles.hpp"
#include "guard.hpp"
#include "util.hpp"

using fairgate::capi::checked_enum;
using fairgate::capi::guard;
using fairgate::capi::policy_of;
using fairgate::capi::read_versioned;
using fairgate::capi::require_array;
using fairgate::capi::require_index;
using fairgate::capi::require_non_null;
using fairgate::capi::string_array;
using fairgate::capi::write_versioned;
namespace fg = fairgate::gate;
namespace fs = std::filesystem;

struct fairgate_controller {
  std::unique_ptr<fg::controller> ctl;
  fs::path directory;
  std::string changelog;
  std::size_t n_rows = 0;
  fairgate_controller_callbacks callbacks{};
  std::vector<std::string> tensor_names;
  std::vector<std::size_t> tensor_numel;
  std::optional<fg::run_result> result;
};

namespace {

static_assert(sizeof(void*) != 8 || sizeof(fairgate_evaluation_rows) == 72,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_controller_options) == 88,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_controller_callbacks) == 40,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(fairgate_milestone) == 32, "ABI: v1 layout is frozen");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_target_result) == 96,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(fairgate_frontier_point) == 40, "ABI: v1 layout is frozen");

// A host callback returned an error: carried through the controller (which
// restores the host's weights on the way) and returned as `status`.
struct callback_failure {
  fairgate_status status;
  std::string message;
};

[[noreturn]] void fail_callback(const char* which, int32_t status) {
  const bool known = status > 0 && status <= FAIRGATE_E_OUT_OF_MEMORY;
  callback_failure f{known ? static_cast<fairgate_status>(status) : FAIRGATE_E_INVALID_VALUE, ""};
  f.message = std::string("controller: the ") + which + " callback failed with status " +
              std::to_string(status) + " (" + fairgate_status_name(status) + ")";
  throw f;
}

fairgate_evaluation_rows default_rows() {
  fairgate_evaluation_rows r{};
  r.struct_size = sizeof(r);
  r.labels_dtype = FAIRGATE_DTYPE_U8;
  r.groups_dtype = FAIRGATE_DTYPE_U32;
  r.threshold = 0.5;
  return r;
}

fairgate_controller_options default_options() {
  fairgate_controller_options o{};
  o.struct_size = sizeof(o);
  o.bisect_depth = 2;
  o.restore_fraction = 0.25;
  return o;
}

fairgate_milestone default_milestone() {
  fairgate_milestone m{};
  m.struct_size = sizeof(m);
  m.kind = FAIRGATE_MILESTONE_PRUNE_GLOBAL;
  m.bits = 8;
  m.per_channel = 1;
  return m;
}

fairgate_controller_callbacks no_callbacks() {
  fairgate_controller_callbacks c{};
  c.struct_size = sizeof(c);
  return c;
}

fairgate_controller* handle_of(fairgate_controller* c) {
  require_non_null(c, "controller");
  return c;
}

const fg::run_result& result_of(const fairgate_controller* c) {
  require_non_null(c, "controller");
  fairgate::require(c->result.has_value(), fairgate::errc::invalid_argument,
                    "controller: no results yet (fairgate_controller_run has not succeeded)");
  return *c->result;
}

fg::evaluation_rows rows_of(const fairgate_evaluation_rows* rows) {
  require_non_null(rows, "rows");
  const fairgate_evaluation_rows r =
      read_versioned(rows, sizeof(fairgate_evaluation_rows), default_rows(), "rows");
  require_array(r.labels, r.n, "rows->labels");
  require_array(r.groups, r.n, "rows->groups");
  fairgate::require(std::isfinite(r.threshold), fairgate::errc::invalid_argument,
                    "rows->threshold must be finite");
  const auto y = fairgate::capi::label_view_of(r.labels, r.n, r.labels_dtype, "rows->labels");
  const auto g = fairgate::capi::code_view_of(r.groups, r.n, r.groups_dtype, "rows->groups");
  fg::evaluation_rows out;
  out.group_names = string_array(r.group_names, r.n_groups, "rows->group_names");
  fairgate::require(!out.group_names.empty(), fairgate::errc::invalid_argument,
                    "rows->n_groups must be at least 1");
  out.threshold = r.threshold;
  out.labels.resize(r.n);
  out.groups.resize(r.n);
  for (std::size_t i = 0; i < r.n; ++i) {
    const std::int64_t yi = y.at(i);
    fairgate::require(yi == 0 || yi == 1, fairgate::errc::out_of_range, [&] {
      return "rows->labels[" + std::to_string(i) + "] = " + std::to_string(yi) +
             ": labels must be 0 or 1";
    });
    const std::uint64_t gi = g.at(i);
    fairgate::require(gi < r.n_groups, fairgate::errc::out_of_range, [&] {
      return "rows->groups[" + std::to_string(i) + "] = " + std::to_string(gi) +
             ": group codes must be < n_groups = " + std::to_string(r.n_groups);
    });
    out.labels[i] = static_cast<std::uint8_t>(yi);
    out.groups[i] = static_cast<std::uint32_t>(gi);
  }
  return out;
}

fg::controller_options options_of(const fairgate_controller_options* options) {
  require_non_null(options, "options");
  const fairgate_controller_options o =
      read_versioned(options, sizeof(fairgate_controller_options), default_options(), "options");
  fg::controller_options out;
  out.directory = fairgate::capi::string_arg(o.directory, "options->directory");
  out.targets = string_array(o.targets, o.n_targets, "options->targets");
  if (o.remedies != nullptr) {
    out.remedies.clear();
    for (std::size_t i = 0; i < o.n_remedies; ++i)
      out.remedies.push_back(checked_enum<fg::remedy>(o.remedies[i], 4, "options->remedies[i]"));
  }
  out.bisect_depth = o.bisect_depth;
  fairgate::require(o.restore_fraction > 0.0 && o.restore_fraction <= 1.0,
                    fairgate::errc::invalid_argument, [&] {
                      return "options->restore_fraction = " + std::to_string(o.restore_fraction) +
                             ": must be in (0, 1]";
                    });
  out.restore_fraction = o.restore_fraction;
  if (o.has_seed != 0) out.seed = o.seed;
  out.resume = o.resume != 0;
  return out;
}

std::vector<fg::milestone> plan_of(const fairgate_milestone* plan, std::size_t n) {
  std::vector<fg::milestone> out;
  if (n == 0) return out;
  require_non_null(plan, "plan");
  const std::uint32_t stride = plan[0].struct_size;
  // The stride is the caller's sizeof: at least the v1 size, and a multiple of
  // the struct's alignment (anything else cannot be an array of the struct).
  fairgate::require(
      stride >= sizeof(fairgate_milestone) && stride % alignof(fairgate_milestone) == 0,
      fairgate::errc::invalid_argument, [&] {
        return "plan[0].struct_size = " + std::to_string(stride) +
               " is not the size of any version of fairgate_milestone; call "
               "fairgate_milestone_init first";
      });
  const auto* bytes = reinterpret_cast<const unsigned char*>(plan);
  for (std::size_t i = 0; i < n; ++i) {
    const auto* m = reinterpret_cast<const fairgate_milestone*>(bytes + i * stride);
    fairgate::require(m->struct_size == stride, fairgate::errc::invalid_argument, [&] {
      return "plan[" + std::to_string(i) + "].struct_size = " + std::to_string(m->struct_size) +
             " differs from plan[0].struct_size = " + std::to_string(stride);
    });
    const fairgate_milestone c =
        read_versioned(m, sizeof(fairgate_milestone), default_milestone(), "plan[i]");
    fg::milestone x;
    x.kind = checked_enum<fg::milestone_kind>(c.kind, 3, "plan[i].kind");
    fairgate::require(std::isfinite(c.sparsity), fairgate::errc::invalid_argument,
                      [&] { return "plan[" + std::to_string(i) + "].sparsity is not finite"; });
    x.sparsity = c.sparsity;
    x.bits = c.bits;
    x.per_channel = c.per_channel != 0;
    x.finetune_steps = c.finetune_steps;
    out.push_back(x);
  }
  return out;
}

// Installs the C callbacks on the C++ controller. The lambdas hold the handle,
// which outlives the controller it owns.
void install_callbacks(fairgate_controller* h) {
  h->ctl->on_evaluate([h] {
    // NaN-filled: a callback that writes nothing is caught as non-finite scores.
    std::vector<double> scores(h->n_rows, std::numeric_limits<double>::quiet_NaN());
    const int32_t st = h->callbacks.evaluate(h->callbacks.user_data, scores.data(), scores.size());
    if (st != FAIRGATE_OK) fail_callback("evaluate", st);
    return scores;
  });
  if (h->callbacks.finetune != nullptr) {
    h->ctl->on_finetune([h](std::uint32_t steps) {
      const int32_t st = h->callbacks.finetune(h->callbacks.user_data, steps);
      if (st != FAIRGATE_OK) fail_callback("finetune", st);
    });
  } else {
    h->ctl->on_finetune(nullptr);
  }
  if (h->callbacks.saliency != nullptr) {
    h->ctl->on_saliency([h](std::size_t t, std::uint32_t g) {
      const std::size_t n = t < h->tensor_numel.size() ? h->tensor_numel[t] : 0;
      std::vector<double> v(n, std::numeric_limits<double>::quiet_NaN());
      const int32_t st = h->callbacks.saliency(h->callbacks.user_data, t, g, v.data(), n);
      if (st != FAIRGATE_OK) fail_callback("saliency", st);
      return v;
    });
  } else {
    h->ctl->on_saliency(nullptr);
  }
}

// guard() plus the callback-failure channel.
template <class Body>
fairgate_status guard_run(Body&& body) noexcept {
  std::optional<callback_failure> failure;
  const fairgate_status st = guard([&] {
    try {
      body();
    } catch (callback_failure& f) {
      failure = std::move(f);
    }
  });
  if (st != FAIRGATE_OK) return st;
  if (failure) return fairgate::capi::set_error(failure->status, failure->message);
  return FAIRGATE_OK;
}

nlohmann::json read_json_blob(const fairgate::io::content_store& store, const std::string& hash) {
  const auto bytes = store.get(hash);  // re-hashed: corruption is verification_failed
  return nlohmann::json::parse(
      std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// The best state of one target read back from its final checkpoint
// (docs/gate.md "Files under options.directory"): masks and bits of every
// tensor, checked against the run's state digest of the best state.
struct best_state {
  std::vector<std::vector<std::uint8_t>> masks;
  std::vector<std::uint32_t> bits;
};

best_state read_best(const fairgate_controller* h, const fg::target_result& r) {
  try {
    const fs::path head = h->directory / "heads" / (r.target + ".json");
    const auto head_json = nlohmann::json::parse(fairgate::io::read_text_file(head));
    const fairgate::io::content_store store(h->directory / "store");
    const auto cp = read_json_blob(store, head_json.at("checkpoint").get<std::string>());
    fairgate::require(cp.at("format") == "fairgate.checkpoint/1" && cp.at("done").get<bool>(),
                      fairgate::errc::verification_failed, [&] {
                        return "controller: the head of target '" + r.target +
                               "' is not a finished checkpoint";
                      });
    const auto& ts = cp.at("state");
    fairgate::require(ts.size() == h->tensor_names.size(), fairgate::errc::verification_failed,
                      "controller: the final checkpoint's tensor count differs");
    best_state b;
    fairgate::io::sha256_hasher digest;  // the state digest of controller.cpp
    for (std::size_t t = 0; t < ts.size(); ++t) {
      const auto& e = ts[t];
      const auto mw = store.get(e.at("mask").get<std::string>());
      const auto ww = store.get(e.at("weights").get<std::string>());
      const std::size_t n = h->tensor_numel[t];
      fairgate::require(mw.size() == (n + 63) / 64 * 8 && ww.size() == n * sizeof(float),
                        fairgate::errc::verification_failed,
                        "controller: a checkpoint blob has the wrong size");
      std::vector<std::uint8_t> m(n);
      for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t w;
        std::memcpy(&w, mw.data() + (i / 64) * 8, 8);
        m[i] = static_cast<std::uint8_t>((w >> (i % 64)) & 1u);
      }
      const auto bits = e.at("bits").get<std::uint32_t>();
      digest.update(e.at("name").get<std::string>());
      digest.update(mw);
      digest.update(ww);
      digest.update(std::to_string(bits) + (e.at("per_channel").get<bool>() ? "c" : "t"));
      b.masks.push_back(std::move(m));
      b.bits.push_back(bits);
    }
    fairgate::require(digest.finish_hex() == r.best.state_digest, fairgate::errc::unsupported, [&] {
      return "controller: the final checkpoint of target '" + r.target +
             "' is not its best state (state digests differ)";
    });
    return b;
  } catch (const nlohmann::json::exception& e) {
    throw fairgate::error(fairgate::errc::parse_error,
                          std::string("controller: cannot read the final checkpoint: ") + e.what());
  }
}

}  // namespace

extern "C" {

fairgate_status fairgate_evaluation_rows_init(fairgate_evaluation_rows* rows) {
  return guard([&] {
    require_non_null(rows, "rows");
    *rows = default_rows();
  });
}

fairgate_status fairgate_controller_options_init(fairgate_controller_options* options) {
  return guard([&] {
    require_non_null(options, "options");
    *options = default_options();
  });
}

fairgate_status fairgate_milestone_init(fairgate_milestone* milestone) {
  return guard([&] {
    require_non_null(milestone, "milestone");
    *milestone = default_milestone();
  });
}

fairgate_status fairgate_controller_create(const fairgate_policy* policy,
                                           const fairgate_evaluation_rows* rows,
                                           const fairgate_controller_options* options,
                                           fairgate_controller** out) {
  return guard([&] {
    const auto& p = policy_of(policy);
    require_non_null(out, "out");
    fg::evaluation_rows r = rows_of(rows);
    fg::controller_options o = options_of(options);
    auto h = std::make_unique<fairgate_controller>();
    h->directory = o.directory;
    h->n_rows = r.labels.size();
    h->callbacks = no_callbacks();
    h->ctl = std::make_unique<fg::controller>(p, std::move(r), std::move(o));
    h->changelog = h->ctl->changelog_path().string();
    *out = h.release();
  });
}

void fairgate_controller_destroy(fairgate_controller* controller) {
  delete controller;
}

fairgate_status fairgate_controller_add_tensor(fairgate_controller* controller, const char* name,
                                               const fairgate_tensor* weights,
                                               int32_t channel_axis) {
  return guard([&] {
    fairgate_controller* h = handle_of(controller);
    const std::string n = fairgate::capi::string_arg(name, "name");
    require_non_null(weights, "weights");
    fairgate::require(weights->dtype == FAIRGATE_DTYPE_F32, fairgate::errc::invalid_argument, [&] {
      return "weights->dtype = " + std::to_string(weights->dtype) +
             ": the controller takes F32 tensors";
    });
    fairgate::require(weights->strides == nullptr, fairgate::errc::invalid_argument,
                      "weights->strides must be NULL (C-contiguous tensors only)");
    fairgate::require(
        weights->rank >= 1 && weights->rank <= fairgate::tensor::max_rank,
        fairgate::errc::invalid_argument,
        [&] { return "weights->rank = " + std::to_string(weights->rank) + ": must be in [1, 8]"; });
    require_non_null(weights->shape, "weights->shape");
    std::int64_t numel = 1;
    for (std::size_t i = 0; i < weights->rank; ++i) {
      const std::int64_t d = weights->shape[i];
      fairgate::require(d >= 1 && d <= (std::int64_t{1} << 40), fairgate::errc::invalid_argument,
                        [&] {
                          return "weights->shape[" + std::to_string(i) +
                                 "] = " + std::to_string(d) + ": must be in [1, 2^40]";
                        });
      numel *= d;
      fairgate::require(numel <= (std::int64_t{1} << 40), fairgate::errc::invalid_argument,
                        "weights: more than 2^40 elements");
    }
    require_non_null(weights->data, "weights->data");
    h->ctl->add_tensor(
        n,
        fairgate::tensor::view::contiguous(weights->data, fairgate::tensor::dtype::f32,
                                           weights->shape, weights->rank),
        channel_axis);
    h->tensor_names.push_back(n);
    h->tensor_numel.push_back(static_cast<std::size_t>(numel));
  });
}

fairgate_status fairgate_controller_set_callbacks(fairgate_controller* controller,
                                                  const fairgate_controller_callbacks* callbacks) {
  return guard([&] {
    fairgate_controller* h = handle_of(controller);
    require_non_null(callbacks, "callbacks");
    const fairgate_controller_callbacks c = read_versioned(
        callbacks, sizeof(fairgate_controller_callbacks), no_callbacks(), "callbacks");
    require_non_null(reinterpret_cast<const void*>(c.evaluate), "callbacks->evaluate");
    h->callbacks = c;
    install_callbacks(h);
  });
}

fairgate_status fairgate_controller_run(fairgate_controller* controller,
                                        const fairgate_milestone* plan, std::size_t n_milestones) {
  return guard_run([&] {
    fairgate_controller* h = handle_of(controller);
    const std::vector<fg::milestone> p = plan_of(plan, n_milestones);
    fairgate::require(h->callbacks.evaluate != nullptr, fairgate::errc::invalid_argument,
                      "controller: no evaluate callback (fairgate_controller_set_callbacks)");
    h->result.reset();
    h->result = h->ctl->run(p);
  });
}

fairgate_status fairgate_controller_result_count(const fairgate_controller* controller,
                                                 std::size_t* out_count) {
  return guard([&] {
    const auto& r = result_of(controller);
    require_non_null(out_count, "out_count");
    *out_count = r.targets.size();
  });
}

fairgate_status fairgate_controller_target_result(const fairgate_controller* controller,
                                                  std::size_t index, fairgate_target_result* out) {
  return guard([&] {
    const auto& rr = result_of(controller);
    require_index(index, rr.targets.size(), "index");
    const auto& t = rr.targets[index];
    fairgate_target_result r{};
    r.target = t.target.c_str();
    r.pass = t.best.pass ? 1 : 0;
    r.sparsity = t.best.sparsity;
    r.mean_bits = t.best.mean_bits;
    r.worst_group_metric = t.best.worst_group_metric;
    r.steps = t.steps;
    r.stopped = t.stopped ? 1 : 0;
    r.n_frontier = t.frontier.size();
    r.n_tensors = controller->tensor_names.size();
    r.state_digest = t.best.state_digest.c_str();
    r.verdict_json = t.best.verdict_json.c_str();
    write_versioned(out, r, sizeof(fairgate_target_result), "out");
  });
}

fairgate_status fairgate_controller_frontier(const fairgate_controller* controller,
                                             std::size_t index, fairgate_frontier_point* out,
                                             std::size_t capacity, std::size_t* out_count) {
  return guard([&] {
    const auto& rr = result_of(controller);
    require_index(index, rr.targets.size(), "index");
    require_non_null(out_count, "out_count");
    const auto& f = rr.targets[index].frontier;
    if (capacity >= f.size()) {
      if (!f.empty()) require_non_null(out, "out");
      for (std::size_t i = 0; i < f.size(); ++i) {
        out[i] = fairgate_frontier_point{f[i].step, f[i].sparsity, f[i].mean_bits,
                                         f[i].worst_group_metric, f[i].pass ? 1 : 0};
      }
    }
    *out_count = f.size();
  });
}

fairgate_status fairgate_controller_best_tensor(const fairgate_controller* controller,
                                                std::size_t index, std::size_t tensor,
                                                double* out_sparsity, uint32_t* out_bits,
                                                uint8_t* out_mask, std::size_t mask_size) {
  return guard([&] {
    const auto& rr = result_of(controller);
    require_index(index, rr.targets.size(), "index");
    require_index(tensor, controller->tensor_names.size(), "tensor");
    const std::size_t n = controller->tensor_numel[tensor];
    if (out_mask != nullptr) {
      fairgate::require(mask_size == n, fairgate::errc::length_mismatch, [&] {
        return "mask_size = " + std::to_string(mask_size) + " but tensor '" +
               controller->tensor_names[tensor] + "' has " + std::to_string(n) + " elements";
      });
    }
    const best_state b = read_best(controller, rr.targets[index]);
    const auto& m = b.masks[tensor];
    std::size_t pruned = 0;
    for (const auto x : m) pruned += x == 0 ? 1 : 0;
    if (out_sparsity != nullptr)
      *out_sparsity = n == 0 ? 0.0 : static_cast<double>(pruned) / static_cast<double>(n);
    if (out_bits != nullptr) *out_bits = b.bits[tensor];
    if (out_mask != nullptr && n > 0) std::memcpy(out_mask, m.data(), n);
  });
}

fairgate_status fairgate_controller_record(const fairgate_controller* controller,
                                           fairgate_manifest* manifest) {
  return guard([&] {
    const auto& r = result_of(controller);
    require_non_null(manifest, "manifest");
    fg::record_run(manifest->value, r, *controller->ctl);
  });
}

fairgate_status fairgate_controller_restore(fairgate_controller* controller,
                                            const fairgate_manifest* manifest, const char* target,
                                            uint64_t checkpoint, double* out_sparsity,
                                            uint64_t* out_checkpoint) {
  return guard([&] {
    fairgate_controller* h = handle_of(controller);
    require_non_null(manifest, "manifest");
    const std::string t = fairgate::capi::string_arg(target, "target");
    const fg::restored_state s = fg::restore(*h->ctl, manifest->value, t, checkpoint);
    if (out_sparsity != nullptr) *out_sparsity = s.sparsity;
    if (out_checkpoint != nullptr) *out_checkpoint = s.checkpoint;
  });
}

fairgate_status fairgate_controller_digest(const fairgate_controller* controller,
                                           const char** out_digest) {
  return guard([&] {
    require_non_null(controller, "controller");
    require_non_null(out_digest, "out_digest");
    *out_digest = controller->result ? controller->result->digest.c_str() : "";
  });
}

fairgate_status fairgate_controller_changelog_path(const fairgate_controller* controller,
                                                   const char** out_path) {
  return guard([&] {
    require_non_null(controller, "controller");
    require_non_null(out_path, "out_path");
    *out_path = controller->changelog.c_str();
  });
}

}  // extern "C"
