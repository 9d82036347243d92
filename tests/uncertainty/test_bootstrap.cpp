// Poisson bootstrap (count-based, stratified, paired, per-row): determinism,
// invariances, distributional checks with fixed seeds, coverage, undefined
// replicates, minimum support and error cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <thread>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>

namespace u = fairgate::uncertainty;
namespace fm = fairgate::metrics;
namespace rng = fairgate::rng;
using fm::confusion_counts;
using counts_span = std::span<const confusion_counts>;

namespace {

struct rows {
  std::vector<std::uint8_t> y, pred, group;
};

// Random rows: group g has base rate 0.2 + 0.1 g and a classifier that is
// right 80% of the time.
rows make_rows(std::size_t n, std::uint32_t n_groups, std::uint32_t index) {
  rows r;
  rng::stream s(7, rng::purposes::test, index);
  for (std::size_t i = 0; i < n; ++i) {
    const auto g = static_cast<std::uint8_t>(rng::bounded_u32(s, n_groups));
    const bool y = rng::bernoulli(s, 0.2 + 0.1 * g);
    const bool right = rng::bernoulli(s, 0.8);
    r.y.push_back(y ? 1 : 0);
    r.pred.push_back(static_cast<std::uint8_t>(right ? y : !y));
    r.group.push_back(g);
  }
  return r;
}

std::vector<confusion_counts> count_rows(const rows& r, std::uint32_t n_groups,
                                         const std::vector<std::size_t>& order) {
  std::vector<confusion_counts> c(n_groups);
  for (std::size_t i : order) {
    auto& t = c[r.group[i]];
    if (r.y[i] == 1) {
      (r.pred[i] == 1 ? t.tp : t.fn) += 1;
    } else {
      (r.pred[i] == 1 ? t.fp : t.tn) += 1;
    }
  }
  return c;
}

std::vector<std::size_t> iota(std::size_t n) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  }
  return true;
}

double selection_rate_difference(counts_span g) {
  return u::rate_of(g[0], u::rate::selection_rate) - u::rate_of(g[1], u::rate::selection_rate);
}

double tpr0(counts_span g) {
  return u::rate_of(g[0], u::rate::tpr);
}

fm::binary_inputs inputs_of(const rows& r, std::uint32_t n_groups, std::size_t from,
                            std::size_t to) {
  fm::binary_inputs in;
  in.y_true = fm::label_view(std::span<const std::uint8_t>(r.y).subspan(from, to - from));
  in.y_pred =
      fm::prediction_view::hard(std::span<const std::uint8_t>(r.pred).subspan(from, to - from));
  in.groups = fm::code_view(std::span<const std::uint8_t>(r.group).subspan(from, to - from));
  in.n_groups = n_groups;
  return in;
}

}  // namespace

TEST_CASE("count bootstrap gives the same bits for the same seed and other values for another",
          "[bootstrap]") {
  const rows r = make_rows(3000, 2, 1);
  const auto c = count_rows(r, 2, iota(r.y.size()));
  u::bootstrap_options o;
  o.seed = 99;
  o.replicates = 300;
  const auto a = u::bootstrap_counts(counts_span(c), selection_rate_difference, o);
  const auto b = u::bootstrap_counts(counts_span(c), selection_rate_difference, o);
  CHECK(same_bits(a.values, b.values));
  CHECK(a.ci.lower == b.ci.lower);
  o.seed = 100;
  const auto d = u::bootstrap_counts(counts_span(c), selection_rate_difference, o);
  CHECK_FALSE(same_bits(a.values, d.values));
}

