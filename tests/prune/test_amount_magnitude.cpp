// prune::amount (torch's rounding) and prune::l1_unstructured.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/rng/stream.hpp>

#include "prune_test_util.hpp"

using fairgate::errc;
using fairgate::prune::amount;
using fairgate::prune::l1_unstructured;
using fairgate::tensor::mask;
using fairgate::tensor::view;
using prune_test::bits;
using prune_test::code_of;

TEST_CASE("round_half_even rounds ties to the even neighbour as Python's round does") {
  using fairgate::prune::round_half_even;
  CHECK(round_half_even(0.5) == 0);
  CHECK(round_half_even(1.5) == 2);
  CHECK(round_half_even(2.5) == 2);
  CHECK(round_half_even(3.5) == 4);
  CHECK(round_half_even(2.4999999999999996) == 2);
  CHECK(round_half_even(2.5000000000000004) == 3);
  CHECK(code_of([] { (void)round_half_even(-1.0); }) == errc::invalid_argument);
}

TEST_CASE("A fraction becomes round(fraction * n) on the double product, ties to even") {
  // Python 3.11: round(0.5*5) = 2, round(0.5*7) = 4 (exact ties).
  CHECK(amount::fraction(0.5).to_count(5) == 2);
  CHECK(amount::fraction(0.5).to_count(7) == 4);
  // Products that are not exact in decimal, each checked in Python 3.11:
  //   0.1*25 == 2.5 (the double 0.1 is slightly above 1/10, but the product
  //   rounds to exactly 2.5) -> round = 2 ; 0.35*10 == 3.5 -> 4 ;
  //   0.45*10 == 4.5 -> 4 ; 0.7*15 == 10.5 -> 10 ; 0.3*10 == 3.0000000000000004 -> 3.
  CHECK(amount::fraction(0.1).to_count(25) == 2);
  CHECK(amount::fraction(0.35).to_count(10) == 4);
  CHECK(amount::fraction(0.45).to_count(10) == 4);
  CHECK(amount::fraction(0.7).to_count(15) == 10);
  CHECK(amount::fraction(0.3).to_count(10) == 3);
  CHECK(amount::fraction(1.0).to_count(9) == 9);
  CHECK(amount::fraction(0.0).to_count(9) == 0);
}

TEST_CASE("Invalid fractions and counts are rejected") {
  CHECK(code_of([] { (void)amount::fraction(std::numeric_limits<double>::quiet_NaN()); }) ==
        errc::invalid_argument);
  CHECK(code_of([] { (void)amount::fraction(-0.1); }) == errc::invalid_argument);
  CHECK(code_of([] { (void)amount::fraction(1.1); }) == errc::invalid_argument);
  CHECK(code_of([] { (void)amount::count(-1); }) == errc::invalid_argument);
  CHECK(code_of([] { (void)amount::count(6).to_count(5); }) == errc::out_of_range);
  CHECK(amount::count(5).to_count(5) == 5);
}

TEST_CASE("amount_for_target converts a total sparsity into a count of what remains") {
  // target 0.5 of 10 weights = 5 in total; 2 already pruned -> prune 3 more.
  CHECK(fairgate::prune::amount_for_target(0.5, 10, 2).count_value() == 3);
  CHECK(fairgate::prune::amount_for_target(0.1, 10, 4).count_value() == 0);
}

TEST_CASE("L1 pruning removes the smallest magnitudes (hand-computed)") {
  // |w| = 3 1 2 0.5 4 1 ; k = round(0.5*6) = 3 -> prune 0.5 (3), 1 (1), 1 (5).
  float w[6] = {3, -1, 2, 0.5f, -4, 1};
  const auto r = l1_unstructured(view::contiguous(w, {2, 3}), amount::fraction(0.5), nullptr, "fc");
  CHECK(bits(r.mask) == std::vector<int>{1, 0, 1, 0, 1, 0});
  CHECK(r.rec.tensor_name == "fc");
  CHECK(r.rec.eligible == 6);
  CHECK(r.rec.pruned_new == 3);
  CHECK(r.rec.params_pruned_total == 3);
  CHECK(r.rec.achieved == 0.5);
  CHECK(r.rec.sparsity == 0.5);
  fairgate::fnv1a64 h;  // changed indices 1, 3, 5 as little-endian u64
  for (std::uint64_t i : {1u, 3u, 5u}) h.update_u64(i);
  CHECK(r.rec.changed_digest == h.value());
  CHECK(r.rec.mask_digest == r.mask.digest());
}

TEST_CASE("Re-pruning applies the amount to the weights that remain (0.5 then 0.5 keeps 25%)") {
  std::vector<double> w = {8, 7, 6, 5, 4, 3, 2, 1};
  const view v = view::contiguous(w.data(), {8});
  const auto first = l1_unstructured(v, amount::fraction(0.5));
  CHECK(bits(first.mask) == std::vector<int>{1, 1, 1, 1, 0, 0, 0, 0});
  const auto second = l1_unstructured(v, amount::fraction(0.5), &first.mask);
  CHECK(bits(second.mask) == std::vector<int>{1, 1, 0, 0, 0, 0, 0, 0});
  CHECK(second.rec.eligible == 4);
  CHECK(second.rec.pruned_new == 2);
  CHECK(second.rec.params_pruned_total == 6);
}

