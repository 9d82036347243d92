// fairgate/prune/amount.hpp: how much to prune, as a fraction or a count.
//
//   auto a = fairgate::prune::amount::fraction(0.3);
//   std::int64_t k = a.to_count(remaining);   // round(0.3 * remaining), ties to even
//
// Semantics follow torch.nn.utils.prune._compute_nparams_toprune and
// _validate_pruning_amount(_init) exactly:
//   - a fraction f in [0, 1] becomes round(f * n), where f * n is the IEEE
//     double product (Python multiplies int by float in double) and round is
//     Python's round(): nearest integer, ties to even (0.5*5 = 2.5 -> 2,
//     0.5*7 = 3.5 -> 4);
//   - a count c is used as is and must satisfy 0 <= c <= n.
// `n` is what the pass prunes among: the weights (or slices) that remain
// under the existing mask, as torch's PruningContainer does.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

// Python's round(x) for finite x >= 0: nearest integer, ties to even. Written
// out explicitly (not std::nearbyint) so a host that changed the floating-point
// rounding mode still gets Python's answer. x - floor(x) is exact in binary64.
inline std::int64_t round_half_even(double x) {
  require(std::isfinite(x) && x >= 0.0 && x < 9.2e18, errc::invalid_argument, [&] {
    return "round_half_even: " + std::to_string(x) + " is not a finite non-negative value";
  });
  const double fl = std::floor(x);
  const double diff = x - fl;
  auto r = static_cast<std::int64_t>(fl);
  if (diff > 0.5 || (diff == 0.5 && (r & 1) != 0)) ++r;
  return r;
}

class amount {
 public:
  enum class kind : std::uint8_t { fraction, count };

  // A fraction of what remains; NaN, < 0 or > 1 throws invalid_argument.
  static amount fraction(double f) {
    require(f >= 0.0 && f <= 1.0, errc::invalid_argument, [&] {
      return "pruning amount " + std::to_string(f) +
             " must be a fraction in [0, 1] (or use amount::count)";
    });
    amount a;
    a.kind_ = kind::fraction;
    a.fraction_ = f;
    return a;
  }
  // An absolute number of weights (or slices); negative throws.
  static amount count(std::int64_t c) {
    require(c >= 0, errc::invalid_argument,
            [&] { return "pruning count " + std::to_string(c) + " must be non-negative"; });
    amount a;
    a.kind_ = kind::count;
    a.count_ = c;
    return a;
  }

  [[nodiscard]] kind type() const noexcept { return kind_; }
  [[nodiscard]] bool is_fraction() const noexcept { return kind_ == kind::fraction; }
  [[nodiscard]] double fraction_value() const noexcept { return fraction_; }
  [[nodiscard]] std::int64_t count_value() const noexcept { return count_; }

  // Number of units to prune among `n` remaining; a count > n throws
  // out_of_range naming both numbers (torch raises ValueError there).
  [[nodiscard]] std::int64_t to_count(std::int64_t n) const {
    require(n >= 0, errc::invalid_argument, "amount::to_count: negative size");
    if (kind_ == kind::fraction) return round_half_even(fraction_ * static_cast<double>(n));
    require(count_ <= n, errc::out_of_range, [&] {
      return "pruning count " + std::to_string(count_) + " exceeds the " + std::to_string(n) +
             " units that remain to prune";
    });
    return count_;
  }

  // "0.5" or "17" for records and messages (fractions printed round-trip exact).
  [[nodiscard]] std::string to_string() const {
    if (kind_ == kind::count) return std::to_string(count_);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", fraction_);
    return buf;
  }

 private:
  kind kind_ = kind::fraction;
  double fraction_ = 0.0;
  std::int64_t count_ = 0;
};

// Count to prune NOW so that the total pruned reaches round(target * numel)
// (schedules give total sparsity targets; passes take amounts of what
// remains). Never negative: a target below the current sparsity prunes 0.
inline amount amount_for_target(double target_sparsity, std::int64_t numel,
                                std::int64_t already_pruned) {
  require(target_sparsity >= 0.0 && target_sparsity <= 1.0, errc::invalid_argument, [&] {
    return "target sparsity " + std::to_string(target_sparsity) + " must be in [0, 1]";
  });
  require(numel >= 0 && already_pruned >= 0 && already_pruned <= numel, errc::invalid_argument,
          "amount_for_target: already_pruned must be in [0, numel]");
  const std::int64_t total = round_half_even(target_sparsity * static_cast<double>(numel));
  return amount::count(total > already_pruned ? total - already_pruned : 0);
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
