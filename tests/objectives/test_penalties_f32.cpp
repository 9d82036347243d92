// The single-precision penalty kernel (f32 scores, f32 gradient): accuracy of
// its f32 exp/log1p, agreement with the f64 kernel (itself checked against
// finite differences in test_gradients.cpp), the same bits from its baseline
// and AVX2 loops, both summation layouts, and errors that leave the gradient
// untouched.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fairgate/math/branchless_f32.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/objectives/penalties.hpp>

#include "random_inputs.hpp"

namespace fm = fairgate::math;
namespace fo = fairgate::objectives;

namespace {

// Distance in units in the last place of float `got` from the double `want`.
double ulps(float got, double want) {
  const float w = static_cast<float>(want);
  const double ulp = static_cast<double>(std::nextafter(w, std::numeric_limits<float>::infinity())) -
                     static_cast<double>(w);
  return std::fabs(static_cast<double>(got) - want) / ulp;
}

struct f32_problem {
  std::vector<float> scores, weights;
  std::vector<std::uint8_t> labels;
  std::vector<std::uint32_t> groups;
  std::uint32_t n_groups;
  std::vector<double> scores64, weights64;  // the same values, widened
};

f32_problem make_f32(std::size_t n, std::uint32_t n_groups, std::uint32_t seed) {
  const auto p = make_problem(n, n_groups, seed);
  f32_problem q;
  q.n_groups = n_groups;
  q.labels = p.labels;
  q.groups = p.groups;
  for (std::size_t i = 0; i < n; ++i) {
    q.scores.push_back(static_cast<float>(p.scores[i]));
    q.weights.push_back(static_cast<float>(p.weights[i]));
  }
  q.scores64.assign(q.scores.begin(), q.scores.end());
  q.weights64.assign(q.weights.begin(), q.weights.end());
  return q;
}

// Runs `penalty` through the f32 kernel and through the f64 kernel on the same
// (widened) values; checks the values to 2e-6 relative and every gradient
// entry to 2e-6 of the largest gradient magnitude (f32 carries 6e-8 per
// operation; the partial sums and the relaxation add a few ulp each).
template <class Penalty>
void check_against_f64(const f32_problem& q, bool weighted, Penalty&& penalty) {
  const std::size_t n = q.scores.size();
  std::vector<float> g32(n, 7.0f);
  std::vector<double> g64(n);
  const fo::penalty_inputs<float> in32{q.scores, q.labels, q.groups,
                                       weighted ? std::span<const float>(q.weights)
                                                : std::span<const float>(),
                                       q.n_groups};
  const fo::penalty_inputs<double> in64{q.scores64, q.labels, q.groups,
                                        weighted ? std::span<const double>(q.weights64)
                                                 : std::span<const double>(),
                                        q.n_groups};
  const double v32 = penalty(in32, std::span<float>(g32));
  const double v64 = penalty(in64, std::span<double>(g64));
  CHECK(std::fabs(v32 - v64) <= 2e-6 * std::max(1.0, std::fabs(v64)));
  double scale = 0.0;
  for (double g : g64) scale = std::max(scale, std::fabs(g));
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(g32[i]) - g64[i]));
  CHECK(worst <= 2e-6 * std::max(scale, 1e-30));
}

}  // namespace

TEST_CASE("exp_neg_f32 is within 2 ulp of e^-a across its range") {
  double worst = 0.0;
  for (int i = 0; i <= 200000; ++i) {
    const float a = static_cast<float>(i) * (87.0f / 200000.0f);
    worst = std::max(worst, ulps(fm::exp_neg_f32(a), fm::exp(-static_cast<double>(a))));
  }
  CHECK(worst <= 2.0);
  // Saturation: e^{-87} for anything larger, never zero or subnormal.
  CHECK(fm::exp_neg_f32(1000.0f) == fm::exp_neg_f32(87.0f));
  CHECK(fm::exp_neg_f32(0.0f) == 1.0f);
}

TEST_CASE("log1p_unit_f32 is within 3 ulp of log(1 + u) on [0, 1]") {
  double worst = 0.0;
  for (int i = 0; i <= 100000; ++i) {
    const float u = static_cast<float>(i) / 100000.0f;
    worst = std::max(worst, ulps(fm::log1p_unit_f32(u), fm::log1p(static_cast<double>(u))));
  }
  CHECK(worst <= 3.0);
}