TEST_CASE("Amount 0 prunes nothing and amount 1 prunes every remaining weight") {
  std::vector<float> w = {0.3f, -2, 5, 1};
  const view v = view::contiguous(w.data(), {4});
  const auto none = l1_unstructured(v, amount::fraction(0.0));
  CHECK(none.mask.count_kept() == 4);
  CHECK(none.rec.changed_digest == fairgate::fnv1a64::offset_basis);
  const auto part = l1_unstructured(v, amount::count(1));
  const auto all = l1_unstructured(v, amount::fraction(1.0), &part.mask);
  CHECK(all.mask.count_kept() == 0);
  CHECK(all.rec.pruned_new == 3);
}

TEST_CASE("Equal magnitudes are pruned lower flat index first") {
  std::vector<float> w = {1, -1, 1, -1, 1};
  const auto r = l1_unstructured(view::contiguous(w.data(), {5}), amount::count(2));
  CHECK(bits(r.mask) == std::vector<int>{0, 0, 1, 1, 1});
  std::vector<double> z = {0.0, -0.0, 0.0};  // +0 and -0 have equal magnitude
  const auto rz = l1_unstructured(view::contiguous(z.data(), {3}), amount::count(1));
  CHECK(bits(rz.mask) == std::vector<int>{0, 1, 1});
}

TEST_CASE("A count larger than the remaining weights is an error") {
  std::vector<float> w = {1, 2, 3};
  CHECK(code_of([&] {
          (void)l1_unstructured(view::contiguous(w.data(), {3}), amount::count(4));
        }) == errc::out_of_range);
}

TEST_CASE(
    "NaN or Inf in a remaining weight is an error naming the index; pruned ones are not read") {
  std::vector<float> w = {1, 2, std::numeric_limits<float>::quiet_NaN(), 4};
  const view v = view::contiguous(w.data(), {4});
  try {
    (void)l1_unstructured(v, amount::count(1), nullptr, "w");
    FAIL("expected an error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::invalid_value);
    CHECK(std::string(e.what()).find("'w'[2]") != std::string::npos);
  }
  w[2] = std::numeric_limits<float>::infinity();
  CHECK(code_of([&] { (void)l1_unstructured(v, amount::count(1)); }) == errc::invalid_value);
  mask m({4});
  m.set(2, false);
  const auto r = l1_unstructured(v, amount::count(1), &m);
  CHECK(bits(r.mask) == std::vector<int>{0, 1, 0, 1});
}

TEST_CASE("A zero-size tensor prunes nothing and rejects a positive count") {
  std::vector<float> w;
  const std::int64_t dims[] = {0, 3};
  const view v = view::contiguous(nullptr, fairgate::tensor::dtype::f32, dims, 2);
  const auto r = l1_unstructured(v, amount::fraction(0.5));
  CHECK(r.mask.numel() == 0);
  CHECK(r.rec.pruned_new == 0);
  CHECK(r.rec.sparsity == 0.0);
  CHECK(code_of([&] { (void)l1_unstructured(v, amount::count(1)); }) == errc::out_of_range);
}

TEST_CASE("A transposed (strided) view gives the same mask as its contiguous copy") {
  // storage: 4x6 row-major; view: its 6x4 transpose. Copy the transpose out.
  std::vector<float> storage(24);
  fairgate::rng::stream s(3, fairgate::rng::purposes::test);
  for (auto& x : storage) x = static_cast<float>(s.next_u32() >> 8) - 8388608.0f;
  const std::int64_t dims[] = {6, 4}, strides[] = {1, 6};
  const view t = view::strided(storage.data(), fairgate::tensor::dtype::f32, dims, strides, 2);
  std::vector<float> copy(24);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 4; ++j)
      copy[static_cast<std::size_t>(i * 4 + j)] = storage[static_cast<std::size_t>(j * 6 + i)];
  const auto a = l1_unstructured(t, amount::fraction(0.4));
  const auto b = l1_unstructured(view::contiguous(copy.data(), {6, 4}), amount::fraction(0.4));
  CHECK(a.mask == b.mask);
  CHECK(a.rec.changed_digest == b.rec.changed_digest);
}

TEST_CASE("An existing mask of another shape is rejected") {
  std::vector<float> w = {1, 2, 3, 4};
  mask m({2, 3});
  CHECK(code_of([&] {
          (void)l1_unstructured(view::contiguous(w.data(), {2, 2}), amount::count(1), &m);
        }) == errc::length_mismatch);
}

TEST_CASE("Achieved sparsity equals round(amount * n) for every amount on a grid") {
  std::vector<double> w(37);
  fairgate::rng::stream s(9, fairgate::rng::purposes::test);
  for (auto& x : w) x = static_cast<double>(s.next_u32());
  const view v = view::contiguous(w.data(), {37});
  for (int i = 0; i <= 20; ++i) {
    const double f = i / 20.0;
    const auto r = l1_unstructured(v, amount::fraction(f));
    CHECK(r.rec.params_pruned_total == fairgate::prune::round_half_even(f * 37.0));
  }
}