TEST_CASE("count bootstrap does not depend on row order or on how the rows were sharded",
          "[bootstrap]") {
  const rows r = make_rows(5000, 3, 2);
  auto order = iota(r.y.size());
  const auto whole = count_rows(r, 3, order);
  std::reverse(order.begin(), order.end());
  const auto reversed = count_rows(r, 3, order);
  // two shards counted separately (as two threads would) and merged in either order
  auto first = iota(2000);
  std::vector<std::size_t> second(3000);
  std::iota(second.begin(), second.end(), std::size_t{2000});
  auto s1 = count_rows(r, 3, first);
  const auto s2 = count_rows(r, 3, second);
  auto merged = s2;
  for (std::size_t g = 0; g < 3; ++g) merged[g] += s1[g];
  REQUIRE(whole == reversed);
  REQUIRE(whole == merged);
  for (auto method : {u::resampling::poisson, u::resampling::stratified}) {
    u::bootstrap_options o;
    o.seed = 5;
    o.replicates = 200;
    o.method = method;
    const auto a = u::bootstrap_counts(counts_span(whole), tpr0, o);
    const auto b = u::bootstrap_counts(counts_span(merged), tpr0, o);
    CHECK(same_bits(a.values, b.values));
  }
}

TEST_CASE("per-group bootstrap equals one bootstrap per group with the same seed", "[bootstrap]") {
  const rows r = make_rows(2000, 3, 6);
  const auto c = count_rows(r, 3, iota(r.y.size()));
  u::bootstrap_options o;
  o.seed = 12;
  o.replicates = 150;
  o.min_support = 600;
  const auto all = u::bootstrap_per_group(
      counts_span(c), [](const confusion_counts& t) { return u::rate_of(t, u::rate::fpr); }, o);
  REQUIRE(all.size() == 3);
  for (std::size_t g = 0; g < 3; ++g) {
    const auto one = u::bootstrap_counts(
        counts_span(c), [g](counts_span t) { return u::rate_of(t[g], u::rate::fpr); }, o);
    CHECK(same_bits(all[g].values, one.values));
    CHECK(all[g].ci.lower == one.ci.lower);
    CHECK(all[g].ci.upper == one.ci.upper);
    CHECK(all[g].estimate == one.estimate);
    CHECK(all[g].ci.low_support == (c[g].total() < 600));
  }
}

TEST_CASE("a group's replicate draws do not depend on the other groups", "[bootstrap]") {
  std::vector<confusion_counts> two = {{10, 20, 30, 40}, {5, 6, 7, 8}};
  std::vector<confusion_counts> three = {{10, 20, 30, 40}, {5, 6, 7, 8}, {1000, 1, 1, 1}};
  u::bootstrap_options o;
  o.seed = 3;
  for (auto method : {u::resampling::poisson, u::resampling::stratified}) {
    o.method = method;
    std::vector<confusion_counts> r2(2), r3(3);
    for (std::uint32_t b = 0; b < 50; ++b) {
      u::resample_counts(two, b, o, r2);
      u::resample_counts(three, b, o, r3);
      CHECK(r2[0] == r3[0]);
      CHECK(r2[1] == r3[1]);
    }
  }
}

