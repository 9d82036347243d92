// fairgate/prune/record.hpp: what one pruning call did, for the changelog.
//
//   auto r = fairgate::prune::l1_unstructured(w, amount::fraction(0.5), nullptr, "fc1.weight");
//   r.rec.pruned_new;        // weights newly pruned by this call
//   r.rec.changed_digest;    // FNV-1a 64 of the newly pruned flat indices
//
// Every pass returns a `result` = the new mask (1 = keep) + a `record`.
// Units: `eligible`, `pruned_new` and `achieved` count what the amount counts
// (weights for unstructured/N:M/saliency passes, slices for ln_structured);
// the params_* fields always count weights.
//
// changed_digest: FNV-1a 64 (fairgate/digest.hpp) over the flat row-major
// indices that this call changed from kept to pruned, in increasing order,
// each fed as a little-endian u64. No change -> the FNV offset basis.
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/digest.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/tensor/mask.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

enum class method : std::uint8_t {
  l1_unstructured = 0,
  global_l1_unstructured = 1,
  random_unstructured = 2,
  ln_structured = 3,
  n_m = 4,
  saliency_unstructured = 5,
  global_saliency_unstructured = 6,
  fairgrape = 7,
};

constexpr const char* method_name(method m) noexcept {
  switch (m) {
    case method::l1_unstructured:
      return "l1_unstructured";
    case method::global_l1_unstructured:
      return "global_l1_unstructured";
    case method::random_unstructured:
      return "random_unstructured";
    case method::ln_structured:
      return "ln_structured";
    case method::n_m:
      return "n_m";
    case method::saliency_unstructured:
      return "saliency_unstructured";
    case method::global_saliency_unstructured:
      return "global_saliency_unstructured";
    case method::fairgrape:
      return "fairgrape";
  }
  return "?";
}

struct record {
  std::string tensor_name;
  method how = method::l1_unstructured;
  std::string detail;  // method parameters, e.g. "n=2 dim=0" or "2:4 axis=1"
  amount requested = amount::count(0);
  std::int64_t eligible = 0;    // units remaining before the call (what the amount applied to)
  std::int64_t pruned_new = 0;  // units pruned by this call
  double achieved = 0.0;        // pruned_new / eligible (0 when eligible == 0)
  // Weights (always parameters, whatever the unit).
  std::int64_t numel = 0;
  std::int64_t params_pruned_new = 0;
  std::int64_t params_pruned_total = 0;  // pruned after the call, including earlier calls
  double sparsity = 0.0;                 // params_pruned_total / numel (0 when numel == 0)
  // Structured passes only (zero otherwise).
  std::int64_t slices_total = 0;
  std::int64_t slices_pruned_total = 0;   // slices with every weight pruned, after the call
  std::optional<rng::stream_key> stream;  // random passes only
  std::uint64_t changed_digest = fnv1a64::offset_basis;
  bool digest_computed = true;    // false when the caller switched digests off (options)
  std::uint64_t mask_digest = 0;  // tensor::mask::digest() of the new mask (0 if not computed)
};

// Per-call options shared by every pass.
struct options {
  // FNV-1a is byte-serial (~4 cycles/byte): on 10^8 weights the two digests
  // cost more than the selection itself, so bulk callers may switch them off.
  bool compute_digests = true;
};

struct result {
  tensor::mask mask;
  record rec;
};

// FNV-1a 64 of the flat indices kept in `before` and pruned in `after`.
inline std::uint64_t changed_indices_digest(const tensor::mask& before, const tensor::mask& after) {
  require(before.same_shape(after), errc::length_mismatch,
          "changed_indices_digest: mask shapes differ");
  fnv1a64 h;
  const auto a = before.words();
  const auto b = after.words();
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::uint64_t changed = a[i] & ~b[i];
    while (changed != 0) {
      const auto bit = static_cast<std::uint64_t>(std::countr_zero(changed));
      h.update_u64(static_cast<std::uint64_t>(i) * 64 + bit);
      changed &= changed - 1;
    }
  }
  return h.value();
}

namespace detail {
// Fills the weight-count fields of `r` from known kept counts.
inline void fill_counts(record& r, std::int64_t numel, std::int64_t kept_before,
                        std::int64_t kept_after) {
  r.numel = numel;
  r.params_pruned_new = kept_before - kept_after;
  r.params_pruned_total = numel - kept_after;
  r.sparsity =
      numel == 0 ? 0.0 : static_cast<double>(r.params_pruned_total) / static_cast<double>(numel);
  r.achieved =
      r.eligible == 0 ? 0.0 : static_cast<double>(r.pruned_new) / static_cast<double>(r.eligible);
}
inline void fill_digests(record& r, const tensor::mask& before, const tensor::mask& after,
                         bool with_digest) {
  r.digest_computed = with_digest;
  if (with_digest) r.changed_digest = changed_indices_digest(before, after);
  if (with_digest) r.mask_digest = after.digest();
}
// Fills the weight-count and digest fields of `r` from the masks before and after.
inline void fill_params(record& r, const tensor::mask& before, const tensor::mask& after,
                        bool with_digest) {
  fill_counts(r, after.numel(), before.count_kept(), after.count_kept());
  fill_digests(r, before, after, with_digest);
}
}  // namespace detail

}  // namespace prune

FAIRGATE_END_NAMESPACE
