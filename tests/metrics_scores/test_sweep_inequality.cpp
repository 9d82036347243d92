// Threshold sweep (vs a naive pass per threshold) and inequality indices
// (AIF360's 10-row example, hand cases, properties, errors).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/inequality.hpp>
#include <fairgate/metrics/threshold_sweep.hpp>

#include "metrics_scores/scores_helpers.hpp"

namespace fm = fairgate::metrics;
using fgtest::sp;

namespace {

// One pass per threshold with the literal comparison score >= t.
template <class S>
void check_against_naive(const std::vector<S>& s, const std::vector<std::uint8_t>& y,
                         const std::vector<std::uint8_t>& g, std::size_t n_groups,
                         const std::vector<double>& t, const std::vector<double>* w) {
  const auto sw = w ? fm::threshold_sweep(sp(s), sp(y), sp(g), n_groups, sp(t), sp(*w))
                    : fm::threshold_sweep(sp(s), sp(y), sp(g), n_groups, sp(t));
  for (std::size_t k = 0; k < t.size(); ++k) {
    std::vector<fm::confusion_counts> c(n_groups + 1);
    std::vector<fm::exact_sum> ws((n_groups + 1) * 4);
    for (std::size_t i = 0; i < s.size(); ++i) {
      const bool pred = static_cast<double>(s[i]) >= t[k];
      const std::size_t cell = pred ? (y[i] ? 0u : 1u) : (y[i] ? 3u : 2u);
      for (std::size_t slot : {static_cast<std::size_t>(g[i]), n_groups}) {
        auto& cc = c[slot];
        (cell == 0 ? cc.tp : cell == 1 ? cc.fp : cell == 2 ? cc.tn : cc.fn) += 1;
        if (w) ws[slot * 4 + cell].add((*w)[i]);
      }
    }
    for (std::size_t q = 0; q <= n_groups; ++q) {
      INFO("threshold " << k << " = " << t[k] << ", slot " << q);
      CHECK(sw.at(q, k) == c[q]);
      if (w) {
        const auto& cw = sw.weights_at(q, k);
        CHECK(fgtest::same_bits(cw.tp, ws[q * 4 + 0].value()));
        CHECK(fgtest::same_bits(cw.fp, ws[q * 4 + 1].value()));
        CHECK(fgtest::same_bits(cw.tn, ws[q * 4 + 2].value()));
        CHECK(fgtest::same_bits(cw.fn, ws[q * 4 + 3].value()));
      }
    }
  }
}

template <class F>
void require_error(F&& f, fairgate::errc code, const std::string& fragment) {
  try {
    f();
    FAIL("expected fairgate::error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == code);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(fragment));
  }
}

}  // namespace

TEST_CASE("threshold sweep equals a naive pass per threshold on a uniform grid",
          "[sweep][property]") {
  auto r = fgtest::random_rows(31, 3000, 4, 0);
  std::vector<double> grid;
  for (int k = 0; k < 100; ++k) grid.push_back(k / 100.0);
  // Scores exactly on the grid and one ulp either side: the edge cases of >=.
  for (int k = 0; k < 100; ++k) {
    for (double v : {k / 100.0, std::nextafter(k / 100.0, -1.0), std::nextafter(k / 100.0, 2.0)}) {
      r.score.push_back(v);
      r.label.push_back(static_cast<std::uint8_t>(k % 2));
      r.group.push_back(static_cast<std::uint8_t>(k % 4));
      r.weight.push_back(0.25 * (k % 5));
    }
  }
  check_against_naive(r.score, r.label, r.group, 4, grid, nullptr);
  check_against_naive(r.score, r.label, r.group, 4, grid, &r.weight);
  std::vector<float> f32(r.score.begin(), r.score.end());
  for (double v : grid) f32.push_back(static_cast<float>(v));  // float neighbours of the grid
  std::vector<std::uint8_t> y2 = r.label, g2 = r.group;
  y2.resize(f32.size(), 1);
  g2.resize(f32.size(), 2);
  check_against_naive(f32, y2, g2, 4, grid, nullptr);
}

TEST_CASE("threshold sweep equals a naive pass on an irregular grid with infinities",
          "[sweep][property]") {
  auto r = fgtest::random_rows(32, 2000, 3, 16);
  const double inf = std::numeric_limits<double>::infinity();
  r.score.push_back(inf);
  r.score.push_back(-inf);
  r.score.push_back(-3.0);
  r.score.push_back(7.0);
  for (int i = 0; i < 4; ++i) {
    r.label.push_back(static_cast<std::uint8_t>(i % 2));
    r.group.push_back(static_cast<std::uint8_t>(i % 3));
    r.weight.push_back(1.5);
  }
  const std::vector<double> grid = {-inf, -1.0, 0.0,  0.0,    0.0625, 0.1,
                                    0.5,  0.5,  0.51, 0.9375, 1.0,    inf};
  check_against_naive(r.score, r.label, r.group, 3, grid, nullptr);
  check_against_naive(r.score, r.label, r.group, 3, grid, &r.weight);
  const std::vector<double> one = {0.5};
  check_against_naive(r.score, r.label, r.group, 3, one, &r.weight);
}

TEST_CASE("threshold sweep on a million f32 rows (prefix table path) equals a naive pass",
          "[sweep][property]") {
  // n >= 2^20 switches float scores to the 20-bit prefix table; the grid has
  // thresholds that are not floats (0.1, 1/3), subnormal and huge values,
  // -0.0 and +0.0, and infinities; the scores include every threshold's float
  // neighbours.
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> grid = {-inf,      -2.5, -1e-40, -0.0, 0.0, 1e-45, 0.1,
                                    1.0 / 3.0, 0.5,  0.5,    0.75, 1.0, 1e30,  inf};
  const std::size_t n = (std::size_t{1} << 20) + 4096;
  std::vector<float> s;
  std::vector<std::uint8_t> y, g;
  fairgate::rng::stream st(5, fairgate::rng::purposes::test, 11);
  for (double t : grid) {
    const float f = static_cast<float>(t);
    for (float v : {f, std::nextafter(f, -INFINITY), std::nextafter(f, INFINITY)}) s.push_back(v);
  }
  while (s.size() < n) s.push_back(static_cast<float>(4.0 * fgtest::unif(st) - 2.0));
  for (std::size_t i = 0; i < s.size(); ++i) {
    y.push_back(static_cast<std::uint8_t>(fgtest::below(st, 2)));
    g.push_back(static_cast<std::uint8_t>(fgtest::below(st, 3)));
  }
  check_against_naive(s, y, g, 3, grid, nullptr);
}

TEST_CASE("the prefix-table path of the sweep names the first bad row", "[sweep][errors]") {
  const std::size_t n = (std::size_t{1} << 20) + 100;
  std::vector<float> s(n, 0.5f);
  std::vector<std::uint8_t> y(n, 1), g(n, 0);
  const std::vector<double> t = {0.25, 0.5, 0.75};
  auto run = [&] { (void)fm::threshold_sweep(sp(s), sp(y), sp(g), 2, sp(t)); };
  s[700000] = std::nanf("");
  require_error(run, fairgate::errc::invalid_value, "scores[700000] = nan");
  g[900000] = 9;  // a later bad row does not hide the earlier NaN
  require_error(run, fairgate::errc::invalid_value, "scores[700000] = nan");
  s[700000] = 0.5f;
  require_error(run, fairgate::errc::out_of_range, "groups[900000] = 9");
}

TEST_CASE("threshold sweep counts a hand example", "[sweep][hand]") {
  // scores .2 .5 .5 .9, labels 0 1 0 1; grid 0.5, 0.6:
  //   t=.5: predicted {.5,.5,.9}: tp 2 (.5,.9) fp 1 (.5) tn 1 (.2) fn 0
  //   t=.6: predicted {.9}: tp 1, fp 0, tn 2, fn 1
  const std::vector<double> s = {0.2, 0.5, 0.5, 0.9};
  const std::vector<std::uint8_t> y = {0, 1, 0, 1};
  const std::vector<std::uint8_t> g(4, 0);
  const std::vector<double> t = {0.5, 0.6};
  const auto sw = fm::threshold_sweep(sp(s), sp(y), sp(g), 1, sp(t));
  CHECK(sw.at(0, 0) == fm::confusion_counts{2, 1, 1, 0});
  CHECK(sw.at(0, 1) == fm::confusion_counts{1, 0, 2, 1});
  CHECK(sw.overall(1) == sw.at(0, 1));
}

TEST_CASE("threshold sweep rejects bad grids and bad rows", "[sweep][errors]") {
  const std::vector<double> s = {0.2, 0.5};
  std::vector<std::uint8_t> y = {0, 1};
  const std::vector<std::uint8_t> g = {0, 0};
  const std::vector<double> unsorted = {0.5, 0.4};
  require_error([&] { (void)fm::threshold_sweep(sp(s), sp(y), sp(g), 1, sp(unsorted)); },
                fairgate::errc::invalid_argument,
                "thresholds[1] = 0.4 < thresholds[0]: the grid must be non-decreasing");
  const std::vector<double> nan_grid = {0.1, std::nan("")};
  require_error([&] { (void)fm::threshold_sweep(sp(s), sp(y), sp(g), 1, sp(nan_grid)); },
                fairgate::errc::invalid_value, "thresholds[1] = nan");
  const std::vector<double> empty;
  require_error([&] { (void)fm::threshold_sweep(sp(s), sp(y), sp(g), 1, sp(empty)); },
                fairgate::errc::invalid_argument, "grid is empty");
  y[1] = 3;
  const std::vector<double> t = {0.5};
  require_error([&] { (void)fm::threshold_sweep(sp(s), sp(y), sp(g), 1, sp(t)); },
                fairgate::errc::out_of_range, "labels[1] = 3");
  // A bad row in a later validation block is still named exactly.
  std::vector<float> big(5001, 0.5f);
  std::vector<std::uint8_t> by(5001, 0), bg(5001, 0);
  bg[5000] = 4;
  require_error([&] { (void)fm::threshold_sweep(sp(big), sp(by), sp(bg), 2, sp(t)); },
                fairgate::errc::out_of_range,
                "groups[5000] = 4: group codes must be < n_groups = 2");
  big[4097] = std::nanf("");
  require_error([&] { (void)fm::threshold_sweep(sp(big), sp(by), sp(bg), 2, sp(t)); },
                fairgate::errc::invalid_value, "scores[4097] = nan");
}

namespace {
// AIF360 tests/test_classification_metric.py (test_generalized_entropy_index):
// protected attribute column [0,0,1,1,1,1,2,2,2,2], labels [1,0,0,1,0,0,1,0,1,1],
// predictions = labels with rows 3, 9 set to 0 and rows 4, 5 set to 1.
const std::vector<std::uint8_t> aif_group = {0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
const std::vector<std::uint8_t> aif_label = {1, 0, 0, 1, 0, 0, 1, 0, 1, 1};
const std::vector<std::uint8_t> aif_pred = {1, 0, 0, 0, 1, 1, 1, 0, 1, 0};
}  // namespace

TEST_CASE("AIF360's ten-row example gives Theil 4 ln2 / 10 and GE(2) 0.2", "[inequality][hand]") {
  // Benefits b = pred - label + 1 = [1,1,1,0,2,2,1,1,1,0]: mu = 10/10 = 1.
  // Theil = 1/10 * (2 * 2 ln 2) = 4 ln2 / 10.
  // GE(2) = (sum b^2 / 10 - 1) / 2 = (14/10 - 1) / 2 = 0.2; CV = 2 sqrt(0.2).
  const auto th = fm::theil_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3);
  CHECK(th.overall.value == Approx(4.0 * std::log(2.0) / 10.0).epsilon(1e-14));
  const auto ge = fm::generalized_entropy_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3, 2.0);
  CHECK(ge.overall.value == Approx(0.2).epsilon(1e-14));
  const auto cv = fm::coefficient_of_variation(sp(aif_label), sp(aif_pred), sp(aif_group), 3);
  CHECK(cv.overall.value == Approx(2.0 * std::sqrt(0.2)).epsilon(1e-14));
}

