// capi/src/gate.cpp: the fairness gate over the C ABI (policy x baseline x candidate -> verdict).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>
#include <fairgate/gate/gate.hpp>
#include <fairgate/gate/verdict.hpp>

#include "gate_handles.hpp"
#include "guard.hpp"
#include "util.hpp"

using fairgate::capi::guard;
using fairgate::capi::policy_of;
using fairgate::capi::read_versioned;
using fairgate::capi::require_array;
using fairgate::capi::require_index;
using fairgate::capi::require_non_null;
using fairgate::capi::string_array;
using fairgate::capi::write_versioned;
namespace fg = fairgate::gate;
namespace fm = fairgate::metrics;

// The verdict plus its JSON and table, rendered once (the handle is then
// immutable, so any thread may read it).
struct fairgate_verdict {
  fg::verdict value;
  std::string json;
  std::string table;
};

namespace {

static_assert(sizeof(void*) != 8 || sizeof(fairgate_gate_inputs) == 152,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_constraint_result) == 112,
              "ABI: v1 layout is frozen (LP64)");
static_assert(sizeof(void*) != 8 || sizeof(fairgate_item_result) == 120,
              "ABI: v1 layout is frozen (LP64)");

fairgate_gate_inputs default_inputs() {
  fairgate_gate_inputs in{};
  in.struct_size = sizeof(in);
  in.labels_dtype = FAIRGATE_DTYPE_U8;
  in.baseline_dtype = FAIRGATE_DTYPE_F64;
  in.candidate_dtype = FAIRGATE_DTYPE_F64;
  in.groups_dtype = FAIRGATE_DTYPE_U32;
  in.weights_dtype = FAIRGATE_DTYPE_F64;
  in.threshold = 0.5;
  return in;
}

int32_t outcome_of(fg::outcome o) {
  switch (o) {
    case fg::outcome::pass:
      return FAIRGATE_OUTCOME_PASS;
    case fg::outcome::fail:
      return FAIRGATE_OUTCOME_FAIL;
    case fg::outcome::skipped:
      return FAIRGATE_OUTCOME_SKIPPED;
  }
  return FAIRGATE_OUTCOME_FAIL;
}

const fg::verdict& verdict_of(const fairgate_verdict* v) {
  require_non_null(v, "verdict");
  return v->value;
}

const fg::constraint_result& constraint_at(const fairgate_verdict* v, std::size_t index) {
  const auto& vd = verdict_of(v);
  require_index(index, vd.constraints.size(), "constraint index");
  return vd.constraints[index];
}

}  // namespace

