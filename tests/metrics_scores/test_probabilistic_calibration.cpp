// Log-loss, Brier score and calibration: hand cases, properties, errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/probabilistic.hpp>

#include "metrics_scores/scores_helpers.hpp"

namespace fm = fairgate::metrics;
using fgtest::sp;

TEST_CASE("log-loss is the mean negative log-likelihood per group", "[log_loss][hand]") {
  // group 0: (0.8,1) (0.4,0) (0.5,1): -(ln 0.8 + ln 0.6 + ln 0.5) / 3
  // group 1: (0.1,0): -ln 0.9.  overall: the four terms / 4.
  const std::vector<double> s = {0.8, 0.4, 0.5, 0.1};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 1};
  const auto r = fm::log_loss(sp(s), sp(y), sp(g), 3);
  CHECK(r.groups[0].value ==
        Approx(-(std::log(0.8) + std::log(0.6) + std::log(0.5)) / 3).epsilon(1e-14));
  CHECK(r.groups[1].value == Approx(-std::log(0.9)).epsilon(1e-14));
  CHECK(
      r.overall.value ==
      Approx(-(std::log(0.8) + std::log(0.6) + std::log(0.5) + std::log(0.9)) / 4).epsilon(1e-14));
  CHECK_FALSE(r.groups[2].defined);  // no rows
  CHECK(std::isnan(r.groups[2].value));
  CHECK(r.groups[0].count == 3);
}

TEST_CASE("log-loss clips probabilities at machine epsilon like sklearn 1.2", "[log_loss][hand]") {
  // p = 0 with y = 1 and p = 1 with y = 0 are clipped to eps = 2^-52 (float64)
  // or 2^-23 (float32): each row's loss is -ln(2^-52) = 52 ln 2 (23 ln 2).
  const std::vector<std::uint8_t> y = {1, 0};
  const std::vector<std::uint8_t> g = {0, 0};
  const std::vector<double> s64 = {0.0, 1.0};
  const std::vector<float> s32 = {0.0f, 1.0f};
  CHECK(fm::log_loss(sp(s64), sp(y), sp(g), 1).overall.value ==
        Approx(52 * std::log(2.0)).epsilon(1e-14));
  CHECK(fm::log_loss(sp(s32), sp(y), sp(g), 1).overall.value ==
        Approx(23 * std::log(2.0)).epsilon(1e-14));
  // Pre-1.2 sklearn: eps = 1e-15. Row 1 loses -ln(1e-15); row 2 is clipped to
  // the double 1 - 1e-15, whose distance to 1 is not exactly 1e-15.
  const auto old = fm::log_loss(sp(s64), sp(y), sp(g), 1, std::span<const double>{}, 1e-15);
  CHECK(old.groups[0].value ==
        Approx(-(std::log(1e-15) + std::log(1.0 - (1.0 - 1e-15))) / 2).epsilon(1e-13));
  // eps = 0: the loss is infinite, not an error.
  CHECK(std::isinf(
      fm::log_loss(sp(s64), sp(y), sp(g), 1, std::span<const double>{}, 0.0).overall.value));
}

TEST_CASE("Brier score is the weighted mean squared error of the probability", "[brier][hand]") {
  // group 0: (0.8,1) (0.4,0) (0.5,1): (0.04 + 0.16 + 0.25) / 3 = 0.15
  //   weights (1,2,1): (0.04 + 0.32 + 0.25) / 4 = 0.1525
  // group 1: (0.1,0): 0.01.  overall unweighted: 0.46 / 4 = 0.115
  const std::vector<double> s = {0.8, 0.4, 0.5, 0.1};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 1};
  const std::vector<double> w = {1, 2, 1, 0};
  const auto r = fm::brier_score(sp(s), sp(y), sp(g), 2);
  CHECK(r.groups[0].value == Approx(0.15).epsilon(1e-15));
  CHECK(r.groups[1].value == Approx(0.01).epsilon(1e-15));
  CHECK(r.overall.value == Approx(0.115).epsilon(1e-15));
  const auto rw = fm::brier_score(sp(s), sp(y), sp(g), 2, sp(w));
  CHECK(rw.groups[0].value == Approx(0.1525).epsilon(1e-15));
  CHECK_FALSE(rw.groups[1].defined);  // total weight 0
  CHECK(rw.groups[1].count == 1);
}

