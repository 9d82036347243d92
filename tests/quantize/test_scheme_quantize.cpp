// Scale conventions, rounding modes, packing, quantize / dequantize /
// fake-quantize and error statistics.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <fairgate/quantize/dynamic.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/quantize/scheme.hpp>

namespace tensor = fairgate::tensor;
namespace rng = fairgate::rng;
using fairgate::errc;
using namespace fairgate::quantize;
using tensor::view;

namespace {

std::vector<std::int32_t> ints(const qtensor& q) {
  std::vector<std::int32_t> v;
  for (std::int64_t i = 0; i < q.numel(); ++i) v.push_back(q.value(i));
  return v;
}

std::vector<float> random_floats(std::size_t n, unsigned seed, float sd = 1.0f) {
  // Test data only (not a library path): std::mt19937 keeps the test independent of fairgate's RNG.
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0.0f, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

}  // namespace

// ---------------------------------------------------------------- scale conventions

TEST_CASE("torch_symmetric int8 divides amax by 127.5 with zero point 0", "[quantize][scheme]") {
  // x = [-1, 0.5, 2]: amax = max(|-1|, 2) = 2, scale = 2 / ((127 - -128) / 2) = 2 / 127.5.
  // q = round(x * (1/scale)) = round([-63.75, 31.875, 127.5]) = [-64, 32, 128 -> clamp 127].
  float x[] = {-1.0f, 0.5f, 2.0f};
  const auto qp =
      make_qparams({.type = qtype::int8, .rule = scale_rule::torch_symmetric}, -1.0f, 2.0f);
  CHECK(qp.scale[0] == 2.0f / 127.5f);
  CHECK(qp.zero_point[0] == 0);
  CHECK(qp.qmin == -128);
  CHECK(qp.qmax == 127);
  CHECK(ints(quantize(view::contiguous(x, {3}), qp)) == std::vector<std::int32_t>{-64, 32, 127});
}

TEST_CASE("torch_symmetric uint8 uses zero point 128", "[quantize][scheme]") {
  // Same scale 2/127.5; q = 128 + [-64, 32, 128] = [64, 160, 256 -> clamp 255].
  float x[] = {-1.0f, 0.5f, 2.0f};
  const auto qp =
      make_qparams({.type = qtype::uint8, .rule = scale_rule::torch_symmetric}, -1.0f, 2.0f);
  CHECK(qp.scale[0] == 2.0f / 127.5f);
  CHECK(qp.zero_point[0] == 128);
  CHECK(ints(quantize(view::contiguous(x, {3}), qp)) == std::vector<std::int32_t>{64, 160, 255});
}

TEST_CASE("affine uint8 spans [min(min,0), max(max,0)] over 255 steps", "[quantize][scheme]") {
  // min_neg = -1, max_pos = 2: scale = 3 / 255 (float32). min_neg / scale = -85 up to
  // float32 rounding (< 0.5 away), so round() = -85 and zp = 0 - (-85) = 85.
  // q(-1) = 85 + round(-85) = 0; q(2) = 85 + round(170) = 255.
  float x[] = {-1.0f, 2.0f};
  const auto qp = make_qparams({.type = qtype::uint8, .rule = scale_rule::affine}, -1.0f, 2.0f);
  CHECK(qp.scale[0] == 3.0f / 255.0f);
  CHECK(qp.zero_point[0] == 85);
  CHECK(ints(quantize(view::contiguous(x, {2}), qp)) == std::vector<std::int32_t>{0, 255});
}

TEST_CASE("affine with an all-positive range puts the zero point at qmin", "[quantize][scheme]") {
  // min = 1, max = 4: min_neg = 0, max_pos = 4, scale = 4/255, zp = 0 - round(0) = 0 (uint8),
  // and for int8: scale = 4/255, zp = -128 - 0 = -128.
  const auto u = make_qparams({.type = qtype::uint8, .rule = scale_rule::affine}, 1.0f, 4.0f);
  CHECK(u.scale[0] == 4.0f / 255.0f);
  CHECK(u.zero_point[0] == 0);
  const auto s = make_qparams({.type = qtype::int8, .rule = scale_rule::affine}, 1.0f, 4.0f);
  CHECK(s.zero_point[0] == -128);
}

TEST_CASE("narrow_symmetric int8 uses [-127, 127] and divides amax by 127", "[quantize][scheme]") {
  // amax = 2: scale = 2/127, zp = 0; -2.5 / scale = -158.75 clamps to -127, not -128.
  float x[] = {-2.5f, 2.0f, 0.0f};
  const auto qp = make_qparams(
      {.type = qtype::int8, .rule = scale_rule::narrow_symmetric, .narrow_range = true}, -1.0f,
      2.0f);
  CHECK(qp.scale[0] == 2.0f / 127.0f);
  CHECK(qp.zero_point[0] == 0);
  CHECK(qp.qmin == -127);
  CHECK(ints(quantize(view::contiguous(x, {3}), qp)) == std::vector<std::int32_t>{-127, 127, 0});
}

TEST_CASE("reduce_range drops one bit as PyTorch's observers do", "[quantize][scheme]") {
  CHECK(range_of(qtype::int8, true).qmin == -64);
  CHECK(range_of(qtype::int8, true).qmax == 63);
  CHECK(range_of(qtype::uint8, true).qmin == 0);
  CHECK(range_of(qtype::uint8, true).qmax == 127);
  CHECK(range_of(qtype::int4, true).qmin == -4);
  CHECK(range_of(qtype::int4, true).qmax == 3);
  // torch_symmetric on [-64, 63]: amax 2 / ((63 + 64) / 2) = 2 / 63.5.
  const auto qp =
      make_qparams({.type = qtype::int8, .rule = scale_rule::torch_symmetric, .reduce_range = true},
                   -1.0f, 2.0f);
  CHECK(qp.scale[0] == 2.0f / 63.5f);
  CHECK_THROWS_AS(
      make_qparams(
          {.type = qtype::uint8, .rule = scale_rule::torch_symmetric, .reduce_range = true}, -1.0f,
          2.0f),
      fairgate::error);
}

TEST_CASE("int4 symmetric divides amax by 7.5 and uint4 symmetric centres at 7",
          "[quantize][scheme]") {
  // int4 [-8, 7]: (7 - -8) / 2 = 7.5. uint4 [0, 15]: zp = (0 + 15) // 2 = 7 (PyTorch's custom-range
  // rule).
  const auto s =
      make_qparams({.type = qtype::int4, .rule = scale_rule::torch_symmetric}, -3.0f, 1.0f);
  CHECK(s.scale[0] == 3.0f / 7.5f);
  CHECK(s.zero_point[0] == 0);
  const auto u =
      make_qparams({.type = qtype::uint4, .rule = scale_rule::torch_symmetric}, -3.0f, 1.0f);
  CHECK(u.zero_point[0] == 7);
}

TEST_CASE("an all-zero tensor gets scale eps under the torch rules and 1 under narrow_symmetric",
          "[quantize][scheme]") {
  // torch: scale = max(0 / 127.5, eps) = 2^-23; affine int8: zp = -128 - round(0 / eps) = -128.
  const float eps = std::numeric_limits<float>::epsilon();
  CHECK(make_qparams({.rule = scale_rule::torch_symmetric}, 0.0f, 0.0f).scale[0] == eps);
  const auto a = make_qparams({.type = qtype::int8, .rule = scale_rule::affine}, 0.0f, 0.0f);
  CHECK(a.scale[0] == eps);
  CHECK(a.zero_point[0] == -128);
  CHECK(make_qparams({.rule = scale_rule::narrow_symmetric, .narrow_range = true}, 0.0f, 0.0f)
            .scale[0] == 1.0f);
  float z[4] = {0, 0, 0, 0};
  CHECK(ints(quantize(view::contiguous(z, {4}), a)) ==
        std::vector<std::int32_t>{-128, -128, -128, -128});
}

TEST_CASE("make_qparams rejects non-finite or inverted ranges", "[quantize][scheme][errors]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(make_qparams({}, nan, 1.0f), fairgate::error);
  CHECK_THROWS_AS(make_qparams({}, 0.0f, std::numeric_limits<float>::infinity()), fairgate::error);
  CHECK_THROWS_AS(make_qparams({}, 2.0f, 1.0f), fairgate::error);
  CHECK_THROWS_AS(
      make_qparams({.type = qtype::uint8, .rule = scale_rule::narrow_symmetric}, 0.0f, 1.0f),
      fairgate::error);
}

// ---------------------------------------------------------------- rounding

TEST_CASE("half_to_even rounds ties to the even integer", "[quantize][rounding]") {
  // scale 1, zp 0: 2.5 -> 2, -2.5 -> -2, 0.5 -> 0, -0.5 -> 0, 1.5 -> 2, 3.5 -> 4.
  float x[] = {2.5f, -2.5f, 0.5f, -0.5f, 1.5f, 3.5f};
  const auto qp = qparams::per_tensor_params(qtype::int8, 1.0f, 0);
  CHECK(ints(quantize(view::contiguous(x, {6}), qp, {.mode = rounding::half_to_even})) ==
        std::vector<std::int32_t>{2, -2, 0, 0, 2, 4});
}

TEST_CASE("half_away_from_zero rounds ties away from zero", "[quantize][rounding]") {
  // 2.5 -> 3, -2.5 -> -3, 0.5 -> 1, -0.5 -> -1, 1.5 -> 2, 3.5 -> 4.
  float x[] = {2.5f, -2.5f, 0.5f, -0.5f, 1.5f, 3.5f};
  const auto qp = qparams::per_tensor_params(qtype::int8, 1.0f, 0);
  CHECK(ints(quantize(view::contiguous(x, {6}), qp, {.mode = rounding::half_away_from_zero})) ==
        std::vector<std::int32_t>{3, -3, 1, -1, 2, 4});
}

TEST_CASE("nearest rounding modes agree with std::nearbyint and std::round on random values",
          "[quantize][rounding]") {
  // Independent oracle: the C library's exact rounding functions on t = x * (1/scale).
  auto x = random_floats(20000, 7, 40.0f);
  for (std::size_t i = 0; i < 200; ++i)
    x[i] = static_cast<float>(static_cast<int>(i) - 100) + 0.5f;  // ties
  const auto qp = qparams::per_tensor_params(qtype::int8, 0.75f, 3);
  const float inv = 1.0f / 0.75f;
  const auto he =
      quantize(view::contiguous(x.data(), {20000}), qp, {.mode = rounding::half_to_even});
  const auto ha =
      quantize(view::contiguous(x.data(), {20000}), qp, {.mode = rounding::half_away_from_zero});
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float t = x[i] * inv;
    const auto e = static_cast<std::int32_t>(std::clamp(3.0f + std::nearbyint(t), -128.0f, 127.0f));
    const auto a = static_cast<std::int32_t>(std::clamp(3.0f + std::round(t), -128.0f, 127.0f));
    REQUIRE(he.value(static_cast<std::int64_t>(i)) == e);
    REQUIRE(ha.value(static_cast<std::int64_t>(i)) == a);
  }
}

