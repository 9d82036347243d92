// ROC AUC, xAUC, ROC curves and ABROCA: hand cases, properties, an O(n^2)
// pair-counting oracle and error cases.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fairgate/metrics/roc.hpp>

#include "metrics_scores/scores_helpers.hpp"

namespace fm = fairgate::metrics;
using fgtest::sp;

namespace {

// Direct definition: sum over (pos i, neg j) of w_i w_j ([s_i > s_j] + 1/2 [s_i == s_j]).
double brute_xauc(const fgtest::rows& r, int ga, int gb, bool weighted) {
  double num = 0.0, wp = 0.0, wn = 0.0;
  for (std::size_t i = 0; i < r.score.size(); ++i) {
    const double wi = weighted ? r.weight[i] : 1.0;
    if (r.label[i] == 1 && (ga < 0 || r.group[i] == ga)) wp += wi;
    if (r.label[i] == 0 && (gb < 0 || r.group[i] == gb)) wn += wi;
  }
  for (std::size_t i = 0; i < r.score.size(); ++i) {
    if (r.label[i] != 1 || (ga >= 0 && r.group[i] != ga)) continue;
    for (std::size_t j = 0; j < r.score.size(); ++j) {
      if (r.label[j] != 0 || (gb >= 0 && r.group[j] != gb)) continue;
      const double w = (weighted ? r.weight[i] * r.weight[j] : 1.0);
      if (r.score[i] > r.score[j]) num += w;
      if (r.score[i] == r.score[j]) num += 0.5 * w;
    }
  }
  return num / (wp * wn);
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

TEST_CASE("AUC counts tied positive-negative pairs as one half", "[roc][hand]") {
  // Group 0: positives 0.9, 0.5, 0.3; negatives 0.5, 0.2, 0.1.
  //   0.9 beats all three (3); 0.5 ties 0.5 (1/2) and beats 0.2, 0.1 (2); 0.3 beats 0.2, 0.1 (2)
  //   U = 7.5 of 9 pairs -> AUC = 5/6.
  // Group 1: positives 0.4, 0.05 only -> undefined.
  // Overall adds 0.4 (beats 0.2, 0.1: 2) and 0.05 (0): U = 9.5 of 5*3 = 15 -> 19/30.
  const std::vector<double> s = {0.9, 0.5, 0.3, 0.5, 0.2, 0.1, 0.4, 0.05};
  const std::vector<std::uint8_t> y = {1, 1, 1, 0, 0, 0, 1, 1};
  const std::vector<std::uint8_t> g = {0, 0, 0, 0, 0, 0, 1, 1};
  const auto r = fm::roc_auc(sp(s), sp(y), sp(g), 2);
  REQUIRE(r.groups[0].defined);
  CHECK(r.groups[0].auc == Approx(5.0 / 6.0).epsilon(1e-15));
  CHECK(r.groups[0].n_pos == 3);
  CHECK(r.groups[0].n_neg == 3);
  CHECK_FALSE(r.groups[1].defined);
  CHECK(std::isnan(r.groups[1].auc));
  CHECK(r.overall.auc == Approx(19.0 / 30.0).epsilon(1e-15));
}

TEST_CASE("weighted AUC multiplies the weights of each pair", "[roc][hand]") {
  // positives (score:weight) 0.9:1, 0.5:2, 0.3:1; negatives 0.5:1, 0.2:1, 0.1:3.
  //   0.9: 1*(1+1+3) = 5; 0.5: 2*(1/2*1 + 1 + 3) = 9; 0.3: 1*(1+3) = 4 -> 18
  //   denominator (1+2+1)*(1+1+3) = 20 -> AUC = 0.9.
  const std::vector<double> s = {0.9, 0.5, 0.3, 0.5, 0.2, 0.1};
  const std::vector<std::uint8_t> y = {1, 1, 1, 0, 0, 0};
  const std::vector<std::uint8_t> g(6, 0);
  const std::vector<double> w = {1, 2, 1, 1, 1, 3};
  const auto r = fm::roc_auc(sp(s), sp(y), sp(g), 1, sp(w));
  CHECK(r.groups[0].auc == Approx(0.9).epsilon(1e-15));
  CHECK(r.groups[0].w_pos == 4.0);
  CHECK(r.groups[0].w_neg == 5.0);
}

TEST_CASE("AUC matches direct pair counting on random data with ties", "[roc][oracle]") {
  for (std::uint32_t levels : {0u, 7u}) {
    const auto r = fgtest::random_rows(11 + levels, 400, 3, levels);
    for (bool weighted : {false, true}) {
      const auto res = weighted
                           ? fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 3, sp(r.weight))
                           : fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 3);
      for (int gi = 0; gi < 3; ++gi) {
        CHECK(res.groups[static_cast<std::size_t>(gi)].auc ==
              Approx(brute_xauc(r, gi, gi, weighted)).epsilon(1e-12));
      }
      CHECK(res.overall.auc == Approx(brute_xauc(r, -1, -1, weighted)).epsilon(1e-12));
    }
  }
}

