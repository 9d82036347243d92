// prune::saliency (Taylor, OBD, group rules, FairGRAPE) and prune::schedule.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/saliency.hpp>
#include <fairgate/prune/schedule.hpp>
#include <fairgate/rng/stream.hpp>

#include "prune_test_util.hpp"

using fairgate::errc;
using fairgate::prune::amount;
using fairgate::prune::schedule;
using fairgate::tensor::mask;
using fairgate::tensor::view;
using prune_test::bits;
using prune_test::code_of;
namespace fp = fairgate::prune;

TEST_CASE("First-order Taylor saliency is |w * g| (hand-computed)") {
  std::vector<float> w = {1, -2, 3}, g = {0.5f, 0.5f, -1};
  CHECK(fp::taylor_first_order(view::contiguous(w.data(), {3}), view::contiguous(g.data(), {3})) ==
        std::vector<double>{0.5, 1.0, 3.0});
}

TEST_CASE("OBD saliency is h * w^2 / 2 (hand-computed)") {
  // 0.5*2*1 = 1 ; 0.5*1*4 = 2 ; 0.5*0.5*9 = 2.25
  std::vector<double> w = {1, -2, 3}, h = {2, 1, 0.5};
  CHECK(fp::obd(view::contiguous(w.data(), {3}), view::contiguous(h.data(), {3})) ==
        std::vector<double>{1.0, 2.0, 2.25});
  std::vector<double> bad = {1, std::numeric_limits<double>::infinity(), 1};
  CHECK(code_of([&] {
          (void)fp::obd(view::contiguous(w.data(), {3}), view::contiguous(bad.data(), {3}));
        }) == errc::invalid_value);
  std::vector<double> short_h = {1, 2};
  CHECK(code_of([&] {
          (void)fp::obd(view::contiguous(w.data(), {3}), view::contiguous(short_h.data(), {2}));
        }) == errc::length_mismatch);
}

TEST_CASE("Group rules: min over groups and the FairPrune gap (hand-computed)") {
  const std::vector<double> g0 = {1, 5, 2}, g1 = {4, 0.5, 2};
  const std::span<const double> groups[] = {g0, g1};
  CHECK(fp::combine_min(groups) == std::vector<double>{1, 0.5, 2});
  // unprivileged = g0, privileged = g1, beta = 1: 1-4 = -3, 5-0.5 = 4.5, 2-2 = 0
  CHECK(fp::fairprune_gap(g0, g1) == std::vector<double>{-3, 4.5, 0});
  // beta = 2: 1-8 = -7, 5-1 = 4, 2-4 = -2
  CHECK(fp::fairprune_gap(g0, g1, 2.0) == std::vector<double>{-7, 4, -2});
  const std::vector<double> g2 = {1, 2};
  const std::span<const double> uneven[] = {g0, g2};
  CHECK(code_of([&] { (void)fp::combine_min(uneven); }) == errc::length_mismatch);
}

TEST_CASE("Saliency pruning removes the lowest scores, negative ones first, ties by index") {
  const std::vector<double> s = {-3, 4.5, 0, 0, 7};
  const auto r = fp::saliency_unstructured(mask({5}), s, amount::count(3), "w");
  // lowest: -3 (0), then 0 (2) and 0 (3)
  CHECK(bits(r.mask) == std::vector<int>{0, 1, 0, 0, 1});
  const std::vector<double> nan = {1, std::numeric_limits<double>::quiet_NaN()};
  CHECK(code_of([&] { (void)fp::saliency_unstructured(mask({2}), nan, amount::count(1)); }) ==
        errc::invalid_value);
  CHECK(code_of([&] { (void)fp::saliency_unstructured(mask({3}), nan, amount::count(1)); }) ==
        errc::length_mismatch);
}

TEST_CASE("Saliency pruning by |w| gives the same mask as L1 pruning") {
  std::vector<double> w(50);
  fairgate::rng::stream st(5, fairgate::rng::purposes::test);
  for (auto& x : w) x = static_cast<double>(static_cast<std::int32_t>(st.next_u32()));
  std::vector<double> s(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) s[i] = std::fabs(w[i]);
  const view v = view::contiguous(w.data(), {5, 10});
  CHECK(fp::saliency_unstructured(mask({5, 10}), s, amount::fraction(0.42)).mask ==
        fp::l1_unstructured(v, amount::fraction(0.42)).mask);
}

TEST_CASE("Global saliency pruning selects across tensors and matches per-tensor for one tensor") {
  // t0 scores [3, 1], t1 scores [2, 0.5, 9]; k = 2 -> t1[1] (0.5) and t0[1] (1).
  const std::vector<double> a = {3, 1}, b = {2, 0.5, 9};
  const std::span<const double> scores[] = {a, b};
  const mask masks[] = {mask({2}), mask({3})};
  const auto g = fp::global_saliency_unstructured(masks, scores, amount::count(2));
  CHECK(bits(g.masks[0]) == std::vector<int>{1, 0});
  CHECK(bits(g.masks[1]) == std::vector<int>{1, 0, 1});
  const auto g1 = fp::global_saliency_unstructured(
      std::span<const mask>(masks, 1), std::span<const std::span<const double>>(scores, 1),
      amount::fraction(1.0));
  CHECK(g1.masks[0].count_kept() == 0);
  CHECK(g1.masks[0] == fp::saliency_unstructured(masks[0], a, amount::fraction(1.0)).mask);
}

