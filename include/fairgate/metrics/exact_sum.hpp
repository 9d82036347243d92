// fairgate/metrics/exact_sum.hpp: an exact, order-independent sum of doubles.
//
//   fairgate::metrics::exact_sum s;
//   for (double w : weights) s.add(w);
//   double total = s.value();   // the exact sum, rounded once to nearest
//
// Why: weighted confusion cells and regression sums must give the same bits
// whatever the row order, the chunking or the thread count, and merging two
// shards must equal accumulating their union. Floating-point addition is not
// associative, so instead of a fixed-order blocked summation (which would tie
// merges to block boundaries) we keep the sum EXACTLY as a fixed-point
// integer whose least significant bit is 2^-1074 (the smallest subnormal) and
// whose range covers every finite double (a "long accumulator", Kulisch 1981;
// see also Neal 2015, "Fast exact summation using small and large
// superaccumulators"). Integer addition is associative, so any order of adds
// and merges yields the same state, and value() rounds that state once.
//
// Representation: 67 signed 64-bit limbs, limb i weighting 2^(32 i - 1074).
// Each add() spreads the 53-bit significand over three limbs, adding less than
// 2^33 to each; limbs are carry-normalised every 2^29 adds, long before any
// could overflow. A finite double has at most 2^(1024) magnitude; the top limb
// (signed, 64 bits) absorbs more than 2^60 such adds, so overflow needs more
// than 2^60 maximal values and is not checked.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

class exact_sum {
 public:
  static constexpr int limb_bits = 32;
  static constexpr int n_limbs = 67;          // 67 * 32 = 2144 bits >= 1074 + 1024 + 46 headroom
  static constexpr int lsb_exponent = -1074;  // limb 0, bit 0 weighs 2^-1074

