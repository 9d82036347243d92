// Rates, metric frames and the named disparities: hand-computed cases and properties.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/frame.hpp>
#include <fairgate/metrics/rates.hpp>

#include "metrics/random_data.hpp"

namespace fm = fairgate::metrics;
using fm::metric;

namespace {
fm::group_accumulator from_counts(std::initializer_list<fm::confusion_counts> groups) {
  fm::group_accumulator acc(static_cast<std::uint32_t>(groups.size()));
  std::uint32_t g = 0;
  for (const auto& c : groups) acc.mutable_counts()[g++] = c;
  return acc;
}
// confusion_counts field order is tp, fp, tn, fn.
fm::confusion_counts cells(std::uint64_t tp, std::uint64_t fp, std::uint64_t tn, std::uint64_t fn) {
  return {tp, fp, tn, fn};
}
double value(metric m, const fm::confusion_counts& c,
             fm::zero_division zd = fm::zero_division::nan) {
  return fm::compute(m, c, zd).value;
}
}  // namespace

TEST_CASE("every rate of a small confusion table matches the hand computation",
          "[metrics][rates]") {
  // tp=3 fp=1 tn=4 fn=2, n=10. Each expected value is one correctly rounded
  // division, so it equals the decimal literal's double.
  const auto c = cells(3, 1, 4, 2);
  CHECK(value(metric::count, c) == 10.0);
  CHECK(value(metric::selection_rate, c) == 0.4);                            // (3+1)/10
  CHECK(value(metric::base_rate, c) == 0.5);                                 // (3+2)/10
  CHECK(value(metric::accuracy, c) == 0.7);                                  // (3+4)/10
  CHECK(value(metric::error_rate, c) == 0.3);                                // (1+2)/10
  CHECK(value(metric::true_positive_rate, c) == 0.6);                        // 3/5
  CHECK(value(metric::false_negative_rate, c) == 0.4);                       // 2/5
  CHECK(value(metric::false_positive_rate, c) == 0.2);                       // 1/5
  CHECK(value(metric::true_negative_rate, c) == 0.8);                        // 4/5
  CHECK(value(metric::precision, c) == 0.75);                                // 3/4
  CHECK(value(metric::fdr, c) == 0.25);                                      // 1/4
  CHECK(value(metric::npv, c) == 4.0 / 6.0);                                 // 4/6
  CHECK(value(metric::false_omission_rate, c) == 2.0 / 6.0);                 // 2/6
  CHECK(value(metric::f1, c) == 6.0 / 9.0);                                  // 2*3 / (2*3 + 1 + 2)
  CHECK(value(metric::balanced_accuracy, c) == Approx(0.7).epsilon(1e-15));  // (0.6 + 0.8)/2
}

TEST_CASE("weighted rates use the sums of weights per cell", "[metrics][rates][weights]") {
  // Rows (y, p, w): (1,1,2) (1,0,0.5) (0,1,1.5) (0,0,1)
  // tp = 2, fn = 0.5, fp = 1.5, tn = 1, total 5.
  std::vector<std::uint8_t> y{1, 1, 0, 0}, p{1, 0, 1, 0}, g{0, 0, 0, 0};
  std::vector<double> w{2, 0.5, 1.5, 1};
  fm::binary_inputs in{
      std::span<const std::uint8_t>(y), fm::prediction_view::hard(std::span<const std::uint8_t>(p)),
      std::span<const std::uint8_t>(g), 1, fm::real_view(std::span<const double>(w))};
  const auto acc = fm::accumulate(in);
  CHECK(fm::compute(metric::true_positive_rate, acc, 0, true).value == 0.8);   // 2 / 2.5
  CHECK(fm::compute(metric::false_positive_rate, acc, 0, true).value == 0.6);  // 1.5 / 2.5
  CHECK(fm::compute(metric::selection_rate, acc, 0, true).value == 0.7);       // 3.5 / 5
  CHECK(fm::compute(metric::accuracy, acc, 0, true).value == 0.6);             // 3 / 5
  CHECK(fm::compute(metric::total_weight, acc, 0, true).value == 5.0);
  CHECK(fm::compute(metric::count, acc, 0, true).value == 4.0);  // rows, never weights
  CHECK(fm::make_frame(acc, metric::count, {.weighted = true}).overall.value == 4.0);
  CHECK(fm::make_frame(acc, metric::total_weight, {.weighted = true}).overall.value == 5.0);
  CHECK(fm::compute(metric::true_positive_rate, acc, 0, false).value == 0.5);  // unweighted 1/2
}