TEST_CASE(
    "FairGRAPE keeps the weights that preserve each group's share of importance (hand-computed)") {
  // s0 = [4, 0, 1, 0], s1 = [0, 3, 0, 1]; I0 = 5, I1 = 4 -> target shares 5/9, 4/9.
  // keep 2 (amount 0.5 of 4):
  //   step 1: nothing kept, shares 0 -> deficits 5/9 > 4/9 -> group 0 -> its best: index 0 (4).
  //   step 2: shares 1, 0 -> deficits -4/9, 4/9 -> group 1 -> its best: index 1 (3).
  // kept {0, 1}. The min rule would instead score [0, 0, 0, 0] and prune 0 and 1.
  const std::vector<double> s0 = {4, 0, 1, 0}, s1 = {0, 3, 0, 1};
  const std::span<const double> groups[] = {s0, s1};
  const auto r = fp::fairgrape(mask({4}), groups, amount::fraction(0.5));
  CHECK(bits(r.mask) == std::vector<int>{1, 1, 0, 0});
  const auto by_min =
      fp::saliency_unstructured(mask({4}), fp::combine_min(groups), amount::fraction(0.5));
  CHECK(bits(by_min.mask) == std::vector<int>{0, 0, 1, 1});
}

TEST_CASE("FairGRAPE with one group keeps the top scores, like plain saliency pruning") {
  std::vector<double> s(40);
  fairgate::rng::stream st(8, fairgate::rng::purposes::test);
  for (auto& x : s) x = static_cast<double>(st.next_u32());
  const std::span<const double> one[] = {s};
  mask existing({40});
  existing.set(3, false);
  CHECK(fp::fairgrape(existing, one, amount::fraction(0.3)).mask ==
        fp::saliency_unstructured(existing, s, amount::fraction(0.3)).mask);
}

TEST_CASE("FairGRAPE rejects negative importances") {
  const std::vector<double> s0 = {1, -1};
  const std::span<const double> groups[] = {s0};
  CHECK(code_of([&] { (void)fp::fairgrape(mask({2}), groups, amount::count(1)); }) ==
        errc::invalid_value);
}

TEST_CASE("Polynomial decay follows TF-MOT's formula and update frequency (hand-computed)") {
  // s_i = 0, s_f = 0.8, t0 = 0, t1 = 100, freq 10, power 3.
  const auto s = schedule::polynomial(0.0, 0.8, 0, 100, 10);
  CHECK(s.target(0) == 0.0);
  CHECK(s.target(50) == Approx(0.7).epsilon(1e-15));  // 0.8 + (0 - 0.8) * 0.5^3 = 0.7
  CHECK(s.target(100) == 0.8);
  CHECK(s.target(150) == 0.8);
  CHECK(s.updates_at(50));
  CHECK_FALSE(s.updates_at(55));
  CHECK_FALSE(s.updates_at(110));
  CHECK(s.in_force(59) == s.target(50));
  CHECK(s.in_force(-5) == 0.0);
}

TEST_CASE("Linear, cubic, exponential and one-shot schedules (hand-computed endpoints)") {
  // linear at p = 0.25: 0.8 - 0.8 * 0.75 = 0.2
  CHECK(schedule::linear(0.0, 0.8, 0, 100).target(25) == Approx(0.2).epsilon(1e-15));
  CHECK(schedule::cubic(0.1, 0.9, 0, 100).target(30) ==
        schedule::polynomial(0.1, 0.9, 0, 100, 100, 3).target(30));
  const auto e = schedule::exponential(0.0, 0.8, 0, 100, 10, 5.0);
  CHECK(e.target(0) == 0.0);    // decay = (e^0 - e^-5) / (1 - e^-5) = 1 exactly
  CHECK(e.target(100) == 0.8);  // decay = 0
  double prev = -1.0;
  for (std::int64_t t = 0; t <= 100; t += 10) {
    CHECK(e.target(t) >= prev);
    prev = e.target(t);
  }
  CHECK(e.target(50) > schedule::linear(0.0, 0.8, 0, 100).target(50));  // front-loaded
  const auto o = schedule::one_shot(0.6, 20);
  CHECK(o.target(19) == 0.0);
  CHECK(o.target(20) == 0.6);
  CHECK(o.updates_at(20));
  CHECK_FALSE(o.updates_at(30));
}

TEST_CASE("Schedules reject invalid parameters") {
  CHECK(code_of([] { (void)schedule::polynomial(0.0, 1.5, 0, 10); }) == errc::invalid_argument);
  CHECK(code_of([] { (void)schedule::linear(0.0, 0.5, 10, 10); }) == errc::invalid_argument);
  CHECK(code_of([] { (void)schedule::polynomial(0.0, 0.5, 0, 10, 0); }) == errc::invalid_argument);
  CHECK(code_of([] { (void)schedule::polynomial(0.0, 0.5, 0, 10, 1, 0); }) ==
        errc::invalid_argument);
  CHECK(code_of([] { (void)schedule::exponential(0.0, 0.5, 0, 10, 1, -1.0); }) ==
        errc::invalid_argument);
}

TEST_CASE("Masks are monotone and hit round(target * n) under a growing schedule") {
  std::vector<float> w(1000);
  fairgate::rng::stream st(21, fairgate::rng::purposes::test);
  for (auto& x : w) x = static_cast<float>(static_cast<std::int32_t>(st.next_u32())) * 0x1p-31f;
  const view v = view::contiguous(w.data(), {1000});
  const auto s = schedule::polynomial(0.0, 0.9, 0, 1000, 100);
  mask m({1000});
  for (std::int64_t t = 0; t <= 1200; ++t) {
    if (!s.updates_at(t)) continue;
    const auto r =
        fp::l1_unstructured(v, fp::amount_for_target(s.target(t), 1000, m.count_pruned()), &m);
    CHECK((r.mask & m) == r.mask);  // new mask is a subset of the previous
    CHECK(r.mask.count_pruned() == fp::round_half_even(s.target(t) * 1000.0));
    m = r.mask;
  }
  CHECK(m.count_pruned() == 900);
}
