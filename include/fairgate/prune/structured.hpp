// fairgate/prune/structured.hpp: Ln-structured pruning of whole slices (channels, filters, heads).
//
//   // conv weight [out, in, kh, kw]: prune 25% of the output filters by L2 norm
//   auto r = fairgate::prune::ln_structured(w, amount::fraction(0.25), norm::l2, 0);
//   r.rec.pruned_new;          // slices removed now;  r.rec.params_pruned_new: weights removed now
//
// Semantics = torch.nn.utils.prune.ln_structured(module, name, amount, n, dim)
// including repeated application through PruningContainer (prune.py,
// PruningContainer.compute_mask / _combine_masks, "structured" branch):
//   - slice j = every weight whose index along `dim` is j (over all other dims);
//   - eligible slices = those with at least one kept bit in `existing`
//     (torch: mask.sum(other dims) != 0); all slices when `existing` is null;
//   - k = amount.to_count(#eligible slices) - the amount counts SLICES;
//   - the norm of each eligible slice is taken over the CURRENT (masked)
//     weights, i.e. pruned weights count as 0 (torch passes module.weight =
//     orig * mask as the importance scores);
//   - the k eligible slices with the smallest norm are pruned (every weight in
//     them); ties (equal norms) -> the lower slice index is pruned first;
//   - the other slices keep their existing mask bits.
// Norms, in double, over the slice's weights in flat row-major order:
//   l1 = sum |w|, l2 = sqrt(sum w^2), linf = max |w|   (torch.norm p = 1, 2, inf).
// l2 is ranked by the sum of squares (sqrt is monotone, and ranking before it
// avoids ties that sqrt's rounding could create). Like torch, the tensor must
// have rank >= 2 (invalid_argument otherwise). NaN/Inf in an eligible weight
// throws invalid_value. torch computes f32 norms in f32, so the two agree on
// inputs whose slice norms are not within f32 rounding of each other.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/detail.hpp>
#include <fairgate/prune/record.hpp>
#include <fairgate/tensor/mask.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

enum class norm : std::uint8_t { l1 = 1, l2 = 2, linf = 3 };

constexpr const char* norm_name(norm n) noexcept {
  switch (n) {
    case norm::l1:
      return "1";
    case norm::l2:
      return "2";
    case norm::linf:
      return "inf";
  }
  return "?";
}

namespace detail {
// Ranking values per slice (l2: sum of squares), masked weights read as 0.
inline std::vector<double> slice_rank_values(const tensor::view& w, norm n, std::size_t dim,
                                             const tensor::mask* existing, std::string_view name) {
  require(dim < w.rank, errc::invalid_argument, [&] {
    return "structured pruning of '" + std::string(name) + "': dim " + std::to_string(dim) +
           " out of range for a rank-" + std::to_string(w.rank) + " tensor";
  });
  if (existing != nullptr) require_mask_shape(*existing, w, name);
  const std::int64_t len = w.shape[dim];
  std::int64_t inner = 1;
  for (std::size_t i = dim + 1; i < w.rank; ++i) inner *= w.shape[i];
  std::vector<double> acc(static_cast<std::size_t>(len), 0.0);
  for_each_value(w, [&](std::int64_t flat, double x) {
    if (existing != nullptr && !existing->kept(flat)) return;
    if (!std::isfinite(x)) [[unlikely]]
      throw_non_finite("weight", name, flat, x);
    double& a = acc[static_cast<std::size_t>((flat / inner) % len)];
    const double ax = std::fabs(x);
    switch (n) {
      case norm::l1:
        a += ax;
        break;
      case norm::l2:
        a += x * x;
        break;
      case norm::linf:
        a = ax > a ? ax : a;
        break;
    }
  });
  return acc;
}
}  // namespace detail

// The Ln norm of every slice along `dim` (masked weights count as 0).
inline std::vector<double> slice_norms(const tensor::view& w, norm n, std::size_t dim,
                                       const tensor::mask* existing = nullptr) {
  auto v = detail::slice_rank_values(w, n, dim, existing, "");
  if (n == norm::l2) {
    for (double& x : v) x = std::sqrt(x);
  }
  return v;
}

inline result ln_structured(const tensor::view& w, amount a, norm n, std::size_t dim,
                            const tensor::mask* existing = nullptr, std::string_view name = {},
                            options opt = {}) {
  require(w.rank >= 2, errc::invalid_argument, [&] {
    return "structured pruning of '" + std::string(name) +
           "' needs a tensor of rank >= 2 (got rank " + std::to_string(w.rank) + "), as torch does";
  });
  const std::vector<double> values = detail::slice_rank_values(w, n, dim, existing, name);
  tensor::mask before = existing != nullptr ? *existing : tensor::mask::like(w);
  const std::vector<std::int64_t> kept_per = before.kept_per_slice(dim);
  std::vector<std::int64_t> eligible;
  for (std::size_t j = 0; j < kept_per.size(); ++j) {
    if (kept_per[j] > 0 || existing == nullptr) eligible.push_back(static_cast<std::int64_t>(j));
  }
  record r;
  r.tensor_name = std::string(name);
  r.how = method::ln_structured;
  r.detail = std::string("n=") + norm_name(n) + " dim=" + std::to_string(dim);
  r.requested = a;
  r.eligible = static_cast<std::int64_t>(eligible.size());
  const std::int64_t k = a.to_count(r.eligible);
  // Smallest (value, index) first: ties prune the lower slice index.
  std::stable_sort(eligible.begin(), eligible.end(), [&](std::int64_t x, std::int64_t y) {
    return values[static_cast<std::size_t>(x)] < values[static_cast<std::size_t>(y)];
  });
  std::vector<char> drop(values.size(), 0);
  for (std::int64_t i = 0; i < k; ++i)
    drop[static_cast<std::size_t>(eligible[static_cast<std::size_t>(i)])] = 1;
  tensor::mask after = before;
  if (k > 0) {
    const std::int64_t len = w.shape[dim];
    std::int64_t inner = 1;
    for (std::size_t i = dim + 1; i < w.rank; ++i) inner *= w.shape[i];
    for (std::int64_t f = 0; f < after.numel(); ++f) {
      if (drop[static_cast<std::size_t>((f / inner) % len)] != 0) after.set(f, false);
    }
  }
  r.pruned_new = k;
  r.slices_total = w.shape[dim];
  const std::vector<std::int64_t> kept_after = after.kept_per_slice(dim);
  // A slice counts as pruned when it has weights and none is kept.
  r.slices_pruned_total =
      w.numel() == 0
          ? 0
          : static_cast<std::int64_t>(std::count(kept_after.begin(), kept_after.end(), 0));
  detail::fill_params(r, before, after, opt.compute_digests);
  return {std::move(after), std::move(r)};
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