TEST_CASE("a zero denominator gives NaN flagged undefined, or sklearn's 0 in compat mode",
          "[metrics][rates]") {
  const auto no_pos = cells(0, 2, 3, 0);  // no y = 1 rows
  const auto r = fm::compute(metric::true_positive_rate, no_pos);
  CHECK(std::isnan(r.value));
  CHECK(r.undefined);
  const auto z = fm::compute(metric::true_positive_rate, no_pos, fm::zero_division::zero);
  CHECK(z.value == 0.0);
  CHECK(z.undefined);
  CHECK(fm::compute(metric::precision, cells(0, 0, 3, 1), fm::zero_division::one).value == 1.0);
  CHECK(fm::compute(metric::f1, cells(0, 0, 3, 0), fm::zero_division::zero).value == 0.0);
  CHECK(!fm::compute(metric::false_positive_rate, no_pos).undefined);
}

TEST_CASE("balanced accuracy in compat mode is the recall of the only class present, as sklearn",
          "[metrics][rates]") {
  // Only negatives: TNR = 3/5; sklearn drops the absent class and averages the rest.
  const auto c = cells(0, 2, 3, 0);
  CHECK(std::isnan(value(metric::balanced_accuracy, c)));
  CHECK(value(metric::balanced_accuracy, c, fm::zero_division::zero) == 0.6);
  CHECK(value(metric::balanced_accuracy, cells(0, 0, 0, 0), fm::zero_division::zero) == 0.0);
}

TEST_CASE("regression metrics of a group by hand", "[metrics][rates][regression]") {
  // (y, p) = (1, 2), (3, 1), (0, 0.5): |d| = 1, 2, 0.5; d^2 = 1, 4, 0.25.
  std::vector<double> y{1, 3, 0}, p{2, 1, 0.5};
  std::vector<std::uint8_t> g{0, 0, 0};
  fm::regression_inputs in{std::span<const double>(y), std::span<const double>(p),
                           std::span<const std::uint8_t>(g), 1};
  const auto acc = fm::accumulate(in);
  CHECK(fm::compute(metric::mean_prediction, acc, 0, false).value == 3.5 / 3.0);
  CHECK(fm::compute(metric::mae, acc, 0, false).value == 3.5 / 3.0);
  CHECK(fm::compute(metric::mse, acc, 0, false).value == 5.25 / 3.0);
  CHECK(fm::compute(metric::rmse, acc, 0, false).value == std::sqrt(5.25 / 3.0));
  const auto f = fm::make_frame(acc, metric::mae);
  CHECK(f.overall.value == 3.5 / 3.0);
}

// ---------------------------------------------------------------- frames

namespace {
// Fairlearn's MetricFrame docstring example: F has selection rate 0.8 and
// accuracy 0.8, M has 0.4 and 0.6 (5 rows each).
//   F: y_pred 1 1 1 1 0, y_true 1 1 1 0 0 -> 4 selected; correct rows 0,1,2,4 -> 4/5
//   M: y_pred 1 1 0 0 0, y_true 1 0 0 1 0 -> 2 selected; correct rows 0,2,4   -> 3/5
fm::group_accumulator fairlearn_example() {
  std::vector<std::uint8_t> y{1, 1, 1, 0, 0, 1, 0, 0, 1, 0};
  std::vector<std::uint8_t> p{1, 1, 1, 1, 0, 1, 1, 0, 0, 0};
  std::vector<std::uint8_t> g{0, 0, 0, 0, 0, 1, 1, 1, 1, 1};  // 0 = F, 1 = M
  fm::binary_inputs in{std::span<const std::uint8_t>(y),
                       fm::prediction_view::hard(std::span<const std::uint8_t>(p)),
                       std::span<const std::uint8_t>(g), 2};
  return fm::accumulate(in);
}
}  // namespace

TEST_CASE(
    "the Fairlearn MetricFrame example: selection rate 0.8 / 0.4 gives difference 0.4 and ratio "
    "0.5",
    "[metrics][frame]") {
  const auto f = fm::make_frame(fairlearn_example(), metric::selection_rate);
  CHECK(f.by_group[0].value == 0.8);
  CHECK(f.by_group[1].value == 0.4);
  CHECK(f.overall.value == 0.6);       // 6 / 10
  CHECK(f.difference().value == 0.4);  // 0.8 - 0.4 (exact: same significand)
  CHECK(f.ratio().value == 0.5);       // 0.4 / 0.8
  CHECK(f.group_min().value == 0.4);
  CHECK(f.group_max().value == 0.8);
  // to_overall: max(|0.8-0.6|, |0.4-0.6|) = 0.2; min(0.6/0.8, 0.4/0.6) = 2/3.
  CHECK(f.difference(fm::aggregation::to_overall).value == Approx(0.2).epsilon(1e-15));
  CHECK(f.ratio(fm::aggregation::to_overall).value == Approx(2.0 / 3.0).epsilon(1e-15));
  CHECK(fm::demographic_parity_difference(fairlearn_example()).value == 0.4);
  CHECK(fm::demographic_parity_ratio(fairlearn_example()).value == 0.5);
}

