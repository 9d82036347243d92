// prune::global_l1_unstructured (radix select) and prune::random_unstructured.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string_view>
#include <vector>

#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/random.hpp>
#include <fairgate/rng/stream.hpp>

#include "prune_test_util.hpp"

using fairgate::errc;
using fairgate::prune::amount;
using fairgate::prune::global_l1_unstructured;
using fairgate::tensor::mask;
using fairgate::tensor::view;
using prune_test::bits;
using prune_test::code_of;

namespace {
std::vector<int> concat_bits(const std::vector<mask>& ms) {
  std::vector<int> out;
  for (const auto& m : ms) {
    const auto b = bits(m);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}
// Distinct magnitudes: a random permutation of 1..n scaled, with random signs.
std::vector<float> tie_free(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i + 1) * 0.25f;
  fairgate::rng::stream s(seed, fairgate::rng::purposes::test);
  for (std::size_t i = n; i-- > 1;) std::swap(v[i], v[s.next_u32() % (i + 1)]);
  for (auto& x : v) x = (s.next_u32() & 1u) ? -x : x;
  return v;
}
}  // namespace

TEST_CASE("Global pruning removes the k smallest magnitudes across tensors (hand-computed)") {
  // Sequence: t0 = [0.1, 5], t1 = [0.3, -0.2, 4]; k = 2 -> 0.1 (t0[0]) and -0.2 (t1[1]).
  std::vector<float> a = {0.1f, 5};
  std::vector<float> b = {0.3f, -0.2f, 4};
  const view ws[] = {view::contiguous(a.data(), {2}), view::contiguous(b.data(), {3})};
  const std::string_view names[] = {"a", "b"};
  const auto g = global_l1_unstructured(ws, amount::count(2), {}, names);
  CHECK(bits(g.masks[0]) == std::vector<int>{0, 1});
  CHECK(bits(g.masks[1]) == std::vector<int>{1, 0, 1});
  CHECK(g.eligible == 5);
  CHECK(g.pruned_new == 2);
  CHECK(g.records[1].tensor_name == "b");
  CHECK(g.records[0].pruned_new == 1);
  CHECK(g.records[1].pruned_new == 1);
}

TEST_CASE("Global ties are pruned in (tensor index, flat index) order") {
  std::vector<float> a = {2, 2}, b = {-2, 2, 2};
  const view ws[] = {view::contiguous(a.data(), {2}), view::contiguous(b.data(), {3})};
  const auto g = global_l1_unstructured(ws, amount::count(3));
  CHECK(concat_bits(g.masks) == std::vector<int>{0, 0, 0, 1, 1});
}

TEST_CASE("Global pruning of one tensor equals per-tensor pruning, also when re-pruning") {
  const auto w = tie_free(1000, 1);
  const view v = view::contiguous(const_cast<float*>(w.data()), {10, 100});
  for (double f : {0.0, 0.13, 0.5, 0.7, 1.0}) {
    const auto one = fairgate::prune::l1_unstructured(v, amount::fraction(f));
    const auto g = global_l1_unstructured(std::span<const view>(&v, 1), amount::fraction(f));
    CHECK(g.masks[0] == one.mask);
    const auto one2 = fairgate::prune::l1_unstructured(v, amount::fraction(0.3), &one.mask);
    const mask existing[] = {one.mask};
    const auto g2 =
        global_l1_unstructured(std::span<const view>(&v, 1), amount::fraction(0.3), existing);
    CHECK(g2.masks[0] == one2.mask);
  }
}

TEST_CASE("Global pruning does not depend on how the weights are split into tensors (tie-free)") {
  auto w = tie_free(1000, 2);
  const view whole = view::contiguous(w.data(), {1000});
  const view parts[] = {view::contiguous(w.data(), {200}),
                        view::contiguous(w.data() + 200, {50, 10}),
                        view::contiguous(w.data() + 700, {3, 100})};
  const auto a = global_l1_unstructured(std::span<const view>(&whole, 1), amount::fraction(0.7));
  const auto b = global_l1_unstructured(parts, amount::fraction(0.7));
  CHECK(concat_bits(a.masks) == concat_bits(b.masks));
}