TEST_CASE("losses are bit-identical under permutation and with unit weights",
          "[log_loss][brier][property]") {
  const auto r = fgtest::random_rows(21, 5000, 7, 0);
  const auto p = fgtest::permuted(r, 3);
  const std::vector<double> ones(r.score.size(), 1.0);
  for (int which = 0; which < 2; ++which) {
    auto run = [&](const fgtest::rows& x, std::span<const double> w) {
      return which == 0 ? fm::log_loss(sp(x.score), sp(x.label), sp(x.group), 7, w)
                        : fm::brier_score(sp(x.score), sp(x.label), sp(x.group), 7, w);
    };
    const auto a = run(r, sp(r.weight)), b = run(p, sp(p.weight));
    const auto u = run(r, {}), u1 = run(r, sp(ones));
    for (std::size_t k = 0; k < 7; ++k) {
      CHECK(fgtest::same_bits(a.groups[k].value, b.groups[k].value));
      CHECK(fgtest::same_bits(u.groups[k].value, u1.groups[k].value));
    }
    CHECK(fgtest::same_bits(a.overall.value, b.overall.value));
    CHECK(fgtest::same_bits(u.overall.value, u1.overall.value));
  }
}

TEST_CASE("log-loss with integer weights equals repeated rows", "[log_loss][property]") {
  const auto r = fgtest::random_rows(22, 800, 3, 0);
  fgtest::rows rep;
  std::vector<double> iw;
  fairgate::rng::stream st(2, fairgate::rng::purposes::test, 5);
  for (std::size_t i = 0; i < r.score.size(); ++i) {
    const std::uint32_t c = fgtest::below(st, 4);
    iw.push_back(c);
    for (std::uint32_t k = 0; k < c; ++k) {
      rep.score.push_back(r.score[i]);
      rep.label.push_back(r.label[i]);
      rep.group.push_back(r.group[i]);
    }
  }
  const auto a = fm::log_loss(sp(r.score), sp(r.label), sp(r.group), 3, sp(iw));
  const auto b = fm::log_loss(sp(rep.score), sp(rep.label), sp(rep.group), 3);
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(fgtest::same_bits(a.groups[k].value, b.groups[k].value));
}

TEST_CASE("uniform calibration bins reproduce sklearn's documented example",
          "[calibration][hand]") {
  // sklearn calibration_curve docstring: y = [0,0,0,0,1,1,1,1,1],
  // p = [.1,.2,.3,.4,.65,.7,.8,.9,1], n_bins = 3 -> edges 0, 1/3, 2/3, 1:
  //   bin 0 {.1,.2,.3}: frac 0, mean .2;  bin 1 {.4,.65}: frac .5, mean .525;
  //   bin 2 {.7,.8,.9,1}: frac 1, mean .85.
  // ECE = 3/9*.2 + 2/9*.025 + 4/9*.15 = 1.25/9; MCE = .2;
  // calibration-in-the-large = 5.05/9 - 5/9 = .05/9.
  const std::vector<double> s = {.1, .2, .3, .4, .65, .7, .8, .9, 1.};
  const std::vector<std::uint8_t> y = {0, 0, 0, 0, 1, 1, 1, 1, 1};
  const std::vector<std::uint8_t> g(9, 0);
  const auto c = fm::calibration(sp(s), sp(y), sp(g), 1, 3, fm::binning::uniform).groups[0];
  REQUIRE(c.bins.size() == 3);
  CHECK(c.bins[0].count == 3);
  CHECK(c.bins[1].count == 2);
  CHECK(c.bins[2].count == 4);
  CHECK(c.bins[0].fraction_positive == 0.0);
  CHECK(c.bins[1].fraction_positive == 0.5);
  CHECK(c.bins[2].fraction_positive == 1.0);
  CHECK(c.bins[0].mean_predicted == Approx(0.2).epsilon(1e-15));
  CHECK(c.bins[1].mean_predicted == Approx(0.525).epsilon(1e-15));
  CHECK(c.bins[2].mean_predicted == Approx(0.85).epsilon(1e-15));
  CHECK(c.ece == Approx(1.25 / 9).epsilon(1e-14));
  CHECK(c.mce == Approx(0.2).epsilon(1e-14));
  CHECK(c.calibration_in_the_large == Approx(0.05 / 9).epsilon(1e-12));
  CHECK(c.bins[1].lower == 1.0 / 3.0);
  CHECK(c.bins[2].upper == 1.0);
}