TEST_CASE("stochastic rounding is unbiased in expectation", "[quantize][rounding][property]") {
  // t = 0.3 / 0.1 ~ 2.9999999 -> use scale 1 and x = 0.3f + k: E[q] = x exactly up to 2^-32.
  // n = 200000 draws of Bernoulli(frac): sd of the mean <= 0.5/sqrt(n) = 0.0011; tolerance 0.006 (>
  // 5 sd).
  const std::size_t n = 200000;
  for (float x0 : {0.3f, -1.7f, 5.5f}) {
    std::vector<float> x(n, x0);
    const auto qp = qparams::per_tensor_params(qtype::int8, 1.0f, 0);
    const auto q = quantize(view::contiguous(x.data(), {static_cast<std::int64_t>(n)}), qp,
                            {.mode = rounding::stochastic, .seed = 12345});
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int32_t v = q.value(static_cast<std::int64_t>(i));
      REQUIRE((v == static_cast<std::int32_t>(std::floor(x0)) ||
               v == static_cast<std::int32_t>(std::floor(x0)) + 1));
      sum += v;
    }
    CHECK(std::fabs(sum / static_cast<double>(n) - static_cast<double>(x0)) < 0.006);
  }
}

TEST_CASE("stochastic rounding gives the same bits for the same seed and different bits otherwise",
          "[quantize][rounding][property]") {
  auto x = random_floats(4096, 3);
  const auto qp = qparams::per_tensor_params(qtype::int8, 0.05f, 0);
  const auto v = view::contiguous(x.data(), {64, 64});
  const auto a = quantize(v, qp, {.mode = rounding::stochastic, .seed = 9, .stream_index = 2});
  const auto b = quantize(v, qp, {.mode = rounding::stochastic, .seed = 9, .stream_index = 2});
  const auto c = quantize(v, qp, {.mode = rounding::stochastic, .seed = 10, .stream_index = 2});
  const auto d = quantize(v, qp, {.mode = rounding::stochastic, .seed = 9, .stream_index = 3});
  CHECK(a.data == b.data);
  CHECK(a.data != c.data);
  CHECK(a.data != d.data);
}