TEST_CASE("The f32 kernel agrees with the f64 kernel on every penalty, both sum layouts") {
  // 5 groups: compare-and-add sums (≤ 16 slots, also for equalized odds);
  // 20 groups: the f64 scatter (20 and 40 slots). 1000 rows: a partial block.
  for (std::uint32_t groups : {5u, 20u}) {
    const auto q = make_f32(1000, groups, 41 + groups);
    for (bool weighted : {false, true}) {
      for (auto kind : {fo::relaxation_kind::sigmoid, fo::relaxation_kind::hinge,
                        fo::relaxation_kind::softplus}) {
        for (auto form : {fo::gap_form::max_minus_min, fo::gap_form::sum_squared_to_overall}) {
          fo::penalty_options opt;
          opt.relax = {kind, 0.7};
          opt.form = form;
          CAPTURE(groups, weighted, static_cast<int>(kind), static_cast<int>(form));
          check_against_f64(q, weighted, [&](const auto& in, auto g) {
            return fo::demographic_parity(in, opt, g).value;
          });
          check_against_f64(q, weighted, [&](const auto& in, auto g) {
            return fo::equal_opportunity(in, opt, g).value;
          });
          check_against_f64(q, weighted, [&](const auto& in, auto g) {
            return fo::equalized_odds(in, opt, fo::odds_aggregate::sum, g).value;
          });
        }
      }
      CAPTURE(groups, weighted);
      check_against_f64(q, weighted, [&](const auto& in, auto g) {
        return fo::calibration_gap(in, fo::gap_form::max_abs_to_overall, g).value;
      });
      check_against_f64(q, weighted, [&](const auto& in, auto g) {
        return fo::loss_equalisation(in, fo::gap_form::hinge_squared_to_overall, 0.01, g).value;
      });
    }
  }
}

TEST_CASE("The f32 kernel is invariant to row order up to its fixed-order rounding") {
  // Reversing the rows changes which lane and block each row sums in, so the
  // bits may differ, but only at the level of f32 partial sums.
  const auto q = make_f32(777, 4, 5);
  auto r = q;
  std::reverse(r.scores.begin(), r.scores.end());
  std::reverse(r.labels.begin(), r.labels.end());
  std::reverse(r.groups.begin(), r.groups.end());
  std::vector<float> ga(777), gb(777);
  const fo::penalty_options opt;
  const auto a = fo::demographic_parity(
      fo::penalty_inputs<float>{q.scores, q.labels, q.groups, {}, 4}, opt, std::span<float>(ga));
  const auto b = fo::demographic_parity(
      fo::penalty_inputs<float>{r.scores, r.labels, r.groups, {}, 4}, opt, std::span<float>(gb));
  CHECK(std::fabs(a.value - b.value) <= 1e-6 * std::max(1e-3, a.value));
  // The gradient is per row: equal up to the factor's rounding.
  for (std::size_t i = 0; i < ga.size(); ++i)
    CHECK(std::fabs(ga[i] - gb[776 - i]) <= 1e-5f * std::max(1e-6f, std::fabs(ga[i])));
}

TEST_CASE("Invalid rows are rejected by the f32 kernel before the gradient is written") {
  auto q = make_f32(300, 3, 9);
  std::vector<float> g(300, 42.0f);
  const fo::penalty_options opt;
  auto run = [&] {
    return fo::demographic_parity(fo::penalty_inputs<float>{q.scores, q.labels, q.groups, {}, 3},
                                  opt, std::span<float>(g));
  };
  q.scores[257] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(run(), Catch::Contains("scores[257]"));
  CHECK(std::all_of(g.begin(), g.end(), [](float x) { return x == 42.0f; }));
  q.scores[257] = 0.5f;
  q.groups[299] = 3;
  CHECK_THROWS_WITH(run(), Catch::Contains("groups[299]"));
  CHECK(std::all_of(g.begin(), g.end(), [](float x) { return x == 42.0f; }));
  q.groups[299] = 0;
  fo::penalty_options tiny;
  tiny.relax.temperature = 1e-300;  // valid in f64, but 1/τ overflows a float
  CHECK_THROWS_WITH(
      fo::demographic_parity(fo::penalty_inputs<float>{q.scores, q.labels, q.groups, {}, 3}, tiny,
                             std::span<float>(g)),
      Catch::Contains("too small for f32"));
}