TEST_CASE("Global re-pruning applies the amount to what remains: 0.5 then 0.5 keeps 25%") {
  auto x = tie_free(300, 3);
  auto y = tie_free(500, 4);
  const view ws[] = {view::contiguous(x.data(), {300}), view::contiguous(y.data(), {5, 100})};
  const auto g1 = global_l1_unstructured(ws, amount::fraction(0.5));
  const auto g2 = global_l1_unstructured(ws, amount::fraction(0.5), g1.masks);
  CHECK(g2.eligible == 400);
  CHECK(g2.masks[0].count_kept() + g2.masks[1].count_kept() == 200);
  for (std::size_t t = 0; t < 2; ++t) CHECK((g2.masks[t] & g1.masks[t]) == g2.masks[t]);
}

TEST_CASE("Mixing f32 and f64 tensors compares magnitudes exactly (64-bit keys)") {
  // f32 0.1f is slightly above the f64 0.1: 0.100000001490116... > 0.1.
  std::vector<float> a = {0.1f, 3.0f};
  std::vector<double> b = {0.1, 0.10000000149011612, 2.0};
  const view ws[] = {view::contiguous(a.data(), {2}), view::contiguous(b.data(), {3})};
  // Order: b[0]=0.1 < a[0]=0.1f == b[1] (same value: f32 widened) -> tie -> a[0] first.
  const auto g = global_l1_unstructured(ws, amount::count(2));
  CHECK(concat_bits(g.masks) == std::vector<int>{0, 1, 0, 1, 1});
}

TEST_CASE("Global pruning on strided views equals pruning the contiguous copies") {
  auto st = tie_free(24, 5);
  const std::int64_t dims[] = {6, 4}, strides[] = {1, 6};
  const view t = view::strided(st.data(), fairgate::tensor::dtype::f32, dims, strides, 2);
  std::vector<float> copy(24);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 4; ++j)
      copy[static_cast<std::size_t>(i * 4 + j)] = st[static_cast<std::size_t>(j * 6 + i)];
  auto other = tie_free(10, 6);
  const view a[] = {t, view::contiguous(other.data(), {10})};
  const view b[] = {view::contiguous(copy.data(), {6, 4}), view::contiguous(other.data(), {10})};
  CHECK(concat_bits(global_l1_unstructured(a, amount::fraction(0.6)).masks) ==
        concat_bits(global_l1_unstructured(b, amount::fraction(0.6)).masks));
}