TEST_CASE("stochastic rounding of element i uses word i of the keyed stream",
          "[quantize][rounding]") {
  // Hand rule: q = floor(t + w_i * 2^-32) with w_i = stream(seed, quant_stochastic,
  // index).word_at(i).
  std::vector<float> x = {0.25f, 0.5f, 0.75f, -0.25f, 1.9f, -3.1f, 0.0f};
  const auto qp = qparams::per_tensor_params(qtype::int8, 1.0f, 0);
  const auto q = quantize(view::contiguous(x.data(), {7}), qp,
                          {.mode = rounding::stochastic, .seed = 77, .stream_index = 5});
  const rng::stream st(77, rng::purposes::quant_stochastic, 5);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u = static_cast<double>(st.word_at(i)) * 0x1p-32;
    CHECK(q.value(static_cast<std::int64_t>(i)) ==
          static_cast<std::int32_t>(std::floor(static_cast<double>(x[i]) + u)));
  }
}

// ---------------------------------------------------------------- packing

TEST_CASE("int4 packs two values per byte, even index in the low nibble", "[quantize][int4]") {
  // [-8, 7, -1, 3, 5] with scale 1: nibbles 0x8, 0x7, 0xF, 0x3, 0x5 -> bytes 0x78, 0x3F, 0x05.
  float x[] = {-8.0f, 7.0f, -1.0f, 3.0f, 5.0f};
  const auto q =
      quantize(view::contiguous(x, {5}), qparams::per_tensor_params(qtype::int4, 1.0f, 0));
  REQUIRE(q.data.size() == 3);
  CHECK(q.data[0] == 0x78);
  CHECK(q.data[1] == 0x3F);
  CHECK(q.data[2] == 0x05);
  CHECK(ints(q) == std::vector<std::int32_t>{-8, 7, -1, 3, 5});
}