TEST_CASE(
    "the Fairlearn MetricFrame example: accuracy 0.8 / 0.6 gives difference 0.2 and ratio 0.75",
    "[metrics][frame]") {
  const auto f = fm::make_frame(fairlearn_example(), metric::accuracy);
  CHECK(f.by_group[0].value == 0.8);
  CHECK(f.by_group[1].value == 0.6);
  CHECK(f.difference().value == Approx(0.2).epsilon(1e-15));
  CHECK(f.ratio().value == Approx(0.75).epsilon(1e-15));
  CHECK(f.difference().skipped.empty());
}

TEST_CASE("undefined groups are skipped by aggregates and listed", "[metrics][frame]") {
  // Group 2 has no negatives: FPR undefined. FPR: 1/4 and 2/4 -> diff 0.25.
  const auto acc = from_counts({cells(3, 1, 3, 1), cells(1, 2, 2, 3), cells(2, 0, 0, 2)});
  const auto f = fm::make_frame(acc, metric::false_positive_rate);
  CHECK(f.by_group[2].undefined);
  const auto d = f.difference();
  CHECK(d.value == 0.25);
  CHECK(d.skipped == std::vector<std::uint32_t>{2});
  // In sklearn compat mode group 2's FPR is 0 and is used: max 0.5 - min 0 = 0.5.
  const auto z =
      fm::make_frame(acc, metric::false_positive_rate, {.zero_div = fm::zero_division::zero});
  CHECK(z.difference().value == 0.5);
  CHECK(z.difference().skipped.empty());
}

TEST_CASE("empty groups are reported with count 0 and never aggregated, even in compat mode",
          "[metrics][frame]") {
  const auto acc = from_counts({cells(3, 1, 3, 1), cells(0, 0, 0, 0), cells(1, 2, 2, 3)});
  const auto f = fm::make_frame(acc, metric::selection_rate, {.zero_div = fm::zero_division::zero});
  CHECK(f.by_group[1].support == 0);
  CHECK(std::isnan(f.by_group[1].value));
  CHECK(f.difference().skipped == std::vector<std::uint32_t>{1});
  CHECK(f.difference().value == 0.5 - 0.375);  // 4/8 - 3/8
  const auto counts = fm::make_frame(acc, metric::count);
  CHECK(counts.by_group[1].value == 0.0);
}

TEST_CASE("every group undefined makes the aggregate undefined", "[metrics][frame]") {
  const auto acc = from_counts({cells(0, 1, 1, 0), cells(0, 2, 0, 0)});
  const auto d = fm::make_frame(acc, metric::true_positive_rate).difference();
  CHECK(d.undefined);
  CHECK(std::isnan(d.value));
  CHECK(d.skipped == std::vector<std::uint32_t>{0, 1});
}

TEST_CASE("ratios with a zero denominator are undefined", "[metrics][frame]") {
  const auto acc = from_counts({cells(0, 0, 3, 1), cells(0, 0, 2, 2)});  // nobody selected
  const auto f = fm::make_frame(acc, metric::selection_rate);
  CHECK(f.difference().value == 0.0);
  CHECK(f.ratio().undefined);
  CHECK(f.ratio(fm::aggregation::to_overall).undefined);
}

TEST_CASE("groups below min_support are flagged in by_group and in every aggregate",
          "[metrics][frame]") {
  const auto acc =
      from_counts({cells(3, 1, 3, 1), cells(1, 1, 1, 0), cells(1, 2, 2, 3)});  // group 1: 3 rows
  const auto f = fm::make_frame(acc, metric::selection_rate, {.min_support = 5});
  CHECK(f.by_group[1].low_support);
  CHECK(!f.by_group[0].low_support);
  CHECK(f.difference().low_support == std::vector<std::uint32_t>{1});
  CHECK(f.ratio().low_support == std::vector<std::uint32_t>{1});
  CHECK(fm::demographic_parity_difference(acc, {.min_support = 5}).low_support ==
        std::vector<std::uint32_t>{1});
  const auto ex =
      fm::make_frame(acc, metric::selection_rate, {.min_support = 5, .exclude_low_support = true});
  CHECK(ex.difference().skipped == std::vector<std::uint32_t>{1});
  CHECK(ex.difference().value == 0.5 - 0.375);  // 4/8 - 3/8 without group 1 (2/3)
}

