// fairgate/prune/random.hpp: random unstructured pruning from a keyed stream.
//
//   fairgate::rng::stream s(seed, fairgate::rng::purposes::prune_random, layer_index);
//   auto r = fairgate::prune::random_unstructured(w_shape_mask, amount::fraction(0.3), s.key());
//
// Same stream key -> same mask on every platform and thread count; it is a
// pure function of (key, shape, existing mask, amount). Rule (documented and
// fixed): weight with flat row-major index i gets the 64-bit key
//   u_i = word(2i) | word(2i+1) << 32
// where word(p) is the stream's 32-bit word at position p (Philox4x32-10,
// rng/stream.hpp; block i/2 holds both words). Among the eligible weights
// (kept by `existing`), the k = amount.to_count(eligible) with the smallest
// (u_i, i) are pruned - exactly k, ties by lower index. So the draw for a
// weight does not depend on the tensor's size or on other weights, and
// re-pruning with the same key keeps pruning in the same order.
// Values are never read: only the shape (and the existing mask) matter, so
// the pass takes a mask (use tensor::mask::like(view) for a fresh tensor).
// torch.nn.utils.prune.random_unstructured draws from torch's global RNG, so
// there is no bit-for-bit peer; the count and the container semantics match.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/record.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/tensor/mask.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

// The documented 64-bit key of flat index i (see the top comment).
inline std::uint64_t random_key(const rng::stream& s, std::int64_t i) noexcept {
  const auto blk = s.block(static_cast<std::uint64_t>(i) >> 1);
  const std::size_t lane = (static_cast<std::size_t>(i) & 1u) * 2;
  return static_cast<std::uint64_t>(blk[lane]) | (static_cast<std::uint64_t>(blk[lane + 1]) << 32);
}

// `existing` gives the shape and the weights still eligible.
inline result random_unstructured(const tensor::mask& existing, amount a, rng::stream_key key,
                                  std::string_view name = {}, options opt = {}) {
  const rng::stream s(key);
  std::vector<std::pair<std::uint64_t, std::int64_t>> keys;
  keys.reserve(static_cast<std::size_t>(existing.count_kept()));
  for (std::int64_t i = 0; i < existing.numel(); ++i) {
    if (existing.kept(i)) keys.emplace_back(random_key(s, i), i);
  }
  record r;
  r.tensor_name = std::string(name);
  r.how = method::random_unstructured;
  r.detail = "key=(seed " + std::to_string(key.seed) + ", purpose tag " +
             std::to_string(key.purpose_tag) + ", index " + std::to_string(key.index) + ")";
  r.requested = a;
  r.eligible = static_cast<std::int64_t>(keys.size());
  r.stream = key;
  const std::int64_t k = a.to_count(r.eligible);
  tensor::mask after = existing;
  detail::prune_smallest(keys, k, after);
  r.pruned_new = k;
  detail::fill_params(r, existing, after, opt.compute_digests);
  return {std::move(after), std::move(r)};
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
