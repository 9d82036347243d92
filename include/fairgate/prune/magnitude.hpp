// fairgate/prune/magnitude.hpp: L1 (magnitude) unstructured pruning of one tensor.
//
//   auto r = fairgate::prune::l1_unstructured(w, fairgate::prune::amount::fraction(0.5));
//   auto r2 = fairgate::prune::l1_unstructured(w, amount::fraction(0.5), &r.mask);  // 25% kept
//   r2.mask.apply(w);
//
// Semantics = torch.nn.utils.prune.l1_unstructured inside a PruningContainer:
//   - eligible = the weights still kept by `existing` (all weights if null);
//   - k = amount.to_count(eligible) (fraction: Python round, ties to even);
//   - the k eligible weights with the smallest |w| are pruned; the new mask
//     is `existing` with those k bits cleared (so masks only ever shrink).
// Ties (equal |w|, including +0/-0): the LOWER flat row-major index is pruned
// first. torch.topk promises no order among ties, so torch agrees with us
// only on tie-free inputs. NaN or +-Inf in an eligible weight throws
// errc::invalid_value naming the flat index; weights already pruned by
// `existing` are never read (policy shared by every pass in this folder).
// Algorithm: one pass building (|w| bits, flat index) keys of the eligible
// weights, std::nth_element (expected O(n)), one pass clearing bits. It holds
// 16 bytes per eligible weight; for very large tensors use
// global_l1_unstructured (radix select, no copy), which gives the same mask.
#pragma once

#include <algorithm>
#include <cstdint>
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

namespace detail {
// Prunes the k smallest (key, flat) pairs of `keys` from `m` (ties of key ->
// lower flat first, since pairs compare lexicographically).
inline void prune_smallest(std::vector<std::pair<std::uint64_t, std::int64_t>>& keys,
                           std::int64_t k, tensor::mask& m) {
  if (k <= 0) return;
  const auto kk = static_cast<std::size_t>(k);
  if (kk >= keys.size()) {  // everything eligible goes
    for (const auto& p : keys) m.set(p.second, false);
    return;
  }
  std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(kk - 1), keys.end());
  const auto threshold = keys[kk - 1];
  for (const auto& p : keys) {
    if (p <= threshold) m.set(p.second, false);
  }
}
}  // namespace detail

inline result l1_unstructured(const tensor::view& w, amount a,
                              const tensor::mask* existing = nullptr, std::string_view name = {},
                              options opt = {}) {
  detail::require_pass_dtype(w, name);
  if (existing != nullptr) detail::require_mask_shape(*existing, w, name);
  tensor::mask before = existing != nullptr ? *existing : tensor::mask::like(w);
  std::vector<std::pair<std::uint64_t, std::int64_t>> keys;
  keys.reserve(static_cast<std::size_t>(before.count_kept()));
  detail::for_each_value(w, [&](std::int64_t flat, double x) {
    if (!before.kept(flat)) return;
    const std::uint64_t key = detail::abs_key64(x);
    if (key >= detail::inf_key64) [[unlikely]]
      detail::throw_non_finite("weight", name, flat, x);
    keys.emplace_back(key, flat);
  });
  record r;
  r.tensor_name = std::string(name);
  r.how = method::l1_unstructured;
  r.requested = a;
  r.eligible = static_cast<std::int64_t>(keys.size());
  const std::int64_t k = a.to_count(r.eligible);
  tensor::mask after = before;
  detail::prune_smallest(keys, k, after);
  r.pruned_new = k;
  detail::fill_params(r, before, after, opt.compute_digests);
  return {std::move(after), std::move(r)};
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