TEST_CASE("quantile calibration bins use numpy's linear percentiles", "[calibration][hand]") {
  // Same 9 scores, n_bins = 3: percentile 100/3 -> virtual index 8/3 = 2.667
  //   -> .3 + .667 (.4 - .3) = .3667; 200/3 -> 5.333 -> .7 + .333 (.8 - .7) = .7333.
  // Bins {.1,.2,.3} {.4,.65,.7} {.8,.9,1}: frac 0, 2/3, 1; mean .2, 1.75/3, .9.
  const std::vector<double> s = {.1, .2, .3, .4, .65, .7, .8, .9, 1.};
  const std::vector<std::uint8_t> y = {0, 0, 0, 0, 1, 1, 1, 1, 1};
  const std::vector<std::uint8_t> g(9, 0);
  const auto c = fm::calibration(sp(s), sp(y), sp(g), 1, 3, fm::binning::quantile).groups[0];
  CHECK(c.bins[0].lower == 0.1);
  CHECK(c.bins[1].lower == Approx(0.3 + (2.0 / 3.0) * 0.1).epsilon(1e-14));
  CHECK(c.bins[2].lower == Approx(0.7 + (1.0 / 3.0) * 0.1).epsilon(1e-14));
  CHECK(c.bins[2].upper == 1.0);
  CHECK(c.bins[0].count == 3);
  CHECK(c.bins[1].count == 3);
  CHECK(c.bins[2].count == 3);
  CHECK(c.bins[1].fraction_positive == Approx(2.0 / 3.0).epsilon(1e-15));
  CHECK(c.bins[1].mean_predicted == Approx(1.75 / 3.0).epsilon(1e-15));
  CHECK(c.bins[2].mean_predicted == Approx(0.9).epsilon(1e-15));
}

TEST_CASE("a score equal to an inner edge falls in the lower bin", "[calibration][edge]") {
  // n_bins = 2, edge 0.5: searchsorted(left) puts 0.5 in bin 0; 0 in bin 0, 1 in bin 1.
  const std::vector<double> s = {0.0, 0.5, 1.0};
  const std::vector<std::uint8_t> y = {0, 1, 1};
  const std::vector<std::uint8_t> g(3, 0);
  const auto c = fm::calibration(sp(s), sp(y), sp(g), 1, 2, fm::binning::uniform).groups[0];
  CHECK(c.bins[0].count == 2);
  CHECK(c.bins[1].count == 1);
}