TEST_CASE("cell-level Poisson(n) draws have the distribution of per-row Poisson(1) weights",
          "[bootstrap][statistical]") {
  // One group of 200 rows: tp 40, fp 25, tn 120, fn 15, as rows.
  rows r;
  const std::uint32_t cells[4] = {40, 25, 120, 15};
  const std::uint8_t ys[4] = {1, 0, 0, 1};
  const std::uint8_t ps[4] = {1, 1, 0, 0};
  for (int j = 0; j < 4; ++j) {
    for (std::uint32_t i = 0; i < cells[j]; ++i) {
      r.y.push_back(ys[j]);
      r.pred.push_back(ps[j]);
      r.group.push_back(0);
    }
  }
  const auto observed = count_rows(r, 1, iota(r.y.size()));
  constexpr std::uint32_t B = 4000;
  u::row_bootstrap per_row(1, B, 11);
  per_row.add(inputs_of(r, 1, 0, r.y.size()), 0);
  u::bootstrap_options o;
  o.seed = 11;
  std::vector<confusion_counts> rep(1);
  // Per cell: mean and variance of the replicate count; both must be n (Poisson(n)).
  double sum_cell[2][4] = {}, sq_cell[2][4] = {};
  std::vector<double> tpr_cell, tpr_row;
  for (std::uint32_t b = 0; b < B; ++b) {
    u::resample_counts(observed, b, o, rep);
    const confusion_counts a = rep[0];
    const confusion_counts c = per_row.counts(b)[0];
    const double va[4] = {double(a.tp), double(a.fp), double(a.tn), double(a.fn)};
    const double vc[4] = {double(c.tp), double(c.fp), double(c.tn), double(c.fn)};
    for (int j = 0; j < 4; ++j) {
      sum_cell[0][j] += va[j];
      sq_cell[0][j] += va[j] * va[j];
      sum_cell[1][j] += vc[j];
      sq_cell[1][j] += vc[j] * vc[j];
    }
    tpr_cell.push_back(u::rate_of(a, u::rate::tpr));
    tpr_row.push_back(u::rate_of(c, u::rate::tpr));
  }
  for (int method = 0; method < 2; ++method) {
    for (int j = 0; j < 4; ++j) {
      const double n = cells[j];
      const double mean = sum_cell[method][j] / B;
      const double var = sq_cell[method][j] / B - mean * mean;
      // sd of the mean = sqrt(n / B); 5 sd is a generous fixed threshold (fixed seed).
      CHECK(std::fabs(mean - n) < 5.0 * std::sqrt(n / B));
      // relative sd of a variance estimate ~ sqrt(2 / B) = 2.2%; allow 12%.
      CHECK(std::fabs(var / n - 1.0) < 0.12);
    }
  }
  // The metric's replicate spread agrees between the two formulations.
  const auto sd = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x;
    m /= static_cast<double>(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size()));
  };
  CHECK(sd(tpr_cell) / sd(tpr_row) == Approx(1.0).margin(0.1));
}

TEST_CASE(
    "the 95 percent Poisson bootstrap interval covers the true rate about 95 percent of the time",
    "[bootstrap][statistical]") {
  // 200 simulated data sets of 300 rows with true selection rate 0.3; each gets a
  // B = 400 percentile interval. Coverage ~ Binomial(200, 0.95): mean 190, sd 3.1.
  // The band [180, 198] is about +-3 sd (fixed seeds, so the count is deterministic).
  constexpr double truth = 0.3;
  int covered = 0;
  for (std::uint32_t rep = 0; rep < 200; ++rep) {
    rng::stream s(2024, rng::purposes::test, rep);
    confusion_counts c;
    for (int i = 0; i < 300; ++i) {
      if (rng::bernoulli(s, truth)) {
        c.tp += 1;
      } else {
        c.tn += 1;
      }
    }
    const std::vector<confusion_counts> g = {c};
    u::bootstrap_options o;
    o.seed = 1000 + rep;
    o.replicates = 400;
    const auto r = u::bootstrap_counts(
        counts_span(g), [](counts_span t) { return u::rate_of(t[0], u::rate::selection_rate); }, o);
    if (r.ci.lower <= truth && truth <= r.ci.upper) ++covered;
  }
  CHECK(covered >= 180);
  CHECK(covered <= 198);
}

TEST_CASE("stratified bootstrap keeps every group's size exactly", "[bootstrap][stratified]") {
  const std::vector<confusion_counts> g = {
      {3, 1, 0, 2}, {400, 35, 1200, 90}, {0, 0, 0, 0}, {1, 0, 0, 0}};
  u::bootstrap_options o;
  o.seed = 8;
  o.method = u::resampling::stratified;
  std::vector<confusion_counts> rep(g.size());
  double mean_tp = 0.0;
  for (std::uint32_t b = 0; b < 500; ++b) {
    u::resample_counts(g, b, o, rep);
    for (std::size_t k = 0; k < g.size(); ++k) CHECK(rep[k].total() == g[k].total());
    CHECK(rep[3] == g[3]);  // a one-row group can only resample itself
    CHECK(rep[0].tn == 0);  // an empty cell stays empty
    mean_tp += static_cast<double>(rep[1].tp);
  }
  // Multinomial marginal: E[tp] = n_g * 400/1725 = 400; sd of the mean = sqrt(400*0.77/500)
  CHECK(std::fabs(mean_tp / 500.0 - 400.0) <
        5.0 * std::sqrt(400.0 * (1.0 - 400.0 / 1725.0) / 500.0));
}

