// fairgate/train/dataset.hpp: a dense, row-major training set, by view.
//
// The reference trainer reads a numeric feature matrix: one-hot encoding and
// standardisation of CSV columns happen at the I/O edge (src/), not here.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace train {

struct dataset_view {
  std::span<const double> features;  // rows × cols, row-major
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::span<const std::uint8_t> labels;   // 0/1, one per row
  std::span<const double> weights;        // empty: every row weighs 1
  std::span<const std::uint32_t> groups;  // optional: sensitive group per row
  std::uint32_t n_groups = 0;             // required when groups are given

  [[nodiscard]] const double* row(std::size_t i) const noexcept {
    return features.data() + i * cols;
  }
  [[nodiscard]] double weight(std::size_t i) const noexcept {
    return weights.empty() ? 1.0 : weights[i];
  }
};

// Checks shapes and every value; errors name the row (and column).
inline void validate(const dataset_view& d) {
  require(d.rows * d.cols == d.features.size(), errc::length_mismatch, [&] {
    return "features has " + std::to_string(d.features.size()) +
           " values, expected rows × cols = " + std::to_string(d.rows) + " × " +
           std::to_string(d.cols);
  });
  require(d.labels.size() == d.rows, errc::length_mismatch, [&] {
    return "labels has " + std::to_string(d.labels.size()) + " entries for " +
           std::to_string(d.rows) + " rows";
  });
  require(d.weights.empty() || d.weights.size() == d.rows, errc::length_mismatch,
          "weights must be empty or have one entry per row");
  require(d.groups.empty() || d.groups.size() == d.rows, errc::length_mismatch,
          "groups must be empty or have one entry per row");
  for (std::size_t i = 0; i < d.rows; ++i) {
    require(d.labels[i] <= 1, errc::out_of_range, [&] {
      return "labels[" + std::to_string(i) + "] = " + std::to_string(d.labels[i]) +
             ": labels must be 0 or 1";
    });
    for (std::size_t j = 0; j < d.cols; ++j) {
      require(std::isfinite(d.row(i)[j]), errc::invalid_value, [&] {
        return "features[" + std::to_string(i) + ", " + std::to_string(j) + "] is not finite";
      });
    }
    if (!d.weights.empty()) {
      require(std::isfinite(d.weights[i]) && d.weights[i] >= 0.0, errc::invalid_value,
              [&] { return "weights[" + std::to_string(i) + "] must be finite and non-negative"; });
    }
    if (!d.groups.empty()) {
      require(d.groups[i] < d.n_groups, errc::out_of_range, [&] {
        return "groups[" + std::to_string(i) + "] = " + std::to_string(d.groups[i]) +
               " is not below n_groups = " + std::to_string(d.n_groups);
      });
    }
  }
}

}  // namespace train

FAIRGATE_END_NAMESPACE