TEST_CASE("GE per group and between groups on the AIF360 example", "[inequality][hand]") {
  // group 0: b = [1,1] -> 0.
  // group 1: b = [1,0,2,2], mu = 5/4: sum (b/mu)^2 = .64 + 0 + 2.56 + 2.56 = 5.76 -> (1.44 - 1)/2 =
  // .22 group 2: b = [1,1,1,0], mu = 3/4: sum (b/mu)^2 = 16/3 -> (4/3 - 1)/2 = 1/6 between: mu_g =
  // 1, 5/4, 3/4 with masses 2, 4, 4 (mu = 1):
  //   ((2 + 4*25/16 + 4*9/16)/10 - 1)/2 = (1.05 - 1)/2 = .025
  //   Theil between = (4 * 1.25 ln 1.25 + 4 * .75 ln .75) / 10
  const auto ge = fm::generalized_entropy_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3, 2.0);
  CHECK(ge.groups[0].value == Approx(0.0).margin(1e-15));
  CHECK(ge.groups[1].value == Approx(0.22).epsilon(1e-14));
  CHECK(ge.groups[2].value == Approx(1.0 / 6.0).epsilon(1e-14));
  CHECK(ge.between_groups.value == Approx(0.025).epsilon(1e-13));
  const auto th = fm::theil_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3);
  CHECK(th.between_groups.value ==
        Approx((5.0 * std::log(1.25) + 3.0 * std::log(0.75)) / 10.0).epsilon(1e-13));
}