extern "C" {

fairgate_status fairgate_gate_inputs_init(fairgate_gate_inputs* inputs) {
  return guard([&] {
    require_non_null(inputs, "inputs");
    *inputs = default_inputs();
  });
}

fairgate_status fairgate_gate_evaluate(const fairgate_policy* policy, const char* target,
                                       const fairgate_gate_inputs* inputs, fairgate_verdict** out) {
  return guard([&] {
    const auto& p = policy_of(policy);
    require_non_null(target, "target");
    require_non_null(inputs, "inputs");
    require_non_null(out, "out");
    const fairgate_gate_inputs in =
        read_versioned(inputs, sizeof(fairgate_gate_inputs), default_inputs(), "inputs");
    const std::size_t n = in.n;
    require_array(in.labels, n, "inputs->labels");
    require_array(in.baseline_scores, n, "inputs->baseline_scores");
    require_array(in.candidate_scores, n, "inputs->candidate_scores");
    require_array(in.groups, n, "inputs->groups");
    fairgate::require(std::isfinite(in.threshold), fairgate::errc::invalid_argument,
                      "inputs->threshold must be finite");
    fg::gate_inputs g;
    g.labels = fairgate::capi::label_view_of(in.labels, n, in.labels_dtype, "inputs->labels");
    g.baseline = fm::prediction_view::scores(
        fairgate::capi::real_view_of(in.baseline_scores, n, in.baseline_dtype, "inputs->baseline"),
        in.threshold);
    g.candidate = fm::prediction_view::scores(
        fairgate::capi::real_view_of(in.candidate_scores, n, in.candidate_dtype,
                                     "inputs->candidate"),
        in.threshold);
    g.groups = fairgate::capi::code_view_of(in.groups, n, in.groups_dtype, "inputs->groups");
    g.group_names = string_array(in.group_names, in.n_groups, "inputs->group_names");
    g.sensitive_features =
        string_array(in.sensitive_features, in.n_sensitive_features, "inputs->sensitive_features");
    if (in.weights != nullptr)
      g.weights = fairgate::capi::real_view_of(in.weights, n, in.weights_dtype, "inputs->weights");
    if (in.has_seed != 0) g.seed = in.seed;
    auto v = std::make_unique<fairgate_verdict>();
    v->value = fg::evaluate(p, target, g);
    v->json = v->value.to_json(2);
    v->table = v->value.to_table();
    *out = v.release();
  });
}

void fairgate_verdict_destroy(fairgate_verdict* verdict) {
  delete verdict;
}

fairgate_status fairgate_verdict_pass(const fairgate_verdict* verdict, int32_t* out_pass) {
  return guard([&] {
    const auto& v = verdict_of(verdict);
    require_non_null(out_pass, "out_pass");
    *out_pass = v.pass ? 1 : 0;
  });
}

fairgate_status fairgate_verdict_constraint_count(const fairgate_verdict* verdict,
                                                  std::size_t* out_count) {
  return guard([&] {
    const auto& v = verdict_of(verdict);
    require_non_null(out_count, "out_count");
    *out_count = v.constraints.size();
  });
}

fairgate_status fairgate_verdict_constraint(const fairgate_verdict* verdict, std::size_t index,
                                            fairgate_constraint_result* out) {
  return guard([&] {
    const auto& c = constraint_at(verdict, index);
    fairgate_constraint_result r{};
    r.id = c.id.c_str();
    r.metric = c.metric.c_str();
    r.scope = c.scope.c_str();
    r.bound = c.bound.c_str();
    r.evidence = c.evidence.c_str();
    r.outcome = outcome_of(c.result);
    r.value = c.value;
    r.lower = c.lower;
    r.upper = c.upper;
    r.p_value = c.p_value;
    r.reason = c.reason.c_str();
    r.n_items = c.items.size();
    r.n_groups = c.groups.size();
    write_versioned(out, r, sizeof(fairgate_constraint_result), "out");
  });
}

fairgate_status fairgate_verdict_constraint_group(const fairgate_verdict* verdict,
                                                  std::size_t index, std::size_t g,
                                                  const char** out_group) {
  return guard([&] {
    const auto& c = constraint_at(verdict, index);
    require_index(g, c.groups.size(), "group index");
    require_non_null(out_group, "out_group");
    *out_group = c.groups[g].c_str();
  });
}

fairgate_status fairgate_verdict_item(const fairgate_verdict* verdict, std::size_t constraint_index,
                                      std::size_t item_index, fairgate_item_result* out) {
  return guard([&] {
    const auto& c = constraint_at(verdict, constraint_index);
    require_index(item_index, c.items.size(), "item index");
    const auto& it = c.items[item_index];
    fairgate_item_result r{};
    r.group = it.group.c_str();
    r.support = it.support;
    r.baseline = it.baseline;
    r.candidate = it.candidate;
    r.statistic = it.statistic;
    r.bound = it.bound;
    r.lower = it.lower;
    r.upper = it.upper;
    r.judged = it.judged;
    r.p_value = it.p_value;
    r.p_adjusted = it.p_adjusted;
    r.test = it.test.c_str();
    r.undefined = it.undefined ? 1 : 0;
    r.outcome = outcome_of(it.result);
    r.note = it.note.c_str();
    write_versioned(out, r, sizeof(fairgate_item_result), "out");
  });
}

fairgate_status fairgate_verdict_json(const fairgate_verdict* verdict, const char** out_json,
                                      std::size_t* out_length) {
  return guard([&] {
    require_non_null(verdict, "verdict");
    require_non_null(out_json, "out_json");
    *out_json = verdict->json.c_str();
    if (out_length != nullptr) *out_length = verdict->json.size();
  });
}

fairgate_status fairgate_verdict_table(const fairgate_verdict* verdict, const char** out_table,
                                       std::size_t* out_length) {
  return guard([&] {
    require_non_null(verdict, "verdict");
    require_non_null(out_table, "out_table");
    *out_table = verdict->table.c_str();
    if (out_length != nullptr) *out_length = verdict->table.size();
  });
}

}  // extern "C"