TEST_CASE("uint4 clamps to [0, 15] and packs like int4", "[quantize][int4]") {
  // zp 0: [-2 -> 0, 15, 20 -> 15, 1] -> bytes 0xF0, 0x1F.
  float x[] = {-2.0f, 15.0f, 20.0f, 1.0f};
  const auto q =
      quantize(view::contiguous(x, {4}), qparams::per_tensor_params(qtype::uint4, 1.0f, 0));
  REQUIRE(q.data.size() == 2);
  CHECK(q.data[0] == 0xF0);
  CHECK(q.data[1] == 0x1F);
}

// ---------------------------------------------------------------- edge cases and errors

TEST_CASE("a zero-size tensor quantizes to an empty buffer", "[quantize][edge]") {
  float dummy = 0;
  const auto v = view::contiguous(&dummy, {0, 5});
  const auto q = quantize(v, qparams::per_tensor_params(qtype::int8, 1.0f, 0));
  CHECK(q.data.empty());
  minmax_observer obs;
  obs.observe(v);
  CHECK_FALSE(obs.has_data());
  CHECK_THROWS_AS(obs.calculate_qparams({}), fairgate::error);
  CHECK_THROWS_AS(quantization_error(v, qparams::per_tensor_params(qtype::int8, 1.0f, 0)),
                  fairgate::error);
}