TEST_CASE("AUC, xAUC and ROC curves are bit-identical under row permutation", "[roc][property]") {
  const auto r = fgtest::random_rows(5, 3000, 5, 50);
  const auto p = fgtest::permuted(r, 77);
  for (bool weighted : {false, true}) {
    const std::span<const double> wr = weighted ? sp(r.weight) : std::span<const double>{};
    const std::span<const double> wp = weighted ? sp(p.weight) : std::span<const double>{};
    const auto a = fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 5, wr);
    const auto b = fm::roc_auc(sp(p.score), sp(p.label), sp(p.group), 5, wp);
    for (std::size_t k = 0; k < 5; ++k) CHECK(fgtest::same_bits(a.groups[k].auc, b.groups[k].auc));
    CHECK(fgtest::same_bits(a.overall.auc, b.overall.auc));
    const auto xa = fm::xauc(sp(r.score), sp(r.label), sp(r.group), 5, wr);
    const auto xb = fm::xauc(sp(p.score), sp(p.label), sp(p.group), 5, wp);
    for (std::size_t k = 0; k < 25; ++k) CHECK(fgtest::same_bits(xa.value[k], xb.value[k]));
    const auto ca = fm::roc_curves(sp(r.score), sp(r.label), sp(r.group), 5, wr);
    const auto cb = fm::roc_curves(sp(p.score), sp(p.label), sp(p.group), 5, wp);
    for (std::size_t k = 0; k < 5; ++k) {
      CHECK(ca.groups[k].thresholds == cb.groups[k].thresholds);
      CHECK(ca.groups[k].fps == cb.groups[k].fps);
      CHECK(ca.groups[k].tps == cb.groups[k].tps);
    }
  }
}

TEST_CASE("AUC with unit weights equals the unweighted AUC bit for bit", "[roc][property]") {
  const auto r = fgtest::random_rows(6, 2000, 4, 30);
  const std::vector<double> ones(r.score.size(), 1.0);
  const auto a = fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 4);
  const auto b = fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 4, sp(ones));
  for (std::size_t k = 0; k < 4; ++k) CHECK(fgtest::same_bits(a.groups[k].auc, b.groups[k].auc));
  CHECK(fgtest::same_bits(a.overall.auc, b.overall.auc));
}

TEST_CASE("AUC with integer weights equals the AUC of repeated rows", "[roc][property]") {
  const auto r = fgtest::random_rows(7, 500, 3, 20);
  fgtest::rows rep;
  std::vector<double> iw;
  fairgate::rng::stream st(1, fairgate::rng::purposes::test, 3);
  for (std::size_t i = 0; i < r.score.size(); ++i) {
    const std::uint32_t c = fgtest::below(st, 4);  // 0..3 copies
    iw.push_back(static_cast<double>(c));
    for (std::uint32_t k = 0; k < c; ++k) {
      rep.score.push_back(r.score[i]);
      rep.label.push_back(r.label[i]);
      rep.group.push_back(r.group[i]);
    }
  }
  const auto a = fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 3, sp(iw));
  const auto b = fm::roc_auc(sp(rep.score), sp(rep.label), sp(rep.group), 3);
  for (std::size_t k = 0; k < 3; ++k) CHECK(fgtest::same_bits(a.groups[k].auc, b.groups[k].auc));
  CHECK(fgtest::same_bits(a.overall.auc, b.overall.auc));
}