TEST_CASE("GE for alpha 0, non-integer and negative alpha", "[inequality][hand]") {
  // Overall b: six 1s, two 0s, two 2s, mu = 1.
  //   alpha = 0.5: (sum b^.5 / 10 - 1) / (.5 * -.5) = ((6 + 2 sqrt 2)/10 - 1) / -.25
  //   alpha = 3:   ((6 + 2*8)/10 - 1) / 6 = (2.2 - 1)/6 = .2
  //   alpha = 0 and alpha < 0: b = 0 rows make the index +inf.
  const auto half =
      fm::generalized_entropy_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3, 0.5);
  CHECK(half.overall.value ==
        Approx(((6.0 + 2.0 * std::sqrt(2.0)) / 10.0 - 1.0) / -0.25).epsilon(1e-14));
  const auto three =
      fm::generalized_entropy_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3, 3.0);
  CHECK(three.overall.value == Approx(0.2).epsilon(1e-14));
  const auto zero =
      fm::generalized_entropy_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3, 0.0);
  CHECK(std::isinf(zero.overall.value));
  // Group 0 has no b = 0: GE(0) = -mean ln(1/1) = 0; GE(-1) likewise 0.
  CHECK(zero.groups[0].value == 0.0);
  const auto neg =
      fm::generalized_entropy_index(sp(aif_label), sp(aif_pred), sp(aif_group), 3, -1.0);
  CHECK(std::isinf(neg.overall.value));
  CHECK(neg.groups[0].value == 0.0);
}