TEST_CASE("NaN and Inf inputs are refused with the element's index", "[quantize][errors]") {
  std::vector<float> x(100, 1.0f);
  x[37] = std::numeric_limits<float>::quiet_NaN();
  const auto qp = qparams::per_tensor_params(qtype::int8, 0.1f, 0);
  try {
    (void)quantize(view::contiguous(x.data(), {100}), qp);
    FAIL("no error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::invalid_value);
    CHECK(std::string(e.what()).find("x[37]") != std::string::npos);
  }
  x[37] = 1.0f;
  x[99] = -std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(quantize(view::contiguous(x.data(), {100}), qp), fairgate::error);
  std::vector<float> out(100);
  CHECK_THROWS_AS(
      fake_quantize(view::contiguous(x.data(), {100}), qp, view::contiguous(out.data(), {100})),
      fairgate::error);
  minmax_observer obs;
  CHECK_THROWS_AS(obs.observe(view::contiguous(x.data(), {100})), fairgate::error);
  CHECK_THROWS_AS(
      quantize(view::contiguous(x.data(), {10, 10}), qp, {.mode = rounding::stochastic}),
      fairgate::error);
}

TEST_CASE("inconsistent parameters are refused", "[quantize][errors]") {
  float x[6] = {};
  const auto v = view::contiguous(x, {2, 3});
  auto qp = qparams::per_tensor_params(qtype::int8, 0.0f, 0);
  CHECK_THROWS_AS(quantize(v, qp), fairgate::error);  // scale 0
  qp = qparams::per_tensor_params(qtype::uint8, 1.0f, 300);
  CHECK_THROWS_AS(quantize(v, qp), fairgate::error);  // zero point outside [0, 255]
  qp = qparams::per_tensor_params(qtype::int8, 1.0f, 0);
  qp.axis = 1;
  qp.scale = {1.0f, 1.0f};
  qp.zero_point = {0, 0};
  CHECK_THROWS_AS(quantize(v, qp), fairgate::error);  // axis 1 has 3 channels, not 2
  qp.axis = 2;
  CHECK_THROWS_AS(quantize(v, qp), fairgate::error);  // axis out of range
  std::vector<std::uint8_t> small(5);
  CHECK_THROWS_AS(quantize_into(v, qparams::per_tensor_params(qtype::int8, 1.0f, 0), small),
                  fairgate::error);
}

// ---------------------------------------------------------------- properties

TEMPLATE_TEST_CASE("dequantize(quantize(x)) is within scale/2 of in-range values",
                   "[quantize][property]", float, double) {
  std::mt19937 gen(11);
  std::uniform_real_distribution<double> d(-3.0, 5.0);
  std::vector<TestType> x(6000);
  for (auto& v : x) v = static_cast<TestType>(d(gen));
  const auto v = view::contiguous(x.data(), {20, 300});
  for (auto rule : {scale_rule::torch_symmetric, scale_rule::affine}) {
    for (auto t : {qtype::int8, qtype::uint8, qtype::int4}) {
      if (rule == scale_rule::torch_symmetric && t == qtype::uint8) continue;
      for (auto mode : {rounding::half_to_even, rounding::half_away_from_zero}) {
        minmax_observer obs(0);
        obs.observe(v);
        const auto qp = obs.calculate_qparams({.type = t, .rule = rule, .axis = 0});
        const auto q = quantize(v, qp, {.mode = mode});
        std::vector<TestType> back(x.size());
        dequantize(q, view::contiguous(back.data(), {20, 300}));
        for (std::size_t i = 0; i < x.size(); ++i) {
          const std::size_t c = i / 300;
          const double s = qp.scale[c];
          const double lo = (qp.qmin - qp.zero_point[c]) * s, hi = (qp.qmax - qp.zero_point[c]) * s;
          if (static_cast<double>(x[i]) < lo || static_cast<double>(x[i]) > hi) continue;
          // scale/2 plus float32 slack for t = x * (1/scale) and the product (q - zp) * scale.
          REQUIRE(std::fabs(static_cast<double>(back[i]) - static_cast<double>(x[i])) <=
                  s * (0.5 + 1e-5));
        }
      }
    }
  }
}

TEST_CASE("per-channel quantization equals per-tensor quantization of each channel",
          "[quantize][property]") {
  // [4, 5, 6] tensor, channel axis 1: slice c is x[:, c, :].
  auto x = random_floats(120, 5, 2.0f);
  const auto v = view::contiguous(x.data(), {4, 5, 6});
  minmax_observer obs(1);
  obs.observe(v);
  const auto qp =
      obs.calculate_qparams({.type = qtype::int8, .rule = scale_rule::affine, .axis = 1});
  const auto q = quantize(v, qp);
  for (std::int64_t c = 0; c < 5; ++c) {
    std::vector<float> slice;
    for (std::int64_t i = 0; i < 4; ++i)
      for (std::int64_t k = 0; k < 6; ++k)
        slice.push_back(x[static_cast<std::size_t>(i * 30 + c * 6 + k)]);
    const auto one = qparams::per_tensor_params(qtype::int8, qp.scale[static_cast<std::size_t>(c)],
                                                qp.zero_point[static_cast<std::size_t>(c)]);
    const auto qs = quantize(view::contiguous(slice.data(), {4, 6}), one);
    for (std::int64_t i = 0; i < 4; ++i)
      for (std::int64_t k = 0; k < 6; ++k)
        REQUIRE(q.value(i * 30 + c * 6 + k) == qs.value(i * 6 + k));
  }
}

TEST_CASE("a strided view quantizes like its contiguous copy, for every axis and rounding mode",
          "[quantize][property]") {
  // Storage is a [7, 9] matrix; the view is its transpose [9, 7] (strides {1, 9}).
  auto x = random_floats(63, 8, 3.0f);
  std::vector<float> xt(63);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 9; ++j)
      xt[static_cast<std::size_t>(j * 7 + i)] = x[static_cast<std::size_t>(i * 9 + j)];
  const std::int64_t dims[] = {9, 7}, strides[] = {1, 9};
  const auto tv = view::strided(x.data(), tensor::dtype::f32, dims, strides, 2);
  const auto cv = view::contiguous(xt.data(), {9, 7});
  for (int axis : {per_tensor, 0, 1}) {
    minmax_observer o1(axis), o2(axis);
    o1.observe(tv);
    o2.observe(cv);
    const auto qp =
        o1.calculate_qparams({.type = qtype::int4, .rule = scale_rule::affine, .axis = axis});
    CHECK(qp.scale ==
          o2.calculate_qparams({.type = qtype::int4, .rule = scale_rule::affine, .axis = axis})
              .scale);
    for (auto mode :
         {rounding::half_to_even, rounding::half_away_from_zero, rounding::stochastic}) {
      const rounding_options ro{.mode = mode, .seed = 4};
      CHECK(quantize(tv, qp, ro).data == quantize(cv, qp, ro).data);
      std::vector<float> f1(63), f2(63);
      fake_quantize(tv, qp, view::contiguous(f1.data(), {9, 7}), ro);
      fake_quantize(cv, qp, view::contiguous(f2.data(), {9, 7}), ro);
      CHECK(f1 == f2);
      CHECK(quantization_error(tv, qp, ro).tensor.mse == quantization_error(cv, qp, ro).tensor.mse);
    }
  }
}