TEST_CASE("AUC is invariant under strictly increasing transforms of the scores",
          "[roc][property]") {
  const auto r = fgtest::random_rows(8, 2000, 4, 40);
  std::vector<double> cube;
  std::vector<float> f32;
  for (double v : r.score) {
    cube.push_back(-5.0 + (v * v) * v);  // k/40 distinct -> distinct cubes, order kept
    f32.push_back(static_cast<float>(v * 40.0));
  }
  const auto a = fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 4);
  const auto b = fm::roc_auc(sp(cube), sp(r.label), sp(r.group), 4);
  const auto c = fm::roc_auc(sp(f32), sp(r.label), sp(r.group), 4);
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(fgtest::same_bits(a.groups[k].auc, b.groups[k].auc));
    CHECK(fgtest::same_bits(a.groups[k].auc, c.groups[k].auc));
  }
}

TEST_CASE("negative zero and positive zero scores are one tie", "[roc][edge]") {
  // pos at -0.0, neg at +0.0: a tie -> AUC = 1/2.
  const std::vector<double> s = {-0.0, 0.0};
  const std::vector<std::uint8_t> y = {1, 0};
  const std::vector<std::uint8_t> g = {0, 0};
  CHECK(fm::roc_auc(sp(s), sp(y), sp(g), 1).groups[0].auc == 0.5);
}

TEST_CASE("xAUC counts positives of one group above negatives of another", "[xauc][hand]") {
  // group 0: pos 0.9, 0.5; neg 0.7.    group 1: pos 0.6; neg 0.5, 0.1.
  // xAUC(0,1): 0.9>0.5, 0.9>0.1, 0.5=0.5 (1/2), 0.5>0.1 -> 3.5/4 = 0.875
  // xAUC(1,0): 0.6 < 0.7 -> 0.   xAUC(0,0) = AUC_0: 0.9>0.7, 0.5<0.7 -> 1/2.
  // xAUC(1,1) = AUC_1: 0.6 beats both -> 1.
  const std::vector<double> s = {0.9, 0.5, 0.7, 0.6, 0.5, 0.1};
  const std::vector<std::uint8_t> y = {1, 1, 0, 1, 0, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 1, 1, 1};
  const auto x = fm::xauc(sp(s), sp(y), sp(g), 2);
  CHECK(x.at(0, 1) == 0.875);
  CHECK(x.at(1, 0) == 0.0);
  CHECK(x.at(0, 0) == 0.5);
  CHECK(x.at(1, 1) == 1.0);
}

TEST_CASE("xAUC of a group with itself is that group's AUC", "[xauc][property]") {
  const auto r = fgtest::random_rows(9, 3000, 6, 25);
  for (bool weighted : {false, true}) {
    const std::span<const double> w = weighted ? sp(r.weight) : std::span<const double>{};
    const auto a = fm::roc_auc(sp(r.score), sp(r.label), sp(r.group), 6, w);
    const auto x = fm::xauc(sp(r.score), sp(r.label), sp(r.group), 6, w);
    for (std::size_t k = 0; k < 6; ++k) CHECK(fgtest::same_bits(x.at(k, k), a.groups[k].auc));
    // Overall U = sum over ordered pairs (a, b) of xAUC(a,b) P_a N_b.
    double u = 0.0;
    for (std::size_t i = 0; i < 6; ++i) {
      for (std::size_t j = 0; j < 6; ++j) u += x.at(i, j) * a.groups[i].w_pos * a.groups[j].w_neg;
    }
    CHECK(u / (a.overall.w_pos * a.overall.w_neg) == Approx(a.overall.auc).epsilon(1e-12));
  }
}