TEST_CASE("GE is undefined when every row is a false negative or a group is empty",
          "[inequality][edge]") {
  const std::vector<std::uint8_t> y = {1, 1}, p = {0, 0}, g = {0, 0};
  const auto r = fm::generalized_entropy_index(sp(y), sp(p), sp(g), 2, 2.0);
  CHECK_FALSE(r.overall.defined);  // mu = 0
  CHECK(std::isnan(r.overall.value));
  CHECK_FALSE(r.groups[1].defined);  // no rows
}

TEST_CASE("GE from cells equals GE from rows, and weights generalise rows",
          "[inequality][property]") {
  const auto r = fgtest::random_rows(33, 2000, 5, 0);
  std::vector<std::uint8_t> pred;
  for (double s : r.score) pred.push_back(s >= 0.5 ? 1 : 0);
  std::vector<fm::confusion_counts> cells(5);
  for (std::size_t i = 0; i < pred.size(); ++i) {
    auto& c = cells[r.group[i]];
    (pred[i] ? (r.label[i] ? c.tp : c.fp) : (r.label[i] ? c.fn : c.tn)) += 1;
  }
  for (double alpha : {0.5, 1.0, 2.0, 3.0}) {
    const auto a = fm::generalized_entropy_index(sp(r.label), sp(pred), sp(r.group), 5, alpha);
    const auto b =
        fm::generalized_entropy_index(std::span<const fm::confusion_counts>(cells), alpha);
    const std::vector<double> ones(pred.size(), 1.0);
    const auto c =
        fm::generalized_entropy_index(sp(r.label), sp(pred), sp(r.group), 5, alpha, sp(ones));
    const auto p = fgtest::permuted(r, 4);
    std::vector<std::uint8_t> pp;
    for (double s : p.score) pp.push_back(s >= 0.5 ? 1 : 0);
    const auto d =
        fm::generalized_entropy_index(sp(p.label), sp(pp), sp(p.group), 5, alpha, sp(p.weight));
    const auto e =
        fm::generalized_entropy_index(sp(r.label), sp(pred), sp(r.group), 5, alpha, sp(r.weight));
    CHECK(fgtest::same_bits(a.overall.value, b.overall.value));
    CHECK(fgtest::same_bits(a.overall.value, c.overall.value));
    CHECK(fgtest::same_bits(a.between_groups.value, b.between_groups.value));
    CHECK(fgtest::same_bits(d.overall.value, e.overall.value));
    CHECK(fgtest::same_bits(d.between_groups.value, e.between_groups.value));
    CHECK(a.overall.value >= 0.0);
  }
}

TEST_CASE("inequality indices reject bad predictions and lengths", "[inequality][errors]") {
  const std::vector<std::uint8_t> y = {1, 0}, p = {1, 2}, g = {0, 0};
  require_error([&] { (void)fm::theil_index(sp(y), sp(p), sp(g), 1); },
                fairgate::errc::out_of_range, "predictions[1] = 2: predictions must be 0 or 1");
  const std::vector<std::uint8_t> short_p = {1};
  require_error([&] { (void)fm::theil_index(sp(y), sp(short_p), sp(g), 1); },
                fairgate::errc::length_mismatch, "predictions has 1 rows but labels has 2");
}
