// Fixed-point requantization helpers (gemmlowp / TFLite) and the int8
// linear-layer reference kernel.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <fairgate/quantize/int8_gemm.hpp>

using fairgate::errc;
using namespace fairgate::quantize;

namespace {

constexpr std::int32_t i32min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t i32max = std::numeric_limits<std::int32_t>::max();

// Independent reference formulas (int64 floor arithmetic rather than gemmlowp's nudges):
//   SRDHM(a, b) = floor((a*b + 2^30) / 2^31)  (round half up), INT32_MIN^2 saturates
//   RDBP(x, e)  = sign(x) * floor((|x| + 2^(e-1)) / 2^e) for e > 0 (half away from zero)
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int32_t ref_srdhm(std::int32_t a, std::int32_t b) {
  if (a == i32min && b == i32min) return i32max;
  return static_cast<std::int32_t>(
      floor_div(static_cast<std::int64_t>(a) * b + (std::int64_t{1} << 30), std::int64_t{1} << 31));
}
std::int32_t ref_rdbp(std::int32_t x, int e) {
  if (e == 0) return x;
  const std::int64_t ax = std::llabs(static_cast<std::int64_t>(x));
  const std::int64_t r = (ax + (std::int64_t{1} << (e - 1))) >> e;
  return static_cast<std::int32_t>(x < 0 ? -r : r);
}
std::int32_t ref_mbqm(std::int32_t x, quantized_multiplier q) {
  const int left = q.shift > 0 ? q.shift : 0;
  const int right = q.shift > 0 ? 0 : -q.shift;
  const auto shifted = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left);
  return ref_rdbp(ref_srdhm(shifted, q.multiplier), right);
}

}  // namespace

TEST_CASE("SaturatingRoundingDoublingHighMul saturates INT32_MIN times INT32_MIN",
          "[quantize][gemm][fixedpoint]") {
  // (-2^31)(-2^31) * 2 / 2^32 = 2^31 does not fit: gemmlowp returns INT32_MAX.
  CHECK(saturating_rounding_doubling_high_mul(i32min, i32min) == i32max);
  // INT32_MIN * INT32_MAX: -(2^31)(2^31 - 1) / 2^31 = -(2^31 - 1) exactly.
  CHECK(saturating_rounding_doubling_high_mul(i32min, i32max) == -i32max);
}

TEST_CASE("SaturatingRoundingDoublingHighMul rounds half toward +infinity",
          "[quantize][gemm][fixedpoint]") {
  // a * 2^30 / 2^31 = a / 2: 1 -> 0.5 -> 1; -1 -> -0.5 -> 0; 3 -> 1.5 -> 2; -3 -> -1.5 -> -1.
  CHECK(saturating_rounding_doubling_high_mul(1, 1 << 30) == 1);
  CHECK(saturating_rounding_doubling_high_mul(-1, 1 << 30) == 0);
  CHECK(saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);
  CHECK(saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1);
  // 2^30 * 2^30 / 2^31 = 2^29 exactly.
  CHECK(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == (1 << 29));
}

TEST_CASE("RoundingDivideByPOT rounds half away from zero", "[quantize][gemm][fixedpoint]") {
  // 5/2 = 2.5 -> 3; -5/2 -> -3; 4/2 = 2; -4/4 = -1; 6/4 = 1.5 -> 2; -6/4 -> -2; 5/4 = 1.25 -> 1.
  CHECK(rounding_divide_by_pot(5, 1) == 3);
  CHECK(rounding_divide_by_pot(-5, 1) == -3);
  CHECK(rounding_divide_by_pot(4, 1) == 2);
  CHECK(rounding_divide_by_pot(-4, 2) == -1);
  CHECK(rounding_divide_by_pot(6, 2) == 2);
  CHECK(rounding_divide_by_pot(-6, 2) == -2);
  CHECK(rounding_divide_by_pot(5, 2) == 1);
  CHECK(rounding_divide_by_pot(-7, 0) == -7);
  CHECK(rounding_divide_by_pot(i32min, 31) == -1);  // -2^31 / 2^31
}

