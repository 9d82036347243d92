// fairgate/rng/normal.hpp: standard normal draws by the Ziggurat method.
//
//   fairgate::rng::stream s(seed, fairgate::rng::purposes::init, layer);
//   double z = fairgate::rng::normal(s);                // N(0, 1)
//   double w = 0.0 + 0.02 * fairgate::rng::normal(s);   // N(0, 0.02^2)
//
// Marsaglia & Tsang, "The Ziggurat Method for Generating Random Variables",
// J. Stat. Softw. 5(8), 2000, with 256 layers, a separate sign bit and 53-bit
// uniforms as in Doornik (2005) and Rust's rand_distr. The tables are
// constants (rng/sampler_tables.hpp, generated at 80 digits by
// scripts/gen-rng-tables); the wedge test uses fairgate::math::exp and the
// tail fairgate::math::log, so the values are bit-identical on every target.
#pragma once

#include <cstddef>
#include <cstdint>

#include <fairgate/config.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/rng/sampler_tables.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace rng {

// A standard normal draw. Each attempt takes one 64-bit value b (2 words):
//   layer i = b & 0xff, sign = bit 8, u = (b >> 11) * 2^-53 in [0, 1),
//   x = u * X[i]; if x < X[i+1] return +-x (about 99% of draws end here).
// Otherwise, for i > 0 the wedge test draws v = uniform_double (2 words) and
// accepts if F[i] + (F[i+1] - F[i]) v < exp(-x^2/2); for i = 0 the tail
// beyond R is sampled by Marsaglia's method (1964): repeat x = -log(u1)/R,
// y = -log(u2) with u1, u2 = uniform_double_open0 until 2y >= x^2, return
// +-(R + x). Rejected attempts start over with the next words.
inline double normal(stream& s) noexcept {
  using tables::zig_norm_f;
  using tables::zig_norm_x;
  for (;;) {
    const std::uint64_t bits = s.next_u64();
    const auto i = static_cast<std::size_t>(bits & 0xffu);
    const bool negative = ((bits >> 8) & 1u) != 0;
    const double u = static_cast<double>(bits >> 11) * 0x1p-53;
    const double x = u * zig_norm_x[i];
    if (x < zig_norm_x[i + 1]) return negative ? -x : x;
    if (i == 0) {
      const double r = tables::zig_norm_r;
      double tx = 0.0;
      double ty = 0.0;
      do {
        tx = -math::log(uniform_double_open0(s)) / r;
        ty = -math::log(uniform_double_open0(s));
      } while (ty + ty < tx * tx);
      return negative ? -(r + tx) : r + tx;
    }
    const double y = zig_norm_f[i] + (zig_norm_f[i + 1] - zig_norm_f[i]) * uniform_double(s);
    if (y < math::exp(-0.5 * x * x)) return negative ? -x : x;
  }
}

}  // namespace rng

FAIRGATE_END_NAMESPACE