TEST_CASE("Global selection stays exact when millions of keys share the top radix bits") {
  // 5M f32 values 1 + j*2^-23 share their top 16 bits (one radix bin > 2^22
  // candidates), forcing the second histogram level; there are only 2^15
  // distinct values, each repeated ~150 times, so ties are resolved by index too. The reference is
  // the independent nth_element implementation in l1_unstructured.
  const std::size_t n = 5'000'000;
  std::vector<float> w(n);
  fairgate::rng::stream s(11, fairgate::rng::purposes::test);
  for (auto& x : w) x = 1.0f + static_cast<float>(s.next_u32() & 0x7fffu) * 0x1p-23f;
  const view v = view::contiguous(w.data(), {static_cast<std::int64_t>(n)});
  const auto g = global_l1_unstructured(std::span<const view>(&v, 1), amount::fraction(0.37));
  const auto ref = fairgate::prune::l1_unstructured(v, amount::fraction(0.37));
  CHECK(g.masks[0] == ref.mask);
  // All equal: every key in one bin down to the last level.
  std::fill(w.begin(), w.end(), -0.5f);
  const auto ge = global_l1_unstructured(std::span<const view>(&v, 1), amount::count(4'500'001));
  CHECK(ge.masks[0].count_kept() == 499'999);
  CHECK_FALSE(ge.masks[0].kept(4'500'000));
  CHECK(ge.masks[0].kept(4'500'001));
}

TEST_CASE("Global pruning rejects NaN/Inf, naming the tensor, and mismatched masks") {
  std::vector<float> a = {1, 2};
  std::vector<double> b = {1, std::numeric_limits<double>::infinity()};
  const view ws[] = {view::contiguous(a.data(), {2}), view::contiguous(b.data(), {2})};
  const std::string_view names[] = {"a", "b"};
  try {
    (void)global_l1_unstructured(ws, amount::count(1), {}, names);
    FAIL("expected an error");
  } catch (const fairgate::error& e) {
    CHECK(e.code() == errc::invalid_value);
    CHECK(std::string(e.what()).find("'b'[1]") != std::string::npos);
  }
  const mask one[] = {mask({2})};
  CHECK(code_of([&] { (void)global_l1_unstructured(ws, amount::count(1), one); }) ==
        errc::length_mismatch);
  CHECK(code_of([&] { (void)global_l1_unstructured(ws, amount::count(0)); }) ==
        errc::invalid_value);
  b[1] = 3;
  CHECK(code_of([&] { (void)global_l1_unstructured(ws, amount::count(5)); }) == errc::out_of_range);
}

TEST_CASE("Random pruning: same key gives the same mask, another key another mask") {
  const mask fresh({40, 25});
  const auto key = fairgate::rng::stream(42, fairgate::rng::purposes::prune_random, 3).key();
  const auto a = fairgate::prune::random_unstructured(fresh, amount::fraction(0.3), key, "w");
  const auto b = fairgate::prune::random_unstructured(fresh, amount::fraction(0.3), key, "w");
  CHECK(a.mask == b.mask);
  CHECK(a.mask.count_pruned() == 300);
  REQUIRE(a.rec.stream.has_value());
  CHECK(*a.rec.stream == key);
  const auto other = fairgate::rng::stream(42, fairgate::rng::purposes::prune_random, 4).key();
  CHECK_FALSE(fairgate::prune::random_unstructured(fresh, amount::fraction(0.3), other).mask ==
              a.mask);
}

TEST_CASE("Random pruning prunes exactly the k smallest documented keys among remaining weights") {
  mask existing({100});
  for (std::int64_t i = 0; i < 100; i += 4) existing.set(i, false);  // 75 remain
  const auto key = fairgate::rng::stream(7, fairgate::rng::purposes::prune_random).key();
  const auto r = fairgate::prune::random_unstructured(existing, amount::fraction(0.2), key);
  CHECK(r.rec.eligible == 75);
  CHECK(r.rec.pruned_new == 15);  // round(0.2*75) = round(15.000000000000002) = 15
  // Reference: keys from the stream's sequential words 2i and 2i+1.
  fairgate::rng::stream s(key);
  std::vector<std::pair<std::uint64_t, std::int64_t>> keys;
  for (std::int64_t i = 0; i < 100; ++i) {
    const std::uint64_t lo = s.next_u32();
    const std::uint64_t hi = s.next_u32();
    if (existing.kept(i)) keys.emplace_back(lo | (hi << 32), i);
  }
  std::sort(keys.begin(), keys.end());
  std::set<std::int64_t> expected;
  for (std::size_t j = 0; j < 15; ++j) expected.insert(keys[j].second);
  for (std::int64_t i = 0; i < 100; ++i) {
    const bool should_keep = existing.kept(i) && expected.count(i) == 0;
    CHECK(r.mask.kept(i) == should_keep);
  }
}

TEST_CASE("The sampled fast path and the radix path select the same weights") {
  // 3M random f32 with ties; an unmasked contiguous view takes the sampled
  // bracket path, the same data with an all-ones existing mask takes the
  // radix path, and l1_unstructured (nth_element) is the reference.
  const std::int64_t n = 3'000'000;
  std::vector<float> w(static_cast<std::size_t>(n));
  fairgate::rng::stream s(12, fairgate::rng::purposes::test);
  for (auto& x : w)
    x = static_cast<float>(static_cast<std::int32_t>(s.next_u32() >> 12)) * 0x1p-12f;
  const view contiguous = view::contiguous(w.data(), {n});
  // An existing all-ones mask routes the same weights through the radix path.
  const std::int64_t dims2[] = {n / 2, 2};
  const view radix = view::contiguous(w.data(), fairgate::tensor::dtype::f32, dims2, 2);
  for (double f : {0.05, 0.5, 0.7, 0.999}) {
    const auto fast =
        global_l1_unstructured(std::span<const view>(&contiguous, 1), amount::fraction(f));
    const auto ref = fairgate::prune::l1_unstructured(contiguous, amount::fraction(f));
    CHECK(fast.masks[0] == ref.mask);
    mask existing_all({n / 2, 2});
    const auto viaradix =
        global_l1_unstructured(std::span<const view>(&radix, 1), amount::fraction(f),
                               std::span<const mask>(&existing_all, 1));
    CHECK(std::equal(viaradix.masks[0].words().begin(), viaradix.masks[0].words().end(),
                     ref.mask.words().begin()));
  }
}

TEST_CASE("Adversarial data that defeats the sample still gets the exact answer") {
  // The sample reads positions 8j+4 (2^21 weights, 2^18 samples): make those
  // huge so the bracket misses the k-th smallest, forcing the radix fallback.
  const std::int64_t n = std::int64_t{1} << 21;
  std::vector<float> w(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    w[static_cast<std::size_t>(i)] =
        (i % 8 == 4) ? 1000.0f + static_cast<float>(i) : static_cast<float>(i) * 1e-6f;
  const view v = view::contiguous(w.data(), {n});
  const auto g = global_l1_unstructured(std::span<const view>(&v, 1), amount::fraction(0.3));
  CHECK(g.masks[0] == fairgate::prune::l1_unstructured(v, amount::fraction(0.3)).mask);
}

TEST_CASE("bf16 and f16 tensors are read exactly and pruned like their f32 values") {
  // bf16 bits = top half of the f32 bits: 1.0 = 0x3F80, -0.5 = 0xBF00, 2.0 = 0x4000, 0.25 = 0x3E80.
  std::vector<std::uint16_t> bf = {0x3F80, 0xBF00, 0x4000, 0x3E80};
  // f16: 1.0 = 0x3C00, -3.0 = 0xC200, 0.125 = 0x3000.
  std::vector<std::uint16_t> hf = {0x3C00, 0xC200, 0x3000};
  const std::int64_t d4[] = {4}, d3[] = {3};
  const view ws[] = {view::contiguous(bf.data(), fairgate::tensor::dtype::bf16, d4, 1),
                     view::contiguous(hf.data(), fairgate::tensor::dtype::f16, d3, 1)};
  // |values| in sequence: 1, 0.5, 2, 0.25 | 1, 3, 0.125 ; k = 3 -> 0.125, 0.25, 0.5.
  const auto g = global_l1_unstructured(ws, amount::count(3));
  CHECK(concat_bits(g.masks) == std::vector<int>{1, 0, 1, 0, 1, 1, 0});
}

TEST_CASE("Switching digests off leaves the masks unchanged and says so in the record") {
  auto w = tie_free(100, 7);
  const view v = view::contiguous(w.data(), {100});
  const auto on = global_l1_unstructured(std::span<const view>(&v, 1), amount::fraction(0.3));
  const auto off = global_l1_unstructured(std::span<const view>(&v, 1), amount::fraction(0.3), {},
                                          {}, fairgate::prune::options{false});
  CHECK(on.masks[0] == off.masks[0]);
  CHECK(on.records[0].digest_computed);
  CHECK_FALSE(off.records[0].digest_computed);
  CHECK(on.records[0].changed_digest ==
        fairgate::prune::changed_indices_digest(mask({100}), on.masks[0]));
  CHECK(on.records[0].params_pruned_new == off.records[0].params_pruned_new);
}