TEST_CASE("quantize_multiplier decomposes a real multiplier as TFLite does",
          "[quantize][gemm][fixedpoint]") {
  // 0.5 = 0.5 * 2^0 -> M = 0.5 * 2^31 = 2^30, shift 0.   1.0 = 0.5 * 2^1 -> 2^30, shift 1.
  // 0.75 -> 0.75 * 2^31 = 1610612736, shift 0.            0.1 = 0.8 * 2^-3 -> round(0.8 * 2^31),
  // shift -3.
  CHECK(quantize_multiplier(0.5).multiplier == (1 << 30));
  CHECK(quantize_multiplier(0.5).shift == 0);
  CHECK(quantize_multiplier(1.0).multiplier == (1 << 30));
  CHECK(quantize_multiplier(1.0).shift == 1);
  CHECK(quantize_multiplier(0.75).multiplier == 1610612736);
  CHECK(quantize_multiplier(0.1).shift == -3);
  CHECK(quantize_multiplier(0.1).multiplier ==
        static_cast<std::int32_t>(std::round(0.8 * 2147483648.0)));
  // q = 1 - 2^-40 rounds up to 2^31: halved to 2^30 with shift + 1.
  const auto up = quantize_multiplier(1.0 - std::ldexp(1.0, -40));
  CHECK(up.multiplier == (1 << 30));
  CHECK(up.shift == 1);
  // 2^-40 needs shift -39 < -31: TFLite flushes to (0, 0).
  CHECK(quantize_multiplier(std::ldexp(1.0, -40)).multiplier == 0);
  CHECK(quantize_multiplier(std::ldexp(1.0, -40)).shift == 0);
  CHECK(quantize_multiplier(0.0).multiplier == 0);
  CHECK_THROWS_AS(quantize_multiplier(-0.5), fairgate::error);
  CHECK_THROWS_AS(quantize_multiplier(std::numeric_limits<double>::quiet_NaN()), fairgate::error);
  CHECK_THROWS_AS(quantize_multiplier(std::ldexp(1.0, 31)), fairgate::error);  // shift 32 > 30
}

TEST_CASE("MultiplyByQuantizedMultiplier rounds twice, as TFLite's reference",
          "[quantize][gemm][fixedpoint]") {
  // 5 * 0.25: M = 2^30, shift -1. SRDHM(5, 2^30) = round(2.5) = 3, RDBP(3, 1) = round(1.5) = 2
  // (a single rounding of 1.25 would give 1: this is the documented double rounding).
  const auto q = quantize_multiplier(0.25);
  CHECK(multiply_by_quantized_multiplier(5, q.multiplier, q.shift) == 2);
  // 100 * 0.5 = 50 exactly; 7 * 2.0: shift 2 left-shifts 7 -> 28, SRDHM(28, 2^30) = 14.
  const auto h = quantize_multiplier(0.5);
  CHECK(multiply_by_quantized_multiplier(100, h.multiplier, h.shift) == 50);
  const auto two = quantize_multiplier(2.0);
  CHECK(multiply_by_quantized_multiplier(7, two.multiplier, two.shift) == 14);
}

TEST_CASE("the fixed-point helpers match floor-based reference formulas on random inputs",
          "[quantize][gemm][fixedpoint][property]") {
  std::mt19937_64 gen(99);
  std::uniform_int_distribution<std::int32_t> any(i32min, i32max);
  std::uniform_int_distribution<int> ex(0, 31);
  std::uniform_real_distribution<double> real(1e-6, 4.0);
  for (int it = 0; it < 200000; ++it) {
    const std::int32_t a = any(gen), b = any(gen);
    REQUIRE(saturating_rounding_doubling_high_mul(a, b) == ref_srdhm(a, b));
    const int e = ex(gen);
    REQUIRE(rounding_divide_by_pot(a, e) == ref_rdbp(a, e));
    if (it % 4 == 0) {
      const auto q = quantize_multiplier(real(gen));
      const std::int32_t x = a >> 8;  // keep x * 2^shift in range for multipliers < 4
      REQUIRE(multiply_by_quantized_multiplier(x, q.multiplier, q.shift) == ref_mbqm(x, q));
    }
  }
}

namespace {

// Naive reference with int64 accumulation, straight from the TFLite formula.
std::vector<std::int8_t> naive_linear(const std::vector<std::int8_t>& a, std::int64_t M,
                                      std::int64_t K, const std::vector<std::int8_t>& w,
                                      std::int64_t N, const std::vector<std::int32_t>& bias,
                                      const linear_params& lp) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(M * N));
  for (std::int64_t i = 0; i < M; ++i)
    for (std::int64_t j = 0; j < N; ++j) {
      std::int64_t acc = 0;
      for (std::int64_t k = 0; k < K; ++k)
        acc += (static_cast<std::int64_t>(a[static_cast<std::size_t>(i * K + k)]) -
                lp.input_zero_point) *
               (static_cast<std::int64_t>(w[static_cast<std::size_t>(j * K + k)]) -
                lp.weight_zero_point);
      if (!bias.empty()) acc += bias[static_cast<std::size_t>(j)];
      const auto& q =
          lp.requant.size() == 1 ? lp.requant[0] : lp.requant[static_cast<std::size_t>(j)];
      std::int64_t v = ref_mbqm(static_cast<std::int32_t>(acc), q) +
                       static_cast<std::int64_t>(lp.output_zero_point);
      v = std::min<std::int64_t>(std::max<std::int64_t>(v, lp.out_min), lp.out_max);
      out[static_cast<std::size_t>(i * N + j)] = static_cast<std::int8_t>(v);
    }
  return out;
}

}  // namespace