TEST_CASE("The f32 kernel matches a hand computation with the hinge relaxation") {
  // τ = 1, hinge h(s) = max(0, 1 + s). Group 0: s = 0, −2 → h = 1, 0, mean 0.5.
  // Group 1: s = 1, 1 → h = 2, 2, mean 2. max − min = 1.5, attained by group 1
  // (max) and group 0 (min): dV/ds_i = h'(s_i) · (+1/2) for group 1 rows and
  // h'(s_i) · (−1/2) for group 0 rows; h'(−2) = 0.
  const std::vector<float> s{0.0f, -2.0f, 1.0f, 1.0f};
  const std::vector<std::uint8_t> y{0, 1, 0, 1};
  const std::vector<std::uint32_t> grp{0, 0, 1, 1};
  std::vector<float> g(4);
  fo::penalty_options opt;
  opt.relax = {fo::relaxation_kind::hinge, 1.0};
  const auto r =
      fo::demographic_parity(fo::penalty_inputs<float>{s, y, grp, {}, 2}, opt, std::span<float>(g));
  CHECK(r.value == 1.5);
  CHECK(g == std::vector<float>{-0.5f, -0.0f, 0.5f, 0.5f});
}

#if FAIRGATE_OBJECTIVES_HAVE_AVX2
TEST_CASE("The f32 kernel's baseline, AVX2 and AVX-512 loops give the same bits") {
  if (fo::detail::f32_isa_in_use() == fo::detail::f32_isa::baseline) return;
  const auto q = make_f32(fo::detail::f32_block, 6, 77);
  using fo::detail::slot_mode;
  for (auto kind : {fo::row_kind_f32::sigmoid, fo::row_kind_f32::hinge, fo::row_kind_f32::softplus,
                    fo::row_kind_f32::calibration, fo::row_kind_f32::log_loss}) {
    fo::with_row_f32(fo::row_fn_f32{kind, 1.7f}, [&](const auto& f) {
      fo::detail::f32_block_rows a{}, b{};
      const std::size_t m = q.scores.size();
      CHECK(fo::detail::f32_rows_generic<true, slot_mode::by_label>(
                q.scores.data(), q.labels.data(), q.groups.data(), q.weights.data(), m, 6, f, a) ==
            0);
      CHECK(fo::detail::f32_rows_avx2<true, slot_mode::by_label>(
                q.scores.data(), q.labels.data(), q.groups.data(), q.weights.data(), m, 6, f, b) ==
            0);
      for (std::size_t k = 0; k < m; ++k) {
        CHECK(std::bit_cast<std::uint32_t>(a.v[k]) == std::bit_cast<std::uint32_t>(b.v[k]));
        CHECK(a.slot[k] == b.slot[k]);
      }
      constexpr std::size_t L = fo::detail::f32_lanes;
      std::vector<double> n1(L * 12, 0.5), w1(L * 12, 0.25), n2 = n1, w2 = w1, n3 = n1, w3 = w1;
      std::vector<std::uint64_t> c1(12, 0), c2(12, 0), c3(12, 0);
      const bool avx512 = fo::detail::f32_isa_in_use() == fo::detail::f32_isa::avx512;
      fo::detail::f32_slot_sums_generic<true>(a, m, 12, n1.data(), w1.data(), c1.data());
      fo::detail::f32_slot_sums_avx2<true>(b, m, 12, n2.data(), w2.data(), c2.data());
      std::vector<std::uint32_t> unused;
      if (avx512) fo::detail::f32_slot_sums_avx512<true>(b, m, 12, n3.data(), w3.data(), unused.data());
      CHECK(n1 == n2);
      CHECK(w1 == w2);
      if (avx512) CHECK((n1 == n3 && w1 == w3));
      fo::detail::f32_slot_sums_generic<false>(a, m, 12, n1.data(), w1.data(), c1.data());
      fo::detail::f32_slot_sums_avx2<false>(b, m, 12, n2.data(), w2.data(), c2.data());
      std::vector<std::uint32_t> lanes(L * 12, 0);
      if (avx512)
        fo::detail::f32_slot_sums_avx512<false>(b, m, 12, n3.data(), w3.data(), lanes.data());
      for (std::size_t j = 0; j < lanes.size(); ++j) c3[j / L] += lanes[j];
      CHECK(n1 == n2);
      CHECK(c1 == c2);
      if (avx512) CHECK((n1 == n3 && c1 == c3));
      const std::vector<float> factor{0.5f, -1.25f, 3.0f, 0.1f, -0.7f, 2.0f,
                                      1.5f, 0.3f,   -2.f, 0.9f, 1.1f,  -0.4f, 0.0f};
      std::vector<float> o1(m), o2(m);
      fo::detail::f32_pass2_generic<true, slot_mode::by_label>(
          q.scores.data(), q.labels.data(), q.groups.data(), q.weights.data(), factor.data(), m,
          6, f, o1.data());
      fo::detail::f32_pass2_avx2<true, slot_mode::by_label>(
          q.scores.data(), q.labels.data(), q.groups.data(), q.weights.data(), factor.data(), m,
          6, f, o2.data());
      for (std::size_t k = 0; k < m; ++k)
        CHECK(std::bit_cast<std::uint32_t>(o1[k]) == std::bit_cast<std::uint32_t>(o2[k]));
      if (avx512) {
        fo::detail::f32_block_rows c{};
        CHECK(fo::detail::f32_rows_avx512<true, slot_mode::by_label>(
                  q.scores.data(), q.labels.data(), q.groups.data(), q.weights.data(), m, 6, f,
                  c) == 0);
        std::vector<float> o3(m);
        fo::detail::f32_pass2_avx512<true, slot_mode::by_label>(
            q.scores.data(), q.labels.data(), q.groups.data(), q.weights.data(), factor.data(), m,
            6, f, o3.data());
        for (std::size_t k = 0; k < m; ++k) {
          CHECK(std::bit_cast<std::uint32_t>(a.v[k]) == std::bit_cast<std::uint32_t>(c.v[k]));
          CHECK(std::bit_cast<std::uint32_t>(o1[k]) == std::bit_cast<std::uint32_t>(o3[k]));
        }
      }
      return 0;
    });
  }
}
#endif