TEST_CASE("fake_quantize equals dequantize of quantize, bit for bit, also in place",
          "[quantize][property]") {
  auto x = random_floats(3000, 21, 1.5f);
  const auto v = view::contiguous(x.data(), {30, 100});
  minmax_observer obs(0);
  obs.observe(v);
  const auto qp =
      obs.calculate_qparams({.type = qtype::int8, .rule = scale_rule::affine, .axis = 0});
  std::vector<float> deq(3000), fq(3000);
  dequantize(quantize(v, qp), view::contiguous(deq.data(), {30, 100}));
  fake_quantize(v, qp, view::contiguous(fq.data(), {30, 100}));
  CHECK(deq == fq);
  fake_quantize(v, qp, v);  // in place
  CHECK(x == fq);
}

// ---------------------------------------------------------------- error statistics

TEST_CASE("error statistics match a hand computation", "[quantize][stats]") {
  // scale 0.5, zp 0, int8: x = [0.2, 1.0, 100.0, -0.3].
  //   fq = [0.0 (0.4 -> 0), 1.0, 63.5 (200 -> 127), -0.5 (-0.6 -> -1)]
  //   e  = [-0.2, 0, -36.5, -0.2]   (double differences of the float values)
  //   clipped: only 100 (q = 200 > 127) -> 1/4.
  float x[] = {0.2f, 1.0f, 100.0f, -0.3f};
  const auto qp = qparams::per_tensor_params(qtype::int8, 0.5f, 0);
  const auto r = quantization_error(view::contiguous(x, {4}), qp);
  const double e0 = 0.0 - static_cast<double>(0.2f), e2 = 63.5 - 100.0,
               e3 = -0.5 - static_cast<double>(-0.3f);
  const double se = e0 * e0 + e2 * e2 + e3 * e3;
  const double sx = static_cast<double>(0.2f) * static_cast<double>(0.2f) + 1.0 + 10000.0 +
                    static_cast<double>(0.3f) * static_cast<double>(0.3f);
  CHECK(r.tensor.count == 4);
  CHECK(r.tensor.mse == Approx(se / 4).epsilon(1e-15));
  CHECK(r.tensor.max_abs_error == 36.5);
  CHECK(r.tensor.fraction_clipped == 0.25);
  CHECK(r.tensor.signal_power == Approx(sx / 4).epsilon(1e-15));
  CHECK(r.tensor.sqnr_db == Approx(10.0 * std::log10(sx / se)).epsilon(1e-12));
  REQUIRE(r.channels.size() == 1);
  CHECK(r.channels[0].mse == r.tensor.mse);
}

TEST_CASE("per-channel error statistics partition the tensor", "[quantize][stats][property]") {
  auto x = random_floats(800, 31, 2.0f);
  const auto v = view::contiguous(x.data(), {8, 100});
  minmax_observer obs(0);
  obs.observe(v);
  // narrow_symmetric int4: [-7, 7], scale = amax / 7, so amax maps to 7 and nothing clips
  // (under torch_symmetric amax maps to 7.5, which rounds to 8 and clips).
  const auto qp = obs.calculate_qparams(
      {.type = qtype::int4, .rule = scale_rule::narrow_symmetric, .axis = 0, .narrow_range = true});
  const auto r = quantization_error(v, qp);
  REQUIRE(r.channels.size() == 8);
  double se = 0;
  std::int64_t n = 0;
  double mx = 0;
  for (const auto& c : r.channels) {
    se += c.mse * static_cast<double>(c.count);
    n += c.count;
    mx = std::max(mx, c.max_abs_error);
    CHECK(c.fraction_clipped == 0.0);
  }
  CHECK(n == 800);
  CHECK(r.tensor.mse == Approx(se / 800).epsilon(1e-12));
  CHECK(r.tensor.max_abs_error == mx);
}