TEST_CASE("stratified paired bootstrap keeps group sizes too", "[bootstrap][stratified][paired]") {
  u::paired_cells t;
  t.n = {5, 1, 2, 30, 40, 3, 1, 18};
  const std::vector<u::paired_cells> g = {t};
  u::bootstrap_options o;
  o.method = u::resampling::stratified;
  std::vector<u::paired_cells> rep(1);
  for (std::uint32_t b = 0; b < 200; ++b) {
    u::resample_paired(g, b, o, rep);
    CHECK(rep[0].total() == t.total());
  }
}

TEST_CASE("paired bootstrap of a model against itself gives a zero-width interval at zero",
          "[bootstrap][paired]") {
  // Joint cells with pred_A == pred_B only.
  std::vector<u::paired_cells> g(2);
  g[0].n[u::paired_cells::index(1, 1, 1)] = 30;
  g[0].n[u::paired_cells::index(1, 0, 0)] = 10;
  g[0].n[u::paired_cells::index(0, 1, 1)] = 5;
  g[0].n[u::paired_cells::index(0, 0, 0)] = 55;
  g[1].n[u::paired_cells::index(1, 1, 1)] = 3;
  g[1].n[u::paired_cells::index(0, 0, 0)] = 9;
  for (auto method : {u::resampling::poisson, u::resampling::stratified}) {
    u::bootstrap_options o;
    o.replicates = 300;
    o.method = method;
    const auto r = u::paired_bootstrap(std::span<const u::paired_cells>(g),
                                       u::paired_change(selection_rate_difference), o);
    CHECK(r.estimate == 0.0);
    CHECK(r.ci.lower == 0.0);
    CHECK(r.ci.upper == 0.0);
    for (double v : r.values) {
      if (!std::isnan(v)) CHECK(v == 0.0);
    }
  }
}

TEST_CASE("pairing makes the interval for a change much narrower than independent resampling",
          "[bootstrap][paired]") {
  // The candidate agrees with the baseline on all but 4% of 2000 rows per group.
  std::vector<u::paired_cells> g(2);
  for (auto& t : g) {
    t.n[u::paired_cells::index(1, 1, 1)] = 500;
    t.n[u::paired_cells::index(1, 0, 0)] = 200;
    t.n[u::paired_cells::index(0, 1, 1)] = 180;
    t.n[u::paired_cells::index(0, 0, 0)] = 1040;
    t.n[u::paired_cells::index(1, 1, 0)] = 50;
    t.n[u::paired_cells::index(0, 0, 1)] = 30;
  }
  u::bootstrap_options o;
  o.replicates = 500;
  const auto paired = u::paired_bootstrap(std::span<const u::paired_cells>(g),
                                          u::paired_change(selection_rate_difference), o);
  CHECK(paired.estimate == selection_rate_difference(
                               std::vector<confusion_counts>{g[0].candidate(), g[1].candidate()}) -
                               selection_rate_difference(std::vector<confusion_counts>{
                                   g[0].baseline(), g[1].baseline()}));
  // Unpaired: resample each model's tables independently (different seeds).
  const std::vector<confusion_counts> base = {g[0].baseline(), g[1].baseline()};
  const std::vector<confusion_counts> cand = {g[0].candidate(), g[1].candidate()};
  u::bootstrap_options ob = o, oc = o;
  ob.seed = 1;
  oc.seed = 2;
  const auto rb = u::bootstrap_counts(counts_span(base), selection_rate_difference, ob);
  const auto rc = u::bootstrap_counts(counts_span(cand), selection_rate_difference, oc);
  std::vector<double> diff(o.replicates);
  for (std::size_t b = 0; b < diff.size(); ++b) diff[b] = rc.values[b] - rb.values[b];
  const auto unpaired = u::summarize_replicates(0.0, diff, 0.95);
  CHECK((paired.ci.upper - paired.ci.lower) < 0.5 * (unpaired.ci.upper - unpaired.ci.lower));
}

