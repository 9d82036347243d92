// The branch-free exp/log1p behind the vectorised penalty kernels: bit
// identity with math::exp, accuracy of log1p_unit against long double, and
// the same bits from the baseline and the AVX2 row loops.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fairgate/math/branchless.hpp>
#include <fairgate/math/deterministic.hpp>
#include <fairgate/objectives/penalties.hpp>

#include "random_inputs.hpp"

namespace fm = fairgate::math;
namespace fo = fairgate::objectives;

namespace {
std::uint64_t bits(double x) {
  return std::bit_cast<std::uint64_t>(x);
}
}  // namespace

TEST_CASE("exp_branchless gives math::exp's bits on a million inputs across the whole range") {
  fairgate::rng::stream s(41, fairgate::rng::purposes::test);
  std::size_t mismatches = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    // Uniform over [-760, 720): covers overflow, the normal range, subnormal results and 0.
    const double x = 1480.0 * unit(s) - 760.0;
    mismatches += bits(fm::exp_branchless(x)) != bits(fm::exp(x)) ? 1 : 0;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("exp_branchless handles the edges exactly as math::exp does") {
  const double inf = std::numeric_limits<double>::infinity();
  for (double x : {0.0, -0.0, 1.0, -1.0, 0.5 * 0.6931471805599453, 709.782712893384,
                   709.7827128933841, 709.78, -745.1332191019412, -745.1332191019413, -745.0,
                   -708.4, -1e-300, 1e-300, 1e6, -1e6, inf, -inf}) {
    INFO("x = " << x);
    CHECK(bits(fm::exp_branchless(x)) == bits(fm::exp(x)));
  }
  CHECK(std::isnan(fm::exp_branchless(std::numeric_limits<double>::quiet_NaN())));
  CHECK(fm::exp_branchless(inf) == inf);
  CHECK(fm::exp_branchless(-inf) == 0.0);
}

TEST_CASE("floor_branchless is floor on integers, halves and neighbours") {
  for (double y :
       {0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
        1023.5, -1074.5, 3.0000000000000004, -3.0000000000000004}) {
    INFO("y = " << y);
    CHECK(fm::floor_branchless(y) == std::floor(y));
  }
}

TEST_CASE("log1p_unit is within 2 ulp of log1p in long double on [0, 1]") {
  fairgate::rng::stream s(42, fairgate::rng::purposes::test);
  double worst_ulp = 0.0;
  std::vector<double> xs = {0.0, 1e-300, 1e-17, 1e-9, 0.25, 0.5, 0.49999999999999994, 1.0};
  for (int i = 0; i < 200'000; ++i) xs.push_back(unit(s));
  for (int i = 0; i < 20'000; ++i) xs.push_back(std::ldexp(unit(s), -static_cast<int>(i % 60)));
  for (double u : xs) {
    const long double ref = std::log1p(static_cast<long double>(u));
    const double got = fm::log1p_unit(u);
    if (ref == 0.0L) {
      CHECK(got == 0.0);
      continue;
    }
    const double ulp = std::nextafter(static_cast<double>(ref), 2.0) - static_cast<double>(ref);
    worst_ulp =
        std::max(worst_ulp, static_cast<double>(std::fabs(static_cast<long double>(got) - ref) /
                                                static_cast<long double>(ulp)));
  }
  INFO("worst error: " << worst_ulp << " ulp");
  CHECK(worst_ulp <= 2.0);
}

TEST_CASE("Branch-free relaxations equal their defining formulas") {
  // σ(x) = 1/(1+e^{-x}), softplus(x)/log 2, hinge max(0, 1 + x): compared in long double.
  for (double x : {-40.0, -5.0, -1.0, -0.3, 0.0, 0.3, 1.0, 5.0, 40.0}) {
    const long double xl = x;
    const long double sig = 1.0L / (1.0L + std::exp(-xl));
    const long double sp = std::log1p(std::exp(xl)) / std::log(2.0L);
    const auto s = fo::relaxation{fo::relaxation_kind::sigmoid, 1.0}.at(x);
    const auto p = fo::relaxation{fo::relaxation_kind::softplus, 1.0}.at(x);
    const auto h = fo::relaxation{fo::relaxation_kind::hinge, 1.0}.at(x);
    INFO("x = " << x);
    CHECK(s.value == Approx(static_cast<double>(sig)).epsilon(1e-15));
    // σ(x)(1 − σ(x)) = e^{−|x|}/(1 + e^{−|x|})², without the cancellation of 1 − σ.
    const long double e = std::exp(-std::fabs(xl));
    CHECK(s.slope == Approx(static_cast<double>(e / ((1.0L + e) * (1.0L + e)))).epsilon(1e-14));
    CHECK(p.value == Approx(static_cast<double>(sp)).epsilon(1e-15));
    CHECK(p.slope == Approx(static_cast<double>(sig / std::log(2.0L))).epsilon(1e-15));
    CHECK(h.value == std::max(0.0, 1.0 + x));
  }
}

#if FAIRGATE_OBJECTIVES_HAVE_AVX2
TEST_CASE("The baseline and AVX2 row loops give the same bits") {
  if (!fo::detail::use_avx2()) return;
  const auto p = make_problem(1000, 5, 17);
  std::vector<double> v1(p.scores.size()), d1(p.scores.size()), v2(p.scores.size()),
      d2(p.scores.size());
  for (auto kind :
       {fo::relaxation_kind::sigmoid, fo::relaxation_kind::hinge, fo::relaxation_kind::softplus}) {
    fo::detail::with_relaxation(fo::relaxation{kind, 0.3}, [&](const auto& f) {
      const auto b1 = fo::detail::row_block_generic<true>(
          p.scores.data(), p.labels.data(), p.groups.data(), p.weights.data(), p.scores.size(),
          p.n_groups, f, v1.data(), d1.data());
      const auto b2 = fo::detail::row_block_avx2<true>(
          p.scores.data(), p.labels.data(), p.groups.data(), p.weights.data(), p.scores.size(),
          p.n_groups, f, v2.data(), d2.data());
      CHECK(b1 == 0);
      CHECK(b2 == 0);
      return 0;
    });
    for (std::size_t i = 0; i < v1.size(); ++i) {
      CHECK(bits(v1[i]) == bits(v2[i]));
      CHECK(bits(d1[i]) == bits(d2[i]));
    }
  }
}
#endif

TEST_CASE("u8 group codes give the same penalty and gradient as u32 codes") {
  const auto p = make_problem(700, 6, 23);
  const std::vector<std::uint8_t> g8(p.groups.begin(), p.groups.end());
  std::vector<double> a(p.scores.size()), b(p.scores.size());
  fo::penalty_options opt;
  opt.relax = {fo::relaxation_kind::softplus, 0.5};
  const auto r32 = fo::equalized_odds(
      fo::penalty_inputs<double>{p.scores, p.labels, p.groups, p.weights, p.n_groups}, opt,
      fo::odds_aggregate::sum, std::span<double>(a));
  const auto r8 = fo::equalized_odds(
      fo::penalty_inputs<double, std::uint8_t>{p.scores, p.labels, g8, p.weights, p.n_groups}, opt,
      fo::odds_aggregate::sum, std::span<double>(b));
  CHECK(r32.value == r8.value);
  CHECK(a == b);
}