TEST_CASE("int8_linear equals a naive int64 reference", "[quantize][gemm][property]") {
  std::mt19937 gen(2024);
  std::uniform_int_distribution<int> byte(-128, 127), zp(-20, 20), bias(-5000, 5000);
  std::uniform_real_distribution<double> mult(1e-4, 0.05);
  struct shape {
    std::int64_t M, K, N;
  };
  for (const shape s : {shape{1, 1, 1}, shape{5, 7, 3}, shape{4, 64, 16}, shape{13, 300, 37},
                        shape{9, 1025, 70}, shape{3, 0, 2}}) {
    for (int per_channel = 0; per_channel < 2; ++per_channel) {
      std::vector<std::int8_t> a(static_cast<std::size_t>(s.M * s.K)),
          w(static_cast<std::size_t>(s.N * s.K));
      for (auto& v : a) v = static_cast<std::int8_t>(byte(gen));
      for (auto& v : w) v = static_cast<std::int8_t>(byte(gen));
      std::vector<std::int32_t> b(static_cast<std::size_t>(s.N));
      for (auto& v : b) v = bias(gen);
      linear_params lp;
      lp.input_zero_point = zp(gen);
      lp.weight_zero_point = per_channel ? 0 : zp(gen);
      lp.output_zero_point = zp(gen);
      lp.out_min = -100;
      lp.out_max = 120;
      const std::size_t nq = per_channel ? static_cast<std::size_t>(s.N) : 1;
      for (std::size_t j = 0; j < nq; ++j) lp.requant.push_back(quantize_multiplier(mult(gen)));
      std::vector<std::int8_t> out(static_cast<std::size_t>(s.M * s.N));
      int8_linear(a, s.M, s.K, w, s.N, b, lp, out);
      REQUIRE(out == naive_linear(a, s.M, s.K, w, s.N, b, lp));
      std::vector<std::int8_t> out_nb(out.size());
      int8_linear(a, s.M, s.K, w, s.N, {}, lp, out_nb);
      REQUIRE(out_nb == naive_linear(a, s.M, s.K, w, s.N, {}, lp));
    }
  }
}

TEST_CASE("int8_linear_accumulate matches a hand-computed dot product", "[quantize][gemm]") {
  // a = [[1, 2, 3]], w = [[4, -5, 6], [0, 1, 0]], za = 1, zw = -1, bias = [10, 0]:
  // row 0 / unit 0: (0)(5) + (1)(-4) + (2)(7) + 10 = 20;  unit 1: (0)(1) + (1)(2) + (2)(1) = 4.
  const std::vector<std::int8_t> a = {1, 2, 3}, w = {4, -5, 6, 0, 1, 0};
  const std::vector<std::int32_t> bias = {10, 0};
  std::vector<std::int32_t> acc(2);
  int8_linear_accumulate(a, 1, 3, w, 2, bias, 1, -1, acc);
  CHECK(acc == std::vector<std::int32_t>{20, 4});
}

TEST_CASE("int8_linear refuses overflowing accumulators and inconsistent sizes",
          "[quantize][gemm][errors]") {
  // 2 * (-128)(-128) = 32768, plus bias INT32_MAX overflows int32.
  const std::vector<std::int8_t> a = {-128, -128}, w = {-128, -128};
  const std::vector<std::int32_t> bias = {i32max};
  std::vector<std::int32_t> acc(1);
  try {
    int8_linear_accumulate(a, 1, 2, w, 1, bias, 0, 0, acc);
    FAIL("no error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::out_of_range);
  }
  std::vector<std::int8_t> out(1);
  linear_params lp{.requant = {quantize_multiplier(0.5)}};
  CHECK_THROWS_AS(int8_linear(a, 1, 3, w, 1, {}, lp, out),
                  fairgate::error);  // a has 2 values, not 3
  CHECK_THROWS_AS(int8_linear(a, 1, 2, w, 1, std::vector<std::int32_t>{1, 2}, lp, out),
                  fairgate::error);
  lp.input_zero_point = 200;
  CHECK_THROWS_AS(int8_linear(a, 1, 2, w, 1, {}, lp, out), fairgate::error);
  lp.input_zero_point = 0;
  lp.requant = {quantize_multiplier(0.5), quantize_multiplier(0.5)};
  CHECK_THROWS_AS(int8_linear(a, 1, 2, w, 1, {}, lp, out),
                  fairgate::error);  // 2 multipliers for N = 1
}

TEST_CASE("pack_weights_from_kn transposes [K, N] weights into [N, K] rows", "[quantize][gemm]") {
  // K = 2, N = 3: w_kn = [[1, 2, 3], [4, 5, 6]] -> rows [1, 4], [2, 5], [3, 6].
  const std::vector<std::int8_t> w = {1, 2, 3, 4, 5, 6};
  CHECK(pack_weights_from_kn(w, 2, 3) == std::vector<std::int8_t>{1, 4, 2, 5, 3, 6});
  // A larger odd shape round-trips through two transposes.
  std::vector<std::int8_t> big(37 * 70);
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<std::int8_t>(static_cast<int>(i % 251) - 125);
  CHECK(pack_weights_from_kn(pack_weights_from_kn(big, 37, 70), 70, 37) == big);
  CHECK_THROWS_AS(pack_weights_from_kn(w, 2, 2), fairgate::error);
}
