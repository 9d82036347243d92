// fairgate/mitigation/reweighing.hpp: Kamiran & Calders' reweighing (pre-processing).
//
//   auto w = mitigation::reweighing(labels, groups, n_groups);       // unweighted input
//   train::fit(model, data_with_weights(w), opt);
//
// Each row gets the weight that makes group and label statistically
// independent in the weighted data (Kamiran & Calders 2012, "Data
// preprocessing techniques for classification without discrimination",
// KAIS 33(1); AIF360's Reweighing):
//   w(g, y) = P(g) · P(y) / P(g, y) = (W_g · W_y) / (W · W_{g,y})
// with W sums of the input sample weights (1 each when none are given), and
// a row's new weight = its input weight × w(g, y). An empty (g, y) cell gets
// no rows, so its factor is never used (reported as 0).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace mitigation {

struct reweighing_result {
  std::vector<double> row_weights;  // one per row
  std::vector<double> factor;       // w(g, y) at [g * 2 + y]; 0 for empty cells
};

inline reweighing_result reweighing(std::span<const std::uint8_t> labels,
                                    std::span<const std::uint32_t> groups, std::uint32_t n_groups,
                                    std::span<const double> sample_weights = {}) {
  const std::size_t n = labels.size();
  require(groups.size() == n, errc::length_mismatch, "groups and labels differ in length");
  require(sample_weights.empty() || sample_weights.size() == n, errc::length_mismatch,
          "sample_weights must be empty or one per row");
  require(n_groups > 0, errc::invalid_argument, "n_groups must be at least 1");
  std::vector<double> cell(2 * static_cast<std::size_t>(n_groups), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    require(labels[i] <= 1, errc::out_of_range, [&] {
      return "labels[" + std::to_string(i) + "] = " + std::to_string(labels[i]) +
             ": labels must be 0 or 1";
    });
    require(groups[i] < n_groups, errc::out_of_range, [&] {
      return "groups[" + std::to_string(i) + "] = " + std::to_string(groups[i]) +
             " is not below n_groups";
    });
    const double w = sample_weights.empty() ? 1.0 : sample_weights[i];
    require(std::isfinite(w) && w >= 0.0, errc::invalid_value, [&] {
      return "sample_weights[" + std::to_string(i) + "] must be finite and non-negative";
    });
    cell[2 * groups[i] + labels[i]] += w;
  }
  double total = 0.0, by_label[2] = {0.0, 0.0};
  std::vector<double> by_group(n_groups, 0.0);
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    for (int y = 0; y < 2; ++y) {
      const double c = cell[2 * g + static_cast<std::size_t>(y)];
      by_group[g] += c;
      by_label[y] += c;
      total += c;
    }
  }
  require(total > 0.0, errc::empty_input, "reweighing needs rows with positive weight");
  reweighing_result out;
  out.factor.assign(cell.size(), 0.0);
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    for (int y = 0; y < 2; ++y) {
      const std::size_t k = 2 * g + static_cast<std::size_t>(y);
      if (cell[k] > 0.0) out.factor[k] = (by_group[g] * by_label[y]) / (total * cell[k]);
    }
  }
  out.row_weights.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double w = sample_weights.empty() ? 1.0 : sample_weights[i];
    out.row_weights[i] = w * out.factor[2 * groups[i] + labels[i]];
  }
  return out;
}

}  // namespace mitigation

FAIRGATE_END_NAMESPACE