// ---------------------------------------------------------------- disparities

namespace {
// A: tp=3 fn=1 fp=1 tn=3 -> TPR 0.75, FPR 0.25, SR 0.5,   ERR 0.25
// B: tp=1 fn=3 fp=2 tn=2 -> TPR 0.25, FPR 0.5,  SR 0.375, ERR 0.625
fm::group_accumulator two_groups() {
  return from_counts({cells(3, 1, 3, 1), cells(1, 2, 2, 3)});
}
}  // namespace

TEST_CASE("Fairlearn equalized odds and equal opportunity by hand", "[metrics][disparities]") {
  const auto acc = two_groups();
  // d_TPR = 0.5, d_FPR = 0.25; r_TPR = 1/3, r_FPR = 1/2.
  CHECK(fm::equalized_odds_difference(acc).value == 0.5);
  CHECK(fm::equalized_odds_difference(acc, {.agg = fm::eo_aggregation::mean}).value == 0.375);
  CHECK(fm::equalized_odds_ratio(acc).value == 0.25 / 0.75);
  CHECK(fm::equalized_odds_ratio(acc, {.agg = fm::eo_aggregation::mean}).value ==
        Approx(5.0 / 12.0).epsilon(1e-15));
  CHECK(fm::equal_opportunity_difference(acc).value == 0.5);
  CHECK(fm::equal_opportunity_ratio(acc).value == 0.25 / 0.75);
  CHECK(fm::demographic_parity_difference(acc).value == 0.125);
  CHECK(fm::demographic_parity_ratio(acc).value == 0.75);
}

TEST_CASE("equalized odds lists groups skipped by either part", "[metrics][disparities]") {
  // Group 2 has no negatives, so only its FPR is undefined.
  const auto acc = from_counts({cells(3, 1, 3, 1), cells(1, 2, 2, 3), cells(2, 0, 0, 2)});
  const auto eo = fm::equalized_odds_difference(acc);
  CHECK(eo.skipped == std::vector<std::uint32_t>{2});
  // TPR over all three: 0.75, 0.25, 0.5 -> 0.5; FPR over 0 and 1 -> 0.25.
  CHECK(eo.value == 0.5);
}

TEST_CASE("AIF360 metrics of unprivileged B vs privileged A by hand",
          "[metrics][disparities][aif360]") {
  const auto acc = two_groups();
  const fm::group_split s{.unprivileged = {1}, .privileged = {0}};
  CHECK(fm::statistical_parity_difference(acc, s).value == -0.125);  // 0.375 - 0.5
  CHECK(fm::disparate_impact(acc, s).value == 0.75);                 // 0.375 / 0.5
  CHECK(fm::average_odds_difference(acc, s).value == -0.125);        // ((0.5-0.25) + (0.25-0.75))/2
  CHECK(fm::average_abs_odds_difference(acc, s).value == 0.375);     // (0.25 + 0.5)/2
  CHECK(fm::aif360_equal_opportunity_difference(acc, s).value == -0.5);  // 0.25 - 0.75
  CHECK(fm::error_rate_difference(acc, s).value == 0.375);               // 0.625 - 0.25
  CHECK(fm::error_rate_ratio(acc, s).value == 2.5);                      // 0.625 / 0.25
  CHECK(fm::false_negative_rate_difference(acc, s).value == 0.5);        // 0.75 - 0.25
  CHECK(fm::false_negative_rate_ratio(acc, s).value == 3.0);
  CHECK(fm::false_positive_rate_difference(acc, s).value == 0.25);  // 0.5 - 0.25
  CHECK(fm::false_positive_rate_ratio(acc, s).value == 2.0);
  CHECK(fm::false_discovery_rate_difference(acc, s).value ==
        Approx(5.0 / 12.0).epsilon(1e-15));  // 2/3 - 1/4
  CHECK(fm::false_discovery_rate_ratio(acc, s).value == Approx(8.0 / 3.0).epsilon(1e-15));
  CHECK(fm::false_omission_rate_difference(acc, s).value ==
        Approx(0.35).epsilon(1e-15));  // 3/5 - 1/4
  CHECK(fm::false_omission_rate_ratio(acc, s).value == Approx(2.4).epsilon(1e-15));
  // ((PPV 1/3 - 3/4) + (FOR 3/5 - 1/4)) / 2 = (-5/12 + 7/20)/2 = -1/30
  CHECK(fm::average_predictive_value_difference(acc, s).value ==
        Approx(-1.0 / 30.0).epsilon(1e-14));
}