TEST_CASE("undefined replicates are excluded from the interval and counted", "[bootstrap]") {
  // Group 0 has one positive row: TPR is undefined whenever its tp and fn draws are both 0
  // (probability e^-1 per replicate).
  const std::vector<confusion_counts> g = {{1, 3, 20, 0}};
  u::bootstrap_options o;
  o.replicates = 1000;
  const auto r = u::bootstrap_counts(counts_span(g), tpr0, o);
  std::vector<double> defined;
  std::uint32_t nan = 0;
  for (double v : r.values) {
    if (std::isnan(v)) {
      ++nan;
    } else {
      defined.push_back(v);
    }
  }
  CHECK(r.n_undefined == nan);
  CHECK(nan > 250);  // ~368 expected
  CHECK(nan < 500);
  CHECK(r.ci.defined);
  CHECK(r.ci.lower == u::quantile(defined, (1.0 - 0.95) / 2.0));
  CHECK(r.ci.upper == u::quantile(defined, 1.0 - (1.0 - 0.95) / 2.0));
}

TEST_CASE("a bootstrap with no defined replicate has an undefined interval", "[bootstrap]") {
  const auto r = u::summarize_replicates(std::nan(""), std::vector<double>(10, std::nan("")), 0.9);
  CHECK_FALSE(r.ci.defined);
  CHECK(r.n_undefined == 10);
  CHECK(std::isnan(r.ci.lower));
}

TEST_CASE("bootstrap results list the groups below the minimum support", "[bootstrap]") {
  const std::vector<confusion_counts> g = {{10, 10, 10, 10}, {1, 1, 1, 1}, {4, 5, 5, 5}};
  u::bootstrap_options o;
  o.replicates = 10;
  o.min_support = 20;  // totals 40, 4, 19
  const auto r = u::bootstrap_counts(counts_span(g), tpr0, o);
  CHECK(r.low_support_groups == std::vector<std::uint32_t>{1, 2});
  CHECK(r.ci.low_support);
}

TEST_CASE("row bootstrap gives the same bits for any sharding, thread count and row order",
          "[bootstrap][rows]") {
  const rows r = make_rows(4000, 3, 3);
  std::vector<double> w(r.y.size());
  rng::stream ws(1, rng::purposes::test, 77);
  for (double& x : w) x = rng::uniform_double(ws) * 3.0;
  const auto make_in = [&](std::size_t from, std::size_t to, bool weighted) {
    auto in = inputs_of(r, 3, from, to);
    if (weighted) in.weights = fm::real_view(std::span<const double>(w).subspan(from, to - from));
    return in;
  };
  for (bool weighted : {false, true}) {
    u::row_bootstrap whole(3, 20, 42);
    whole.add(make_in(0, 4000, weighted), 0);
    // two threads, one shard each, merged in the opposite order
    u::row_bootstrap t1(3, 20, 42), t2(3, 20, 42);
    std::thread a([&] { t1.add(make_in(0, 1500, weighted), 0); });
    std::thread b([&] { t2.add(make_in(1500, 4000, weighted), 1500); });
    a.join();
    b.join();
    t2.merge(t1);
    // rows in reverse order, each with its own id
    rows rev = r;
    std::reverse(rev.y.begin(), rev.y.end());
    std::reverse(rev.pred.begin(), rev.pred.end());
    std::reverse(rev.group.begin(), rev.group.end());
    std::vector<double> wrev(w.rbegin(), w.rend());
    std::vector<std::uint64_t> ids(4000);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = 3999 - i;
    auto in_rev = inputs_of(rev, 3, 0, 4000);
    if (weighted) in_rev.weights = fm::real_view(std::span<const double>(wrev));
    u::row_bootstrap reversed(3, 20, 42);
    reversed.add(in_rev, ids);
    for (std::uint32_t rep = 0; rep < 20; ++rep) {
      for (std::uint32_t g = 0; g < 3; ++g) {
        CHECK(whole.counts(rep)[g] == t2.counts(rep)[g]);
        CHECK(whole.counts(rep)[g] == reversed.counts(rep)[g]);
        const auto x = whole.weights(rep)[g];
        const auto y = t2.weights(rep)[g];
        const auto z = reversed.weights(rep)[g];
        CHECK(std::bit_cast<std::uint64_t>(x.tp) == std::bit_cast<std::uint64_t>(y.tp));
        CHECK(std::bit_cast<std::uint64_t>(x.fn) == std::bit_cast<std::uint64_t>(z.fn));
        CHECK(std::bit_cast<std::uint64_t>(x.fp) == std::bit_cast<std::uint64_t>(z.fp));
      }
    }
  }
}

