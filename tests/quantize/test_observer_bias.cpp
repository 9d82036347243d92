// Observers (min-max, moving average, percentile, MSE-optimal clipping) and
// bias correction (Nagel et al. 2019), overall and per group.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <fairgate/quantize/bias_correction.hpp>
#include <fairgate/quantize/observer.hpp>

namespace tensor = fairgate::tensor;
namespace rng = fairgate::rng;
using fairgate::errc;
using namespace fairgate::quantize;
using tensor::view;

// ---------------------------------------------------------------- min-max

TEST_CASE("minmax_observer keeps the running min and max over batches", "[quantize][observer]") {
  float a[] = {0.5f, -1.0f, 2.0f}, b[] = {3.0f, 0.0f}, c[] = {-4.0f};
  minmax_observer obs;
  obs.observe(view::contiguous(a, {3}));
  obs.observe(view::contiguous(b, {2}));
  CHECK(obs.min()[0] == -1.0f);
  CHECK(obs.max()[0] == 3.0f);
  obs.observe(view::contiguous(c, {1}));
  CHECK(obs.min()[0] == -4.0f);
  CHECK(obs.max()[0] == 3.0f);
}

TEST_CASE("per-channel minmax_observer reduces over every axis but the channel axis",
          "[quantize][observer]") {
  // x[2][3], axis 1: columns {1,4}, {-2,5}, {3,-6} -> min [1,-2,-6], max [4,5,3].
  // axis 0: rows {1,-2,3}, {4,5,-6} -> min [-2,-6], max [3,5].
  float x[] = {1, -2, 3, 4, 5, -6};
  const auto v = view::contiguous(x, {2, 3});
  minmax_observer o1(1), o0(0);
  o1.observe(v);
  o0.observe(v);
  CHECK(std::vector<float>(o1.min().begin(), o1.min().end()) == std::vector<float>{1, -2, -6});
  CHECK(std::vector<float>(o1.max().begin(), o1.max().end()) == std::vector<float>{4, 5, 3});
  CHECK(std::vector<float>(o0.min().begin(), o0.min().end()) == std::vector<float>{-2, -6});
  CHECK(std::vector<float>(o0.max().begin(), o0.max().end()) == std::vector<float>{3, 5});
  CHECK_THROWS_AS(o1.calculate_qparams({.axis = 0}), fairgate::error);  // axis differs
  float y[] = {1, 2};
  CHECK_THROWS_AS(o1.observe(view::contiguous(y, {1, 2})), fairgate::error);  // 2 channels, not 3
}

TEST_CASE("the vectorised min-max matches a scalar scan on long rows",
          "[quantize][observer][property]") {
  std::mt19937 gen(3);
  std::normal_distribution<float> d(0.0f, 2.0f);
  std::vector<float> x(7 * 1001);
  for (auto& v : x) v = d(gen);
  minmax_observer obs(0);
  obs.observe(view::contiguous(x.data(), {7, 1001}));
  for (std::size_t c = 0; c < 7; ++c) {
    float mn = x[c * 1001], mx = mn;
    for (std::size_t j = 0; j < 1001; ++j) {
      mn = std::min(mn, x[c * 1001 + j]);
      mx = std::max(mx, x[c * 1001 + j]);
    }
    CHECK(obs.min()[c] == mn);
    CHECK(obs.max()[c] == mx);
  }
}

TEST_CASE("f64 input is observed exactly and its range rounded to float32",
          "[quantize][observer]") {
  // 0.1 (double) rounds to float 0.1f; the minimum -1/3 to float(-1/3).
  double x[] = {0.1, -1.0 / 3.0, 0.05};
  minmax_observer obs;
  obs.observe(view::contiguous(x, {3}));
  CHECK(obs.min()[0] == static_cast<float>(-1.0 / 3.0));
  CHECK(obs.max()[0] == 0.1f);
}

TEST_CASE("moving_average_minmax_observer follows PyTorch's float32 update",
          "[quantize][observer]") {
  // Batch 1 sets [0, 1]. Batch 2 ([-1, 3]): min = 0 + c*(-1 - 0), max = 1 + c*(3 - 1), c =
  // float(0.01), one float32 rounding per operation. Batch 3 ([0.5, 0.5]): same rule again.
  float b1[] = {0.0f, 1.0f}, b2[] = {-1.0f, 3.0f}, b3[] = {0.5f, 0.5f};
  moving_average_minmax_observer obs;
  obs.observe(view::contiguous(b1, {2}));
  obs.observe(view::contiguous(b2, {2}));
  const float c = 0.01f;
  volatile float mn = 0.0f, mx = 1.0f;  // volatile: one rounding per step, as torch's tensor ops
  mn = mn + c * (-1.0f - mn);
  mx = mx + c * (3.0f - mx);
  CHECK(obs.min()[0] == mn);
  CHECK(obs.max()[0] == mx);
  obs.observe(view::contiguous(b3, {2}));
  mn = mn + c * (0.5f - mn);
  mx = mx + c * (0.5f - mx);
  CHECK(obs.min()[0] == mn);
  CHECK(obs.max()[0] == mx);
  CHECK_THROWS_AS(moving_average_minmax_observer(per_tensor, 0.0), fairgate::error);
}