TEST_CASE("swapping privileged and unprivileged negates differences and inverts ratios",
          "[metrics][disparities][aif360]") {
  const auto d = fg_test::make_binary(4000, 4, 77);
  for (bool weighted : {false, true}) {
    const auto acc = fm::accumulate(d.inputs(0.5, weighted));
    const fm::group_split s{.unprivileged = {0, 2}, .privileged = {1}};
    const fm::group_split t{.unprivileged = {1}, .privileged = {0, 2}};
    using A = fm::aif360_metric;
    for (A m : {A::statistical_parity_difference, A::average_odds_difference,
                A::equal_opportunity_difference, A::error_rate_difference,
                A::false_positive_rate_difference, A::false_negative_rate_difference,
                A::false_discovery_rate_difference, A::false_omission_rate_difference,
                A::average_predictive_value_difference}) {
      const auto a = fm::compare(m, acc, s, {.weighted = weighted});
      const auto b = fm::compare(m, acc, t, {.weighted = weighted});
      REQUIRE(!a.undefined);
      REQUIRE(a.value == -b.value);
    }
    for (A m : {A::disparate_impact, A::error_rate_ratio, A::false_positive_rate_ratio,
                A::false_negative_rate_ratio, A::false_discovery_rate_ratio,
                A::false_omission_rate_ratio}) {
      const auto a = fm::compare(m, acc, s, {.weighted = weighted});
      const auto b = fm::compare(m, acc, t, {.weighted = weighted});
      REQUIRE(a.value * b.value == Approx(1.0).epsilon(1e-14));
    }
    CHECK(fm::average_abs_odds_difference(acc, s, {.weighted = weighted}).value ==
          fm::average_abs_odds_difference(acc, t, {.weighted = weighted}).value);
  }
}

TEST_CASE("several unprivileged groups are pooled like AIF360's list of conditions",
          "[metrics][disparities][aif360]") {
  // Groups 1 and 2 pooled must equal one group holding their rows.
  const auto three = from_counts({cells(3, 1, 3, 1), cells(1, 2, 2, 3), cells(2, 0, 5, 1)});
  const auto two = from_counts({cells(3, 1, 3, 1), cells(3, 2, 7, 4)});
  const auto a =
      fm::statistical_parity_difference(three, {.unprivileged = {1, 2}, .privileged = {0}});
  const auto b = fm::statistical_parity_difference(two, {.unprivileged = {1}, .privileged = {0}});
  CHECK(a.value == b.value);
}

TEST_CASE("comparison to a reference group gives one value per group",
          "[metrics][disparities][aif360]") {
  const auto acc = from_counts({cells(3, 1, 3, 1), cells(1, 2, 2, 3), cells(2, 0, 5, 1)});
  const auto v = fm::compare_to_reference(fm::aif360_metric::statistical_parity_difference, acc, 0);
  REQUIRE(v.size() == 3);
  CHECK(v[0].value == 0.0);
  CHECK(v[1].value == 0.375 - 0.5);
  CHECK(v[2].value == 0.25 - 0.5);  // 2/8 - 4/8
  const auto r = fm::compare_to_reference(fm::aif360_metric::disparate_impact, acc, 0);
  CHECK(r[0].value == 1.0);
  CHECK(r[2].value == 0.5);
}

TEST_CASE("an AIF360 ratio with a privileged rate of 0 is undefined, with the sides listed",
          "[metrics][disparities][aif360]") {
  const auto acc = from_counts({cells(0, 0, 3, 1), cells(1, 2, 2, 3), cells(0, 0, 0, 0)});
  const auto di = fm::disparate_impact(acc, {.unprivileged = {1}, .privileged = {0}});
  CHECK(di.undefined);
  CHECK(std::isnan(di.value));
  const auto e = fm::statistical_parity_difference(acc, {.unprivileged = {2}, .privileged = {0}});
  CHECK(e.undefined);
  CHECK(e.skipped == std::vector<std::uint32_t>{2});
}

TEST_CASE("an invalid group split is an error naming the group", "[metrics][disparities][errors]") {
  const auto acc = two_groups();
  try {
    (void)fm::disparate_impact(acc, {.unprivileged = {0}, .privileged = {0}});
    FAIL("accepted");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::invalid_argument);
    CHECK(std::string(e.what()).find("group 0 is on both") != std::string::npos);
  }
  try {
    (void)fm::disparate_impact(acc, {.unprivileged = {5}, .privileged = {0}});
    FAIL("accepted");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == fairgate::errc::out_of_range);
    CHECK(std::string(e.what()).find("unprivileged[0] = 5") != std::string::npos);
  }
}