TEST_CASE("row bootstrap with unit weights equals its unweighted counts", "[bootstrap][rows]") {
  const rows r = make_rows(1000, 2, 4);
  const std::vector<float> ones(r.y.size(), 1.0f);
  auto in = inputs_of(r, 2, 0, r.y.size());
  in.weights = fm::real_view(std::span<const float>(ones));
  u::row_bootstrap rb(2, 15, 9);
  rb.add(in, 0);
  for (std::uint32_t b = 0; b < 15; ++b) {
    const auto wt = rb.weights(b);
    for (std::uint32_t g = 0; g < 2; ++g) {
      const auto c = rb.counts(b)[g];
      CHECK(wt[g].tp == static_cast<double>(c.tp));
      CHECK(wt[g].fp == static_cast<double>(c.fp));
      CHECK(wt[g].tn == static_cast<double>(c.tn));
      CHECK(wt[g].fn == static_cast<double>(c.fn));
    }
  }
}

TEST_CASE("row weights are a pure function of seed, replicate and row id", "[bootstrap][rows]") {
  std::vector<std::uint32_t> bulk(100);
  u::row_weights(5, 3, 1000, bulk);
  for (std::size_t i = 0; i < bulk.size(); ++i) CHECK(bulk[i] == u::row_weight(5, 3, 1000 + i));
}

TEST_CASE("bootstrap rejects bad options and bad rows", "[bootstrap][errors]") {
  const std::vector<confusion_counts> g = {{1, 2, 3, 4}};
  u::bootstrap_options o;
  o.replicates = 0;
  CHECK_THROWS_AS(u::bootstrap_counts(counts_span(g), tpr0, o), fairgate::error);
  o.replicates = 10;
  o.confidence = 1.0;
  CHECK_THROWS_AS(u::bootstrap_counts(counts_span(g), tpr0, o), fairgate::error);
  std::vector<confusion_counts> out(2);
  CHECK_THROWS_AS(u::resample_counts(g, 0, {}, out), fairgate::error);

  rows r = make_rows(10, 2, 5);
  r.y[6] = 3;
  u::row_bootstrap rb(2, 4, 1);
  CHECK_THROWS_WITH(rb.add(inputs_of(r, 2, 0, 10), 0), Catch::Contains("labels[6] = 3"));
  r.y[6] = 1;
  std::vector<double> w(10, 1.0);
  w[4] = -2.0;
  auto in = inputs_of(r, 2, 0, 10);
  in.weights = fm::real_view(std::span<const double>(w));
  CHECK_THROWS_WITH(rb.add(in, 0), Catch::Contains("weights[4]"));
  u::row_bootstrap unweighted(2, 4, 1);
  unweighted.add(inputs_of(r, 2, 0, 10), 0);
  w[4] = 1.0;
  CHECK_THROWS_AS(unweighted.add(in, 10), fairgate::error);  // mixing weighted and unweighted
  u::row_bootstrap other_seed(2, 4, 2);
  CHECK_THROWS_AS(unweighted.merge(other_seed), fairgate::error);
}