TEST_CASE("a lossless quantization has infinite SQNR", "[quantize][stats][edge]") {
  float x[] = {1.0f, -2.0f, 3.0f};
  const auto r = quantization_error(view::contiguous(x, {3}),
                                    qparams::per_tensor_params(qtype::int8, 1.0f, 0));
  CHECK(r.tensor.mse == 0.0);
  CHECK(std::isinf(r.tensor.sqnr_db));
  CHECK(r.tensor.sqnr_db > 0);
}

// ---------------------------------------------------------------- observe-and-quantize

TEMPLATE_TEST_CASE("quantize_minmax equals minmax_observer then quantize, bit for bit",
                   "[quantize][dynamic][property]", float, double) {
  // Long rows (1000 = SIMD blocks + tail), a signed zero mix, and an all-zero channel.
  std::mt19937 gen(41);
  std::normal_distribution<double> d(0.0, 3.0);
  std::vector<TestType> x(6 * 1000);
  for (auto& v : x) v = static_cast<TestType>(d(gen));
  for (std::size_t j = 0; j < 1000; ++j) x[3000 + j] = (j % 2) ? TestType(-0.0) : TestType(0.0);
  const auto v = view::contiguous(x.data(), {6, 1000});
  for (int axis : {per_tensor, 0, 1}) {
    for (auto t : {qtype::int8, qtype::uint8, qtype::int4}) {
      for (auto rule : {scale_rule::affine, scale_rule::torch_symmetric}) {
        for (auto mode :
             {rounding::half_to_even, rounding::half_away_from_zero, rounding::stochastic}) {
          const scheme s{.type = t, .rule = rule, .axis = axis};
          const rounding_options ro{.mode = mode, .seed = 5};
          minmax_observer obs(axis);
          obs.observe(v);
          const auto ref = quantize(v, obs.calculate_qparams(s), ro);
          const auto got = quantize_minmax(v, s, ro);
          REQUIRE(got.params.scale == ref.params.scale);
          REQUIRE(got.params.zero_point == ref.params.zero_point);
          REQUIRE(got.params.qmin == ref.params.qmin);
          REQUIRE(got.params.qmax == ref.params.qmax);
          REQUIRE(got.data == ref.data);
        }
      }
    }
  }
}

TEST_CASE("quantize_minmax names the flat index of a NaN", "[quantize][dynamic][errors]") {
  std::vector<float> x(4 * 64, 0.5f);
  x[2 * 64 + 17] = std::numeric_limits<float>::quiet_NaN();
  try {
    (void)quantize_minmax(view::contiguous(x.data(), {4, 64}), {.axis = 0});
    FAIL("no error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::invalid_value);
    CHECK(std::string(e.what()).find("x[145]") != std::string::npos);
  }
  float dummy = 0;
  CHECK_THROWS_AS(quantize_minmax(view::contiguous(&dummy, {0, 3}), {.axis = 0}), fairgate::error);
}

TEST_CASE("fake_quantize writes through a strided output view", "[quantize][property]") {
  // out is the transpose of a [5, 4] buffer; element (i, j) of the logical [4, 5] lands at j*4 + i.
  auto x = random_floats(20, 13, 2.0f);
  std::vector<float> contig(20), buf(20);
  const auto qp = qparams::per_tensor_params(qtype::int8, 0.03f, 2);
  fake_quantize(view::contiguous(x.data(), {4, 5}), qp, view::contiguous(contig.data(), {4, 5}));
  const std::int64_t dims[] = {4, 5}, strides[] = {1, 4};
  fake_quantize(view::contiguous(x.data(), {4, 5}), qp,
                view::strided(buf.data(), tensor::dtype::f32, dims, strides, 2));
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 5; ++j) CHECK(buf[j * 4 + i] == contig[i * 5 + j]);
}

