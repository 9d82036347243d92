// fairgate/metrics/confusion.hpp: the four cells of a binary confusion matrix.
//
// Plain data shared by the accumulators, the rates, the bootstrap and the
// tests of change. Counts are exact integers; weighted cells are sums of
// sample weights (computed in a fixed blocked order by the accumulators).
#pragma once

#include <cstdint>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// Cells of one group: label y in {0,1} and prediction p in {0,1}.
//   tp: y=1 p=1   fp: y=0 p=1   tn: y=0 p=0   fn: y=1 p=0
template <class T>
struct basic_confusion {
  T tp{};
  T fp{};
  T tn{};
  T fn{};

  [[nodiscard]] constexpr T total() const noexcept { return tp + fp + tn + fn; }
  [[nodiscard]] constexpr T positives() const noexcept { return tp + fn; }  // y = 1
  [[nodiscard]] constexpr T negatives() const noexcept { return fp + tn; }  // y = 0
  [[nodiscard]] constexpr T predicted_positive() const noexcept { return tp + fp; }
  [[nodiscard]] constexpr T predicted_negative() const noexcept { return tn + fn; }

  constexpr basic_confusion& operator+=(const basic_confusion& o) noexcept {
    tp += o.tp;
    fp += o.fp;
    tn += o.tn;
    fn += o.fn;
    return *this;
  }
  friend constexpr bool operator==(const basic_confusion&, const basic_confusion&) = default;
};

using confusion_counts = basic_confusion<std::uint64_t>;  // unweighted, exact
using confusion_weights = basic_confusion<double>;        // sums of sample weights

}  // namespace metrics

FAIRGATE_END_NAMESPACE
