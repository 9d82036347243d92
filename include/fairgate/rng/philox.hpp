// fairgate/rng/philox.hpp: the Philox4x32-10 block function, from Random123.
//
// Philox (Salmon et al., SC'11) maps a 128-bit counter and a 64-bit key to
// 128 random bits. It is stateless, so any block of any stream can be computed
// directly, by any thread, in O(1). fairgate never reimplements it: this is a
// thin adapter over Random123's reference code with plain std::array types.
#pragma once

#include <array>
#include <cstdint>

#include <Random123/philox.h>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

using philox_counter = std::array<std::uint32_t, 4>;
using philox_key = std::array<std::uint32_t, 2>;
using philox_block = std::array<std::uint32_t, 4>;

// Philox4x32 with 10 rounds, the variant Random123 recommends and whose
// known-answer vectors tests/rng/kat_vectors.txt checks.
inline philox_block philox4x32_10(const philox_counter& counter, const philox_key& key) noexcept {
  r123::Philox4x32_R<10> bijection;
  const r123::Philox4x32_R<10>::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  const r123::Philox4x32_R<10>::key_type k = {{key[0], key[1]}};
  const auto out = bijection(c, k);
  return {out.v[0], out.v[1], out.v[2], out.v[3]};
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