// ---------------------------------------------------------------- percentile

TEST_CASE("percentile_range interpolates linearly as numpy does",
          "[quantize][observer][percentile]") {
  // x = 1..100 (shuffled sign-free). p = 90: r = 0.9 * 99 = 89.1, i = 89, t = 0.1 (< 0.5):
  // a[89] + (a[90] - a[89]) * 0.1 = 90 + 0.1 = 90.1 -> range [-90.1, 90.1] (magnitude).
  std::vector<float> x;
  for (int i = 100; i >= 1; --i) x.push_back(static_cast<float>(i));
  const auto r = percentile_range(view::contiguous(x.data(), {100}), 90.0);
  REQUIRE(r.size() == 1);
  CHECK(r[0].max == static_cast<float>(90.0 + (91.0 - 90.0) * (0.9 * 99.0 - 89.0)));
  CHECK(r[0].min == -r[0].max);
  // p = 100 is the maximum |x|.
  CHECK(percentile_range(view::contiguous(x.data(), {100}), 100.0)[0].max == 100.0f);
}

TEST_CASE("two-sided percentile clips each tail separately", "[quantize][observer][percentile]") {
  // x = -10..9 (20 values). p = 75: upper r = 0.75*19 = 14.25 -> a[14] = 4, a[15] = 5, t =
  // 0.25: 4.25. lower p = 25: r = 0.25*19 = 4.75 -> a[4] = -6, a[5] = -5, t = 0.75 >= 0.5: -5 -
  // 1*(1 - 0.75) = -5.25.
  std::vector<double> x;
  for (int i = -10; i <= 9; ++i) x.push_back(i);
  const auto r =
      percentile_range(view::contiguous(x.data(), {20}), 75.0, percentile_mode::two_sided);
  CHECK(r[0].max == 4.25f);
  CHECK(r[0].min == -5.25f);
}

TEST_CASE("percentile_range works per channel and rejects bad p",
          "[quantize][observer][percentile]") {
  // Rows {1,2,3} and {-10,0,10}: p = 100 magnitude -> 3 and 10.
  float x[] = {1, 2, 3, -10, 0, 10};
  const auto r =
      percentile_range(view::contiguous(x, {2, 3}), 100.0, percentile_mode::magnitude, 0);
  REQUIRE(r.size() == 2);
  CHECK(r[0].max == 3.0f);
  CHECK(r[1].max == 10.0f);
  CHECK_THROWS_AS(percentile_range(view::contiguous(x, {6}), 40.0), fairgate::error);
  CHECK_THROWS_AS(percentile_range(view::contiguous(x, {6}), 100.5), fairgate::error);
}

// ---------------------------------------------------------------- MSE-optimal clipping

TEST_CASE("MSE-optimal clipping clips an outlier that min-max would keep",
          "[quantize][observer][mse]") {
  // 19999 values uniform in [-1, 1] and one at 20. int4 min-max: scale = 20/7.5 = 2.67, every small
  // value rounds to 0 (MSE ~ 1/3). Clipping at ~1 costs the outlier (20-1)^2/20000 = 0.018 only.
  std::mt19937 gen(17);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> x(20000);
  for (auto& v : x) v = d(gen);
  x[500] = 20.0f;
  const auto v = view::contiguous(x.data(), {20000});
  const scheme s{.type = qtype::int4, .rule = scale_rule::torch_symmetric};
  const auto ranges = mse_optimal_range(v, s, 100);
  REQUIRE(ranges.size() == 1);
  CHECK(ranges[0].max < 2.0f);
  const auto opt = make_qparams(s, std::span<const clip_range>(ranges));
  minmax_observer mm;
  mm.observe(v);
  const auto full = mm.calculate_qparams(s);
  CHECK(quantization_error(v, opt).tensor.mse < quantization_error(v, full).tensor.mse);
}