TEST_CASE("xAUC matches direct pair counting across groups", "[xauc][oracle]") {
  const auto r = fgtest::random_rows(10, 300, 3, 9);
  const auto x = fm::xauc(sp(r.score), sp(r.label), sp(r.group), 3, sp(r.weight));
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      CHECK(x.at(static_cast<std::size_t>(a), static_cast<std::size_t>(b)) ==
            Approx(brute_xauc(r, a, b, true)).epsilon(1e-12));
    }
  }
}

TEST_CASE("ROC curve lists one point per distinct score from the top", "[roc_curve][hand]") {
  // (0.8,1) (0.6,0) (0.6,1) (0.2,0). Descending: 0.8 -> tp 1 fp 0; 0.6 -> tp 2 fp 1;
  // 0.2 -> tp 2 fp 2; sklearn prepends (0,0) with threshold 0.8 + 1.
  const std::vector<double> s = {0.8, 0.6, 0.6, 0.2};
  const std::vector<std::uint8_t> y = {1, 0, 1, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 0};
  const auto c = fm::roc_curves(sp(s), sp(y), sp(g), 1).groups[0];
  CHECK(c.thresholds == std::vector<double>{0.8 + 1.0, 0.8, 0.6, 0.2});
  CHECK(c.fps == std::vector<double>{0, 0, 1, 2});
  CHECK(c.tps == std::vector<double>{0, 1, 2, 2});
  CHECK(c.fpr == std::vector<double>{0, 0, 0.5, 1});
  CHECK(c.tpr == std::vector<double>{0, 0.5, 1, 1});
  CHECK(c.defined);
}

TEST_CASE("ROC curve drops zero-weight rows and flags a missing class", "[roc_curve][edge]") {
  // The 0.7 row has weight 0: not a threshold (sklearn 1.2 behaviour).
  const std::vector<double> s = {0.9, 0.7, 0.3};
  const std::vector<std::uint8_t> y = {1, 0, 1};
  const std::vector<std::uint8_t> g = {0, 0, 0};
  const std::vector<double> w = {1.0, 0.0, 2.0};
  const auto c = fm::roc_curves(sp(s), sp(y), sp(g), 1, sp(w)).groups[0];
  CHECK(c.thresholds == std::vector<double>{0.9 + 1.0, 0.9, 0.3});
  CHECK_FALSE(c.defined);  // no negative weight
  CHECK(std::isnan(c.fpr[1]));
  CHECK(c.tpr == std::vector<double>{0, 1.0 / 3.0, 1});
}

TEST_CASE("ABROCA of a perfect and a constant ranker is one half", "[abroca][hand]") {
  // Group 0 separates perfectly: ROC (0,0)-(0,1)-(1,1). Group 1 has one score
  // for all rows: ROC (0,0)-(1,1). Area between = integral_0^1 (1 - f) df = 1/2.
  const std::vector<double> s = {0.9, 0.8, 0.2, 0.1, 0.5, 0.5, 0.5, 0.5};
  const std::vector<std::uint8_t> y = {1, 1, 0, 0, 1, 0, 1, 0};
  const std::vector<std::uint8_t> g = {0, 0, 0, 0, 1, 1, 1, 1};
  CHECK(fm::abroca(sp(s), sp(y), sp(g), 2, 0, 1) == 0.5);
  CHECK(fm::abroca(sp(s), sp(y), sp(g), 2, 1, 0) == 0.5);
  CHECK(fm::abroca(sp(s), sp(y), sp(g), 2, 0, 0) == 0.0);
}

TEST_CASE("ABROCA of crossing curves adds the two triangles", "[abroca][hand]") {
  // A: (0,0) -> (0,.5) -> (1,1): TPR_A = 0.5 + 0.5 f.
  // B: (0,0) -> (.5,1) -> (1,1): TPR_B = 2f on [0,.5], 1 after.
  // A - B = 0.5 - 1.5 f on [0,.5] (zero at 1/3), 0.5 f - 0.5 on [.5,1].
  // Area = 1/2*(1/3)*(1/2) + 1/2*(1/6)*(1/4) + 1/2*(1/2)*(1/4) = 1/12 + 1/48 + 1/16 = 1/6.
  fm::roc_curve a, b;
  a.fpr = {0, 0, 1};
  a.tpr = {0, 0.5, 1};
  a.defined = true;
  b.fpr = {0, 0.5, 1};
  b.tpr = {0, 1, 1};
  b.defined = true;
  CHECK(fm::abroca(a, b) == Approx(1.0 / 6.0).epsilon(1e-15));
  CHECK(fm::abroca(b, a) == Approx(1.0 / 6.0).epsilon(1e-15));
  fm::roc_curve undefined;
  CHECK(std::isnan(fm::abroca(a, undefined)));
}