TEST_CASE("duplicate quantile edges leave the bins between them empty", "[calibration][edge]") {
  // Ten scores .5 and one .9, n_bins = 4: virtual indices 2.5, 5, 7.5 all hit .5,
  // so edges are .5 .5 .5 .5 .9; .5 -> bin 0, .9 -> bin 3; bins 1, 2 empty.
  std::vector<double> s(10, 0.5);
  s.push_back(0.9);
  std::vector<std::uint8_t> y(11, 0);
  y[10] = 1;
  const std::vector<std::uint8_t> g(11, 0);
  const auto c = fm::calibration(sp(s), sp(y), sp(g), 1, 4, fm::binning::quantile).groups[0];
  CHECK(c.bins[0].count == 10);
  CHECK_FALSE(c.bins[1].nonempty);
  CHECK_FALSE(c.bins[2].nonempty);
  CHECK(c.bins[3].count == 1);
  // ECE = 10/11 * .5 + 1/11 * .1; MCE = .5.
  CHECK(c.ece == Approx((10.0 * 0.5 + 0.1) / 11.0).epsilon(1e-14));
  CHECK(c.mce == 0.5);
}

TEST_CASE("calibration is bit-identical under permutation and with unit weights",
          "[calibration][property]") {
  const auto r = fgtest::random_rows(23, 4000, 5, 0);
  const auto p = fgtest::permuted(r, 9);
  const std::vector<double> ones(r.score.size(), 1.0);
  for (auto strat : {fm::binning::uniform, fm::binning::quantile}) {
    const auto a =
        fm::calibration(sp(r.score), sp(r.label), sp(r.group), 5, 10, strat, sp(r.weight));
    const auto b =
        fm::calibration(sp(p.score), sp(p.label), sp(p.group), 5, 10, strat, sp(p.weight));
    const auto u = fm::calibration(sp(r.score), sp(r.label), sp(r.group), 5, 10, strat);
    const auto u1 = fm::calibration(sp(r.score), sp(r.label), sp(r.group), 5, 10, strat, sp(ones));
    for (std::size_t k = 0; k < 5; ++k) {
      CHECK(fgtest::same_bits(a.groups[k].ece, b.groups[k].ece));
      CHECK(fgtest::same_bits(u.groups[k].ece, u1.groups[k].ece));
      CHECK(fgtest::same_bits(a.groups[k].calibration_in_the_large,
                              b.groups[k].calibration_in_the_large));
      for (std::size_t j = 0; j < 10; ++j) {
        CHECK(fgtest::same_bits(a.groups[k].bins[j].mean_predicted,
                                b.groups[k].bins[j].mean_predicted));
        CHECK(fgtest::same_bits(u.groups[k].bins[j].mean_predicted,
                                u1.groups[k].bins[j].mean_predicted));
      }
    }
    CHECK(fgtest::same_bits(a.overall.mce, b.overall.mce));
  }
}

TEST_CASE("probability kernels reject scores outside [0, 1] and bad parameters",
          "[calibration][errors]") {
  const std::vector<double> s = {0.1, 1.5};
  const std::vector<std::uint8_t> y = {0, 1};
  const std::vector<std::uint8_t> g = {0, 0};
  auto expect = [](auto&& f, fairgate::errc code, const char* frag) {
    try {
      f();
      FAIL("expected fairgate::error");
    } catch (const fairgate::error& e) {
      CHECK(e.code() == code);
      CHECK_THAT(e.what(), Catch::Matchers::Contains(frag));
    }
  };
  expect([&] { (void)fm::log_loss(sp(s), sp(y), sp(g), 1); }, fairgate::errc::out_of_range,
         "scores[1] = 1.5: probabilities must lie in [0, 1]");
  expect([&] { (void)fm::brier_score(sp(s), sp(y), sp(g), 1); }, fairgate::errc::out_of_range,
         "scores[1]");
  expect([&] { (void)fm::calibration(sp(s), sp(y), sp(g), 1, 5, fm::binning::uniform); },
         fairgate::errc::out_of_range, "scores[1]");
  const std::vector<double> ok = {0.1, 0.5};
  expect([&] { (void)fm::calibration(sp(ok), sp(y), sp(g), 1, 0, fm::binning::quantile); },
         fairgate::errc::invalid_argument, "n_bins");
  expect([&] { (void)fm::log_loss(sp(ok), sp(y), sp(g), 1, std::span<const double>{}, 0.7); },
         fairgate::errc::invalid_argument, "eps");
}