TEST_CASE("The f32 kernel's streamed gradient (2^20 rows and more) equals the cached one") {
  // Above f32_stream_min_rows a 16-byte-aligned gradient is written with
  // non-temporal stores; a gradient one float off that alignment is written
  // with plain stores. The bits must not differ, the tail block included.
  const std::size_t n = fo::detail::f32_stream_min_rows + 77;
  const auto q = make_f32(n, 7, 3);
  std::vector<float> aligned(n), shifted(n + 4);
  float* base = shifted.data();
  while (reinterpret_cast<std::uintptr_t>(base) % 16 == 0) ++base;  // force the plain stores
  const fo::penalty_inputs<float> in{q.scores, q.labels, q.groups, {}, 7};
  fo::penalty_options opt;
  opt.relax = {fo::relaxation_kind::softplus, 0.4};
  const auto a = fo::equal_opportunity(in, opt, std::span<float>(aligned));
  const auto b = fo::equal_opportunity(in, opt, std::span<float>(base, n));
  CHECK(a.value == b.value);
  CHECK(std::equal(aligned.begin(), aligned.end(), base, [](float x, float y) {
    return std::bit_cast<std::uint32_t>(x) == std::bit_cast<std::uint32_t>(y);
  }));
  // Rows outside the subset (negatives) get a zero gradient.
  for (std::size_t i = 0; i < n; i += 9973)
    if (q.labels[i] == 0) CHECK(aligned[i] == 0.0f);
}

TEST_CASE("The f32 kernel handles no rows and groups without rows") {
  const std::vector<float> none;
  const std::vector<std::uint8_t> no_labels;
  const std::vector<std::uint32_t> no_groups;
  std::vector<float> g;
  const fo::penalty_options opt;
  const auto r = fo::demographic_parity(fo::penalty_inputs<float>{none, no_labels, no_groups, {}, 3},
                                        opt, std::span<float>(g));
  CHECK(r.value == 0.0);
  CHECK(r.defined == std::vector<std::uint8_t>{0, 0, 0});
  // Group 1 of 3 has no rows: it is left out, not counted as a zero rate.
  const std::vector<float> s{1.0f, -1.0f, 0.5f};
  const std::vector<std::uint8_t> y{1, 0, 1};
  const std::vector<std::uint32_t> grp{0, 2, 2};
  std::vector<float> g3(3);
  const auto r3 =
      fo::demographic_parity(fo::penalty_inputs<float>{s, y, grp, {}, 3}, opt, std::span<float>(g3));
  CHECK(r3.defined == std::vector<std::uint8_t>{1, 0, 1});
  std::vector<double> g64(3);
  const std::vector<double> s64(s.begin(), s.end());
  const auto r64 = fo::demographic_parity(fo::penalty_inputs<double>{s64, y, grp, {}, 3}, opt,
                                          std::span<double>(g64));
  CHECK(std::fabs(r3.value - r64.value) <= 1e-6);
}