TEST_CASE("ABROCA equals a fine-grid integral of the TPR gap", "[abroca][oracle]") {
  const auto r = fgtest::random_rows(12, 600, 2, 0);
  const auto c = fm::roc_curves(sp(r.score), sp(r.label), sp(r.group), 2);
  auto tpr_at = [](const fm::roc_curve& cv, double f) {  // linear interpolation (np.interp)
    for (std::size_t i = 1; i < cv.fpr.size(); ++i) {
      if (cv.fpr[i] >= f && cv.fpr[i] > cv.fpr[i - 1]) {
        const double t = (f - cv.fpr[i - 1]) / (cv.fpr[i] - cv.fpr[i - 1]);
        return cv.tpr[i - 1] + t * (cv.tpr[i] - cv.tpr[i - 1]);
      }
    }
    return 1.0;
  };
  // Midpoint rule with 200000 cells: error O(1e-6) at the curves' kinks.
  const int n = 200000;
  double area = 0.0;
  for (int i = 0; i < n; ++i) {
    const double f = (i + 0.5) / n;
    area += std::fabs(tpr_at(c.groups[0], f) - tpr_at(c.groups[1], f)) / n;
  }
  CHECK(fm::abroca(c.groups[0], c.groups[1]) == Approx(area).margin(1e-5));
}

TEST_CASE("score kernels reject bad rows and name the row", "[roc][errors]") {
  std::vector<double> s = {0.1, 0.2, 0.3};
  std::vector<std::uint8_t> y = {0, 1, 0};
  std::vector<std::uint8_t> g = {0, 1, 0};
  std::vector<double> w = {1.0, 1.0, 1.0};
  auto run = [&] { (void)fm::roc_auc(sp(s), sp(y), sp(g), 2, sp(w)); };
  s[1] = std::nan("");
  require_error(run, fairgate::errc::invalid_value, "scores[1] = nan");
  s[1] = 0.2;
  y[2] = 2;
  require_error(run, fairgate::errc::out_of_range, "labels[2] = 2: labels must be 0 or 1");
  y[2] = 0;
  g[0] = 5;
  require_error(run, fairgate::errc::out_of_range,
                "groups[0] = 5: group codes must be < n_groups = 2");
  g[0] = 0;
  w[1] = -1.0;
  require_error(run, fairgate::errc::invalid_value, "weights[1] = -1");
  w[1] = std::nan("");
  require_error(run, fairgate::errc::invalid_value, "weights[1] = nan");
  w[1] = 1.0;
  y.push_back(1);
  require_error(run, fairgate::errc::length_mismatch, "labels has 4 rows but scores has 3");
  y.pop_back();
  w.pop_back();
  require_error(run, fairgate::errc::length_mismatch, "weights has 2 rows but scores has 3");
  w.push_back(1.0);
  require_error([&] { (void)fm::roc_auc(sp(s), sp(y), sp(g), 0); },
                fairgate::errc::invalid_argument, "n_groups");
  const std::vector<std::int32_t> yi = {0, -1, 0};
  require_error([&] { (void)fm::xauc(sp(s), sp(yi), sp(g), 2); }, fairgate::errc::out_of_range,
                "labels[1] = -1");
}

TEST_CASE("AUC of an empty input is undefined for every group, not an error", "[roc][edge]") {
  const std::vector<float> s;
  const std::vector<std::uint8_t> y, g;
  const auto r = fm::roc_auc(sp(s), sp(y), sp(g), 3);
  CHECK(r.groups.size() == 3);
  CHECK_FALSE(r.overall.defined);
}