TEST_CASE("the MSE search returns the best of its candidates",
          "[quantize][observer][mse][property]") {
  // Re-evaluate every candidate alpha = k/20 with quantization_error: none beats the chosen one.
  std::mt19937 gen(23);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(2 * 400);
  for (auto& v : x) v = d(gen);
  const auto v = view::contiguous(x.data(), {2, 400});
  const scheme s{.type = qtype::int8, .rule = scale_rule::affine, .axis = 0};
  const auto ranges = mse_optimal_range(v, s, 20);
  const auto chosen = quantization_error(v, make_qparams(s, std::span<const clip_range>(ranges)));
  minmax_observer mm(0);
  mm.observe(v);
  for (int k = 1; k <= 20; ++k) {
    std::vector<clip_range> cand(2);
    for (std::size_t c = 0; c < 2; ++c) {
      const double a = k / 20.0;
      cand[c] = {static_cast<float>(a * mm.min()[c]), static_cast<float>(a * mm.max()[c])};
    }
    const auto e = quantization_error(v, make_qparams(s, std::span<const clip_range>(cand)));
    for (std::size_t c = 0; c < 2; ++c) CHECK(chosen.channels[c].mse <= e.channels[c].mse);
  }
}

TEST_CASE("MSE search on an all-zero tensor keeps the zero range",
          "[quantize][observer][mse][edge]") {
  // Every candidate has error 0; ties keep the largest alpha (1): range [0, 0].
  float z[8] = {};
  const auto r = mse_optimal_range(view::contiguous(z, {8}), {});
  CHECK(r[0].min == 0.0f);
  CHECK(r[0].max == 0.0f);
  CHECK_THROWS_AS(mse_optimal_range(view::contiguous(z, {8}), {}, 0), fairgate::error);
}

// ---------------------------------------------------------------- bias correction

TEST_CASE("Nagel bias correction subtracts (Wq - W) E[x]", "[quantize][bias]") {
  // W = [[1, 2], [3, 4]], Wq = [[1.5, 2], [3, 3.5]], E[x] = [2, -1]:
  // err = [0.5*2 + 0*(-1), 0*2 + (-0.5)*(-1)] = [1, 0.5]; b = [0.1, 0.2] -> [-0.9, -0.3].
  double w[] = {1, 2, 3, 4}, wq[] = {1.5, 2, 3, 3.5};
  const std::vector<double> mx = {2, -1}, b = {0.1, 0.2};
  const auto err =
      expected_output_error(view::contiguous(w, {2, 2}), view::contiguous(wq, {2, 2}), mx);
  CHECK(err == std::vector<double>{1.0, 0.5});
  const auto nb = corrected_bias(b, view::contiguous(w, {2, 2}), view::contiguous(wq, {2, 2}), mx);
  CHECK(nb == std::vector<double>{0.1 - 1.0, 0.2 - 0.5});
}

TEST_CASE("bias correction from output means subtracts E[y_q] - E[y]", "[quantize][bias]") {
  // b = [1, 2], E[y] = [0.5, 0.5], E[y_q] = [0.75, 0.25] -> b' = [1 - 0.25, 2 + 0.25].
  const std::vector<double> b = {1, 2}, ey = {0.5, 0.5}, eq = {0.75, 0.25};
  CHECK(corrected_bias_from_outputs(b, ey, eq) == std::vector<double>{0.75, 2.25});
  CHECK(corrected_bias_from_outputs({}, ey, eq) == std::vector<double>{-0.25, 0.25});  // no bias
}

TEST_CASE("both bias corrections agree on a linear layer", "[quantize][bias][property]") {
  // For y = W x and y_q = Wq x over the same inputs, E[y_q] - E[y] = (Wq - W) E[x].
  std::mt19937 gen(5);
  std::normal_distribution<double> d(0.0, 1.0);
  const std::size_t out = 4, in = 6, n = 50;
  const double dn = static_cast<double>(n);
  std::vector<double> w(out * in), wq(out * in), xs(n * in), mean_x(in, 0.0);
  for (auto& v : w) v = d(gen);
  for (std::size_t i = 0; i < w.size(); ++i) wq[i] = std::round(w[i] * 8.0) / 8.0;
  for (auto& v : xs) v = d(gen);
  std::vector<double> ey(out, 0.0), eq(out, 0.0);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < out; ++j)
      for (std::size_t i = 0; i < in; ++i) {
        ey[j] += w[j * in + i] * xs[r * in + i] / dn;
        eq[j] += wq[j * in + i] * xs[r * in + i] / dn;
      }
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t i = 0; i < in; ++i) mean_x[i] += xs[r * in + i] / dn;
  const std::vector<double> b = {0.1, -0.2, 0.3, 0.0};
  const auto W = view::contiguous(w.data(), {4, 6}), Wq = view::contiguous(wq.data(), {4, 6});
  const auto a1 = corrected_bias(b, W, Wq, mean_x);
  const auto a2 = corrected_bias_from_outputs(b, ey, eq);
  for (std::size_t j = 0; j < out; ++j) CHECK(a1[j] == Approx(a2[j]).margin(1e-12));
}

