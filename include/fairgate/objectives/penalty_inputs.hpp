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
#include <type_traits>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace objectives {

// Group codes are u32 by default; u8 or u16 codes (as the metrics module's
// accumulators take) are read directly, saving memory traffic on big batches.
template <class Score, class Group = std::uint32_t>
struct penalty_inputs {
  static_assert(std::is_same_v<Group, std::uint32_t> || std::is_same_v<Group, std::uint16_t> ||
                    std::is_same_v<Group, std::uint8_t>,
                "group codes must be u8, u16 or u32");
  std::span<const Score> scores;
  std::span<const std::uint8_t> labels;
  std::span<const Group> groups;
  std::span<const Score> weights;  // empty: unweighted
  std::uint32_t n_groups = 0;

  [[nodiscard]] double weight(std::size_t i) const noexcept {
    return weights.empty() ? 1.0 : static_cast<double>(weights[i]);
  }
};

// Checks the lengths and n_groups only (the fused penalty kernels check the
// rows during their first pass, and call validate() to name the bad one).
template <class Score, class Group>
void validate_shapes(const penalty_inputs<Score, Group>& in, std::size_t gradient_size) {
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
}

// Checks lengths and every row; the message names the first bad row.
template <class Score, class Group>
void validate(const penalty_inputs<Score, Group>& in, std::size_t gradient_size) {
  validate_shapes(in, gradient_size);
  const std::size_t n = in.scores.size();
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