  // Adds a finite double. Non-finite input is a caller bug (inputs are
  // validated before they reach an accumulator); it is rejected here too.
  void add(double x) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
    const int biased = static_cast<int>((bits >> 52) & 0x7ffu);
    require(biased != 0x7ff, errc::invalid_value, "exact_sum::add: value is NaN or infinite");
    std::uint64_t mant = bits & ((std::uint64_t{1} << 52) - 1u);
    if (mant == 0 && biased == 0) return;  // +-0
    if (biased != 0) mant |= std::uint64_t{1} << 52;
    // value = mant * 2^(max(biased,1) - 1075) = mant * 2^(offset - 1074)
    const int offset = (biased == 0 ? 1 : biased) - 1;
    const int limb = offset / limb_bits;
    const int shift = offset % limb_bits;
    const std::uint64_t lo = mant & 0xffffffffu;
    const std::uint64_t hi = mant >> 32;   // < 2^21
    const std::uint64_t t0 = lo << shift;  // < 2^63
    const std::uint64_t t1 = hi << shift;  // < 2^52
    const auto a0 = static_cast<std::int64_t>(t0 & 0xffffffffu);
    const auto a1 = static_cast<std::int64_t>((t0 >> 32) + (t1 & 0xffffffffu));
    const auto a2 = static_cast<std::int64_t>(t1 >> 32);
    if (bits >> 63) {
      limbs_[static_cast<std::size_t>(limb)] -= a0;
      limbs_[static_cast<std::size_t>(limb + 1)] -= a1;
      limbs_[static_cast<std::size_t>(limb + 2)] -= a2;
    } else {
      limbs_[static_cast<std::size_t>(limb)] += a0;
      limbs_[static_cast<std::size_t>(limb + 1)] += a1;
      limbs_[static_cast<std::size_t>(limb + 2)] += a2;
    }
    if (++pending_ >= normalise_every) normalise();
  }

  // Adds a non-negative integer exactly (used to treat unweighted rows as weight 1).
  void add_u64(std::uint64_t n) {
    if (n == 0) return;
    // 2^0 sits at bit 1074 = limb 33, bit 18.
    const std::uint64_t lo = n & 0xffffffffu;
    const std::uint64_t hi = n >> 32;
    const std::uint64_t t0 = lo << 18;  // < 2^50
    const std::uint64_t t1 = hi << 18;  // < 2^50
    limbs_[33] += static_cast<std::int64_t>(t0 & 0xffffffffu);
    limbs_[34] += static_cast<std::int64_t>((t0 >> 32) + (t1 & 0xffffffffu));
    limbs_[35] += static_cast<std::int64_t>(t1 >> 32);
    normalise();  // up to 2^51 per call: normalise at once, not every 2^29 calls
  }

  // merge: this += other, exactly.
  exact_sum& operator+=(const exact_sum& o) {
    exact_sum b = o;
    b.normalise();
    normalise();
    for (std::size_t i = 0; i < n_limbs; ++i) limbs_[i] += b.limbs_[i];
    normalise();
    return *this;
  }

  // The exact sum rounded to the nearest double (ties to even); +-inf if it
  // overflows the double range. Subnormal results may be rounded twice (the
  // exact sum is first rounded to 64 bits with a sticky bit); sums of weights
  // never get there.
  [[nodiscard]] double value() const noexcept {
    exact_sum c = *this;
    c.normalise();
    auto& L = c.limbs_;
    const bool negative = L[n_limbs - 1] < 0;
    if (negative) c.negate_normalised();
    // Magnitude now in canonical form: limbs 0..n-2 in [0,2^32), top >= 0.
    int top = n_limbs - 1;
    while (top >= 0 && L[static_cast<std::size_t>(top)] == 0) --top;
    if (top < 0) return 0.0;
    // Collect the top 64+ bits: up to three limbs (the top one may exceed 32 bits).
    const auto tl = static_cast<std::uint64_t>(L[static_cast<std::size_t>(top)]);
    const int tl_bits = 64 - std::countl_zero(tl);
    // A 64-bit window whose MSB is the MSB of the number; every bit of the
    // number below the window is OR-ed into a sticky bit.
    const int msb_pos = top * limb_bits + tl_bits - 1;
    const int window_lsb = msb_pos - 63;
    std::uint64_t window = 0;
    for (int b = 0; b < 64; ++b) {
      const int pos = window_lsb + b;
      if (pos >= 0 && bit_at(L, pos)) window |= std::uint64_t{1} << b;
    }
    if (window_lsb > 0) {
      bool sticky = false;
      const int full = window_lsb / limb_bits;
      for (int i = 0; i < full && !sticky; ++i) sticky = L[static_cast<std::size_t>(i)] != 0;
      const int part = window_lsb % limb_bits;
      if (!sticky && part != 0) {
        const auto v = static_cast<std::uint64_t>(L[static_cast<std::size_t>(full)]);
        sticky = (v & ((std::uint64_t{1} << part) - 1u)) != 0;
      }
      // 64 > 53 + 1 bits, so a sticky bit in bit 0 breaks ties correctly.
      if (sticky) window |= 1u;
    }
    // u64 -> double conversion rounds to nearest even (IEEE 754).
    const double m = static_cast<double>(window);
    const double r = std::ldexp(m, window_lsb + lsb_exponent);
    return negative ? -r : r;
  }

  // Canonical form (for serialisation and equality): limbs 0..n-2 in [0, 2^32),
  // the top limb signed.
  void normalise() noexcept {
    std::int64_t carry = 0;
    for (std::size_t i = 0; i + 1 < n_limbs; ++i) {
      const std::int64_t v = limbs_[i] + carry;
      // floor division by 2^32 (arithmetic shift)
      carry = v >> 32;
      limbs_[i] = v - (carry << 32);
    }
    limbs_[n_limbs - 1] += carry;
    pending_ = 0;
  }

  [[nodiscard]] const std::array<std::int64_t, n_limbs>& limbs() const noexcept { return limbs_; }

  // Rebuild from canonical limbs (deserialisation); validates the canonical form.
  static exact_sum from_limbs(const std::array<std::int64_t, n_limbs>& l) {
    exact_sum s;
    for (std::size_t i = 0; i + 1 < n_limbs; ++i) {
      require(l[i] >= 0 && l[i] < (std::int64_t{1} << 32), errc::parse_error,
              "exact_sum: limb outside [0, 2^32) in serialised form");
    }
    s.limbs_ = l;
    return s;
  }

  [[nodiscard]] bool is_zero() const noexcept {
    exact_sum c = *this;
    c.normalise();
    for (auto v : c.limbs_) {
      if (v != 0) return false;
    }
    return true;
  }

  // Exact equality of the represented values.
  friend bool operator==(const exact_sum& a, const exact_sum& b) noexcept {
    exact_sum x = a;
    exact_sum y = b;
    x.normalise();
    y.normalise();
    return x.limbs_ == y.limbs_;
  }

 private:
  static constexpr std::uint32_t normalise_every = 1u << 29;

  // Bit `pos` of a canonical non-negative number. Only the top limb may hold
  // more than 32 bits, so positions past it are read from the top limb.
  static bool bit_at(const std::array<std::int64_t, n_limbs>& L, int pos) noexcept {
    int limb = pos / limb_bits;
    if (limb > n_limbs - 1) limb = n_limbs - 1;
    const int b = pos - limb * limb_bits;
    if (b >= 63) return false;
    return ((static_cast<std::uint64_t>(L[static_cast<std::size_t>(limb)]) >> b) & 1u) != 0;
  }

  // Two's-complement negation of a canonical number.
  void negate_normalised() noexcept {
    for (auto& v : limbs_) v = -v;
    normalise();
  }

  std::array<std::int64_t, n_limbs> limbs_{};
  std::uint32_t pending_ = 0;
};

}  // namespace metrics

FAIRGATE_END_NAMESPACE