#if FAIRGATE_QUANT_SSE2
TEST_CASE("the SIMD row kernels agree with the scalar rule bit for bit",
          "[quantize][simd][property]") {
  // Inputs around every rounding boundary: k/2 * scale for many k, plus random values and values
  // far outside the range. Scalar rule: zp + round_half_even(clamp(x * inv, lo, hi)).
  std::vector<float> x = random_floats(4096 + 13, 17, 4.0f);
  for (std::size_t k = 0; k < 1000; ++k) x[k] = (static_cast<float>(k) - 500.0f) * 0.5f * 0.037f;
  x[1001] = 1e30f;
  x[1002] = -1e30f;
  for (std::int32_t zp : {0, 7, -100}) {
    const float s = 0.037f;
    const detail::chan<float> c{1.0f / s, static_cast<float>(-128 - zp),
                                static_cast<float>(127 - zp), s, zp};
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<std::uint8_t> scalar(x.size()), sse(x.size(), 0), fused(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float r = detail::qminus_zp<float, rounding::half_to_even>(x[i], c, 0u);
      scalar[i] = static_cast<std::uint8_t>(static_cast<std::int32_t>(r) + zp);
      REQUIRE(static_cast<float>(static_cast<std::int32_t>(r)) ==
              std::clamp(std::nearbyint(x[i] * c.inv), c.lo, c.hi));  // independent oracle
    }
    unsigned bad = 0;
    const std::int64_t done = detail::sse2_quantize_row(x.data(), n, c, sse.data(), bad);
    CHECK(bad == 0);
    for (std::int64_t i = 0; i < done; ++i)
      REQUIRE(sse[static_cast<std::size_t>(i)] == scalar[static_cast<std::size_t>(i)]);
#if FAIRGATE_QUANT_AVX2
    if (detail::cpu_has_avx2()) {
      std::vector<std::uint8_t> avx(x.size(), 0);
      const std::int64_t da = detail::avx2_quantize_row(x.data(), n, c, avx.data(), bad);
      CHECK(bad == 0);
      for (std::int64_t i = 0; i < da; ++i)
        REQUIRE(avx[static_cast<std::size_t>(i)] == scalar[static_cast<std::size_t>(i)]);
      std::vector<float> fa(x.size()), fs(x.size());
      const std::int64_t fda = detail::avx2_fake_row(x.data(), n, c, fa.data(), bad);
      const std::int64_t fds = detail::sse2_fake_row(x.data(), n, c, fs.data(), bad);
      for (std::int64_t i = 0; i < std::min(fda, fds); ++i) {
        const auto u = static_cast<std::size_t>(i);
        REQUIRE(fa[u] == fs[u]);
        REQUIRE(fa[u] == detail::qminus_zp<float, rounding::half_to_even>(x[u], c, 0u) * s);
      }
    }
#endif
    CHECK(!detail::quantize_run_f32(x.data(), n, c, fused.data(), detail::avx2_available()));
    CHECK(fused == scalar);
    x[2000] = std::numeric_limits<float>::infinity();
    CHECK(detail::quantize_run_f32(x.data(), n, c, fused.data(), detail::avx2_available()));
    x[2000] = 0.0f;
  }
}
#endif

TEST_CASE("the prefetching stream kernel gives the scalar rule's bits for runs of any length",
          "[quantize][simd][property]") {
  // quantize_stream_f32 (the quantize_into path for contiguous f32 rows) converts 256-float
  // pieces; lengths around the piece and vector boundaries exercise every tail. Oracle:
  // zp + clamp(nearbyint(x * inv), lo, hi), computed independently here.
  const std::vector<float> x = random_floats(1300, 23, 3.0f);
  const float s = 0.021f;
  const std::int32_t zp = 5;
  const detail::chan<float> c{1.0f / s, static_cast<float>(-128 - zp), static_cast<float>(127 - zp),
                              s, zp};
  for (std::int64_t n : {0, 1, 31, 32, 255, 256, 257, 511, 512, 513, 1000, 1300}) {
    std::vector<std::uint8_t> got(static_cast<std::size_t>(n) + 1, 0xAB);
    CHECK(!detail::quantize_stream_f32(x.data(), n, c, got.data(), detail::avx2_available()));
    for (std::int64_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      const float r = std::clamp(std::nearbyint(x[u] * c.inv), c.lo, c.hi);
      REQUIRE(got[u] == static_cast<std::uint8_t>(static_cast<std::int32_t>(r) + zp));
    }
    CHECK(got[static_cast<std::size_t>(n)] == 0xAB);  // writes nothing past the run
  }
  std::vector<float> y = x;
  y[1299] = std::numeric_limits<float>::quiet_NaN();  // in the last, partial piece
  std::vector<std::uint8_t> out(y.size());
  CHECK(detail::quantize_stream_f32(y.data(), 1300, c, out.data(), detail::avx2_available()));
}