TEST_CASE("support-weighted group correction equals the pooled correction",
          "[quantize][bias][group]") {
  // Linearity: sum_g n_g (Wq-W) E_g[x] / N = (Wq-W) (sum_g n_g E_g[x] / N) = (Wq-W) E[x].
  double w[] = {1, -2, 0.5, 3, 0, 1}, wq[] = {1.25, -2, 0.5, 2.75, 0.25, 1};
  const std::vector<std::vector<double>> gm = {{1, 2, 3}, {-1, 0, 4}, {0.5, 0.5, 0.5}};
  const std::vector<double> n = {10, 30, 60}, b = {0.0, 1.0};
  std::vector<double> pooled(3, 0.0);
  for (std::size_t g = 0; g < 3; ++g)
    for (std::size_t i = 0; i < 3; ++i) pooled[i] += n[g] * gm[g][i] / 100.0;
  const auto W = view::contiguous(w, {2, 3}), Wq = view::contiguous(wq, {2, 3});
  const auto r =
      group_corrected_bias(b, W, Wq, gm, {.rule = group_combine::support_weighted, .support = n});
  const auto p = corrected_bias(b, W, Wq, pooled);
  REQUIRE(r.corrected_bias.size() == 2);
  for (std::size_t j = 0; j < 2; ++j) CHECK(r.corrected_bias[j] == Approx(p[j]).margin(1e-12));
  REQUIRE(r.per_group_error.size() == 3);
  // Group 0 by hand, E_0[x] = [1, 2, 3]: Wq - W = [[0.25, 0, 0], [-0.25, 0.25, 0]],
  // err_0 = 0.25*1 = 0.25, err_1 = -0.25*1 + 0.25*2 = 0.25; b - err = [-0.25, 0.75].
  CHECK(r.per_group_error[0] == std::vector<double>{0.25, 0.25});
  CHECK(r.per_group_bias[0] == std::vector<double>{-0.25, 0.75});
}

TEST_CASE("minimax group correction takes the midrange and bounds the worst residual",
          "[quantize][bias][group]") {
  // Errors g0 = [1, 0], g1 = [3, -2], g2 = [2, -1]: midrange [2, -1]; residuals max |e - c| = [1,
  // 1].
  const std::vector<double> b = {10, 20};
  const auto r =
      combine_group_errors(b, {{1, 0}, {3, -2}, {2, -1}}, {.rule = group_combine::minimax});
  CHECK(r.combined_error == std::vector<double>{2, -1});
  CHECK(r.corrected_bias == std::vector<double>{8, 21});
  CHECK(r.worst_residual == std::vector<double>{1, 1});
  const auto s =
      combine_group_errors(b, {{1, 0}, {3, -2}}, {.rule = group_combine::single_group, .group = 1});
  CHECK(s.corrected_bias == std::vector<double>{7, 22});
  CHECK(s.worst_residual == std::vector<double>{2, 2});
}

TEST_CASE("group correction from output means uses each group's shift", "[quantize][bias][group]") {
  // g0: E[yq]-E[y] = [0.5], g1: [-0.5]; supports 1 and 3 -> c = (0.5 - 1.5)/4 = -0.25, b' = 1.25.
  const std::vector<double> b = {1.0};
  const std::vector<std::vector<double>> yf = {{1.0}, {2.0}}, yq = {{1.5}, {1.5}};
  const std::vector<double> n = {1, 3};
  const auto r = group_corrected_bias_from_outputs(
      b, yf, yq, {.rule = group_combine::support_weighted, .support = n});
  CHECK(r.corrected_bias == std::vector<double>{1.25});
}

TEST_CASE("bias correction refuses mismatched shapes and non-finite data",
          "[quantize][bias][errors]") {
  double w[] = {1, 2, 3, 4}, wq[] = {1, 2, 3};
  const std::vector<double> mx = {1, 1};
  CHECK_THROWS_AS(
      expected_output_error(view::contiguous(w, {2, 2}), view::contiguous(wq, {1, 3}), mx),
      fairgate::error);
  CHECK_THROWS_AS(expected_output_error(view::contiguous(w, {2, 2}), view::contiguous(w, {2, 2}),
                                        std::vector<double>{1}),
                  fairgate::error);
  const std::vector<double> bad = {1, std::numeric_limits<double>::quiet_NaN()};
  CHECK_THROWS_AS(
      expected_output_error(view::contiguous(w, {2, 2}), view::contiguous(w, {2, 2}), bad),
      fairgate::error);
  CHECK_THROWS_AS(combine_group_errors({}, {{1.0}, {1.0, 2.0}}, {}), fairgate::error);
  CHECK_THROWS_AS(combine_group_errors({}, {{1.0}}, {.rule = group_combine::support_weighted}),
                  fairgate::error);
  const std::vector<double> zero = {0.0};
  CHECK_THROWS_AS(combine_group_errors({}, {{1.0}}, {.support = zero}), fairgate::error);
}
