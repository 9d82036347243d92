// fairgate/objectives/penalty_inputs.hpp: what every fairness penalty reads.
//
// Scores are logits: the hard prediction is `score >= 0` (fold any threshold
// into the logit). Labels are 0/1, group codes index [0, n_groups), weights are
// optional (empty span = every row weighs 1). Spans are not copied.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

template <class Score>
struct penalty_inputs {
  std::span<const Score> scores;
  std::span<const std::uint8_t> labels;
  std::span<const std::uint32_t> groups;
  std::span<const Score> weights;  // empty: unweighted
  std::uint32_t n_groups = 0;

  [[nodiscard]] double weight(std::size_t i) const noexcept {
    return weights.empty() ? 1.0 : static_cast<double>(weights[i]);
  }
};

// Checks lengths and every row; the message names the first bad row.
template <class Score>
void validate(const penalty_inputs<Score>& in, std::size_t gradient_size) {
  const std::size_t n = in.scores.size();
  auto mismatch = [&](const char* what, std::size_t got) {
    return [=] {
      return std::string(what) + " has " + std::to_string(got) + " entries but scores has " +
             std::to_string(n);
    };
  };
  require(in.labels.size() == n, errc::length_mismatch, mismatch("labels", in.labels.size()));
  require(in.groups.size() == n, errc::length_mismatch, mismatch("groups", in.groups.size()));
  require(in.weights.empty() || in.weights.size() == n, errc::length_mismatch,
          mismatch("weights", in.weights.size()));
  require(gradient_size == n, errc::length_mismatch, mismatch("gradient", gradient_size));
  require(in.n_groups > 0, errc::invalid_argument, "n_groups must be at least 1");
  for (std::size_t i = 0; i < n; ++i) {
    require(std::isfinite(static_cast<double>(in.scores[i])), errc::invalid_value,
            [&] { return "scores[" + std::to_string(i) + "] is not finite"; });
    require(in.labels[i] <= 1, errc::out_of_range, [&] {
      return "labels[" + std::to_string(i) + "] = " + std::to_string(in.labels[i]) +
             ": labels must be 0 or 1";
    });
    require(in.groups[i] < in.n_groups, errc::out_of_range, [&] {
      return "groups[" + std::to_string(i) + "] = " + std::to_string(in.groups[i]) +
             " is not below n_groups = " + std::to_string(in.n_groups);
    });
    if (!in.weights.empty()) {
      const double w = static_cast<double>(in.weights[i]);
      require(std::isfinite(w) && w >= 0.0, errc::invalid_value, [&] {
        return "weights[" + std::to_string(i) + "] = " + std::to_string(w) +
               ": weights must be finite and non-negative";
      });
    }
  }
}

}  // namespace objectives

FAIRGATE_END_NAMESPACE
