// fairgate/prune/nm.hpp: N:M semi-structured sparsity (2:4, 4:8, any 1 <= N < M).
//
//   // 2:4 along the input dim of a [out, in] linear weight (NVIDIA sparse tensor cores)
//   auto r = fairgate::prune::n_m(w, 2, 4, /*axis=*/1);
//
// For every run of M consecutive weights along `axis` (indices gM .. gM+M-1
// along it, all other indices fixed) the N with the largest |w| are kept and
// the other M-N pruned. Ties (equal |w|) -> the lower index is pruned first,
// as everywhere in fairgate::prune. The axis length must be a multiple of M
// (invalid_argument otherwise: no silent tail rule). With an existing mask,
// already-pruned weights stay pruned and are the first M-N chosen for pruning
// in their group, so each group ends with min(N, kept before) weights kept.
// NaN/Inf in an eligible weight throws invalid_value.
#pragma once

#include <algorithm>
#include <cmath>
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

inline result n_m(const tensor::view& w, int n, int m, std::size_t axis,
                  const tensor::mask* existing = nullptr, std::string_view name = {},
                  options opt = {}) {
  require(m >= 2 && n >= 1 && n < m, errc::invalid_argument, [&] {
    return "N:M pruning of '" + std::string(name) + "': need 1 <= N < M, got " + std::to_string(n) +
           ":" + std::to_string(m);
  });
  require(axis < w.rank, errc::invalid_argument, [&] {
    return "N:M pruning of '" + std::string(name) + "': axis " + std::to_string(axis) +
           " out of range for rank " + std::to_string(w.rank);
  });
  const std::int64_t len = w.shape[axis];
  require(len % m == 0, errc::invalid_argument, [&] {
    return "N:M pruning of '" + std::string(name) + "': axis " + std::to_string(axis) +
           " has length " + std::to_string(len) + ", not a multiple of M = " + std::to_string(m);
  });
  if (existing != nullptr) detail::require_mask_shape(*existing, w, name);
  tensor::mask before = existing != nullptr ? *existing : tensor::mask::like(w);
  tensor::mask after = before;
  std::int64_t inner = 1, outer = 1;
  for (std::size_t i = axis + 1; i < w.rank; ++i) inner *= w.shape[i];
  for (std::size_t i = 0; i < axis; ++i) outer *= w.shape[i];
  const std::int64_t numel = w.numel();
  // Sort key per group member: eligible ? (1 << 63 | |w| as f64 bits) : 0,
  // ordered by a stable insertion sort, so equal keys keep index order
  // (lower index pruned first) and already-pruned members come first.
  std::vector<std::uint64_t> key(static_cast<std::size_t>(m));
  std::vector<int> order(static_cast<std::size_t>(m));
  const auto mm = static_cast<std::int64_t>(m);
  const std::int64_t astride = w.strides[axis];
  std::uint64_t* words = after.words().data();
  std::int64_t eligible_total = 0;
  auto run = [&](auto load) {
    for (std::int64_t o = 0; o < outer && numel > 0; ++o) {
      for (std::int64_t in = 0; in < inner; ++in) {
        // One div/mod walk per fibre; groups step along the axis stride.
        const std::int64_t fibre_off = w.offset_of(o * len * inner + in);
        for (std::int64_t g = 0; g < len / mm; ++g) {
          const std::int64_t f0 = (o * len + g * mm) * inner + in;
          const std::int64_t off0 = fibre_off + g * mm * astride;
          for (std::int64_t j = 0; j < mm; ++j) {
            const std::int64_t f = f0 + j * inner;
            std::uint64_t k = 0;
            if (before.kept(f)) {
              const double x = load(off0 + j * astride);
              const std::uint64_t mag = detail::abs_key64(x);
              if (mag >= detail::inf_key64) [[unlikely]]
                detail::throw_non_finite("weight", name, f, x);
              k = mag | (std::uint64_t{1} << 63);
              ++eligible_total;
            }
            // Stable insertion of member j.
            auto pos = static_cast<std::size_t>(j);
            while (pos > 0 && key[pos - 1] > k) {
              key[pos] = key[pos - 1];
              order[pos] = order[pos - 1];
              --pos;
            }
            key[pos] = k;
            order[pos] = static_cast<int>(j);
          }
          for (int j = 0; j < m - n; ++j) {
            const std::int64_t f = f0 + order[static_cast<std::size_t>(j)] * inner;
            words[f >> 6] &= ~(std::uint64_t{1} << (f & 63));
          }
        }
      }
    }
  };
  if (w.type == tensor::dtype::f32) {
    const float* p = w.as<const float>();
    run([p](std::int64_t off) { return static_cast<double>(p[off]); });
  } else if (w.type == tensor::dtype::f64) {
    const double* p = w.as<const double>();
    run([p](std::int64_t off) { return p[off]; });
  } else {
    run([&w](std::int64_t off) { return tensor::load_as_double(w, off); });
  }
  record r;
  r.tensor_name = std::string(name);
  r.how = method::n_m;
  r.detail = std::to_string(n) + ":" + std::to_string(m) + " axis=" + std::to_string(axis);
  r.requested = amount::fraction(static_cast<double>(m - n) / static_cast<double>(m));
  r.eligible = eligible_total;
  r.pruned_new = before.count_kept() - after.count_kept();
  detail::fill_params(r, before, after, opt.compute_digests);
  return {std::move(after), std::move(r)};
}

}  // namespace prune

FAIRGATE_END_NAMESPACE
