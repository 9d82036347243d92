// prune::ln_structured (torch semantics) and prune::n_m.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fairgate/prune/nm.hpp>
#include <fairgate/prune/structured.hpp>
#include <fairgate/rng/stream.hpp>

#include "prune_test_util.hpp"

using fairgate::errc;
using fairgate::prune::amount;
using fairgate::prune::ln_structured;
using fairgate::prune::n_m;
using fairgate::prune::norm;
using fairgate::tensor::mask;
using fairgate::tensor::view;
using prune_test::bits;
using prune_test::code_of;

namespace {
std::vector<float> random_floats(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  fairgate::rng::stream s(seed, fairgate::rng::purposes::test);
  for (auto& x : v) x = static_cast<float>(static_cast<std::int32_t>(s.next_u32())) * 0x1p-31f;
  return v;
}
}  // namespace

TEST_CASE("Ln-structured prunes the slices with the smallest norm (hand-computed, n = 1, 2, inf)") {
  // w = [[1, 2, 3], [4, 5, 6]]
  std::vector<float> w = {1, 2, 3, 4, 5, -6};
  const view v = view::contiguous(w.data(), {2, 3});
  // dim 0, L1: rows 1+2+3 = 6 < 4+5+6 = 15 -> row 0 pruned.
  const auto r0 = ln_structured(v, amount::count(1), norm::l1, 0);
  CHECK(bits(r0.mask) == std::vector<int>{0, 0, 0, 1, 1, 1});
  // dim 1, L2: columns sqrt(1+16) < sqrt(4+25) < sqrt(9+36); round(1/3*3) = 1 -> column 0.
  const auto r1 = ln_structured(v, amount::fraction(1.0 / 3.0), norm::l2, 1);
  CHECK(bits(r1.mask) == std::vector<int>{0, 1, 1, 0, 1, 1});
  // dim 1, Linf: columns max 4, 5, 6 -> 2 smallest: columns 0 and 1.
  const auto r2 = ln_structured(v, amount::count(2), norm::linf, 1);
  CHECK(bits(r2.mask) == std::vector<int>{0, 0, 1, 0, 0, 1});
  CHECK(r2.rec.pruned_new == 2);
  CHECK(r2.rec.params_pruned_new == 4);
  CHECK(r2.rec.slices_total == 3);
  CHECK(r2.rec.slices_pruned_total == 2);
  CHECK(r2.rec.detail == "n=inf dim=1");
  const auto norms = fairgate::prune::slice_norms(v, norm::l2, 1);
  CHECK(norms[0] == std::sqrt(17.0));
  CHECK(norms[2] == std::sqrt(45.0));
}

TEST_CASE("Structured ties prune the lower slice index first") {
  std::vector<double> w = {1, -1, 1, -1, 1, -1};  // 3 columns, all of norm sqrt(2)
  const auto r = ln_structured(view::contiguous(w.data(), {2, 3}), amount::count(2), norm::l2, 1);
  CHECK(bits(r.mask) == std::vector<int>{0, 0, 1, 0, 0, 1});
}

TEST_CASE("Structured re-pruning counts only the slices that remain") {
  // 4 rows with L1 norms 1, 2, 3, 4. 0.5 -> rows 0,1; then 0.5 of 2 remaining -> row 2.
  std::vector<float> w = {1, 0, 2, 0, 3, 0, 4, 0};
  const view v = view::contiguous(w.data(), {4, 2});
  const auto a = ln_structured(v, amount::fraction(0.5), norm::l1, 0);
  const auto b = ln_structured(v, amount::fraction(0.5), norm::l1, 0, &a.mask);
  CHECK(b.rec.eligible == 2);
  CHECK(b.rec.pruned_new == 1);
  CHECK(bits(b.mask) == std::vector<int>{0, 0, 0, 0, 0, 0, 1, 1});
  CHECK(b.rec.slices_pruned_total == 3);
  CHECK(b.rec.params_pruned_total == 6);
}

TEST_CASE("Structured norms are taken on the masked weights, as torch does") {
  // Rows: [10, 1] and [3, 3]. Unmasked L1: 11 vs 6 -> row 1 would go.
  // With w[0][0] already pruned: 1 vs 6 -> row 0 goes.
  std::vector<float> w = {10, 1, 3, 3};
  const view v = view::contiguous(w.data(), {2, 2});
  mask m({2, 2});
  m.set(0, false);
  const auto r = ln_structured(v, amount::count(1), norm::l1, 0, &m);
  CHECK(bits(r.mask) == std::vector<int>{0, 0, 1, 1});
  CHECK(r.rec.params_pruned_new == 1);  // only w[0][1] was still kept
}

TEST_CASE("Structured pruning rejects rank-1 tensors, bad dims, NaN and excessive counts") {
  std::vector<float> w = {1, 2, 3, 4};
  CHECK(code_of([&] {
          (void)ln_structured(view::contiguous(w.data(), {4}), amount::count(1), norm::l2, 0);
        }) == errc::invalid_argument);
  const view v = view::contiguous(w.data(), {2, 2});
  CHECK(code_of([&] { (void)ln_structured(v, amount::count(1), norm::l2, 2); }) ==
        errc::invalid_argument);
  CHECK(code_of([&] { (void)ln_structured(v, amount::count(3), norm::l2, 0); }) ==
        errc::out_of_range);
  w[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK(code_of([&] { (void)ln_structured(v, amount::count(1), norm::l2, 0); }) ==
        errc::invalid_value);
}

TEST_CASE("Structured pruning on a transposed view equals pruning its contiguous copy") {
  auto st = random_floats(5 * 7, 1);  // storage 5x7, view = 7x5 transpose
  const std::int64_t dims[] = {7, 5}, strides[] = {1, 7};
  const view t = view::strided(st.data(), fairgate::tensor::dtype::f32, dims, strides, 2);
  std::vector<float> copy(35);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j)
      copy[static_cast<std::size_t>(i * 5 + j)] = st[static_cast<std::size_t>(j * 7 + i)];
  for (std::size_t dim : {std::size_t{0}, std::size_t{1}}) {
    const auto a = ln_structured(t, amount::fraction(0.4), norm::l2, dim);
    const auto b =
        ln_structured(view::contiguous(copy.data(), {7, 5}), amount::fraction(0.4), norm::l2, dim);
    CHECK(a.mask == b.mask);
  }
}

TEST_CASE("N:M keeps the N largest magnitudes of every group of M (hand-computed 2:4)") {
  // groups along the last axis: [1, -5, 3, 2] -> keep -5, 3 ; [0.5, 0.1, -0.2, 4] -> keep 0.5, 4
  std::vector<float> w = {1, -5, 3, 2, 0.5f, 0.1f, -0.2f, 4};
  const auto r = n_m(view::contiguous(w.data(), {1, 8}), 2, 4, 1, nullptr, "fc");
  CHECK(bits(r.mask) == std::vector<int>{0, 1, 1, 0, 1, 0, 0, 1});
  CHECK(r.rec.detail == "2:4 axis=1");
  CHECK(r.rec.pruned_new == 4);
  CHECK(r.rec.sparsity == 0.5);
}

TEST_CASE("N:M groups run along the chosen axis, not the memory order") {
  // 4x2 matrix, 2:4 along axis 0: each column is one group.
  // column 0 = [1, 4, 2, 3] -> keep 4, 3 ; column 1 = [8, 5, 6, 7] -> keep 8, 7
  std::vector<double> w = {1, 8, 4, 5, 2, 6, 3, 7};
  const auto r = n_m(view::contiguous(w.data(), {4, 2}), 2, 4, 0);
  CHECK(bits(r.mask) == std::vector<int>{0, 1, 1, 0, 0, 0, 1, 1});
}

TEST_CASE("N:M ties prune the lower index first") {
  std::vector<float> w = {1, 1, 1, 1};
  const auto r = n_m(view::contiguous(w.data(), {4}), 1, 4, 0);
  CHECK(bits(r.mask) == std::vector<int>{0, 0, 0, 1});
}

TEST_CASE("N:M masks have exactly N kept per group on random tensors (any axis, 4:8 and 2:4)") {
  auto w = random_floats(3 * 16 * 8, 2);
  const view v = view::contiguous(w.data(), {3, 16, 8});
  for (std::size_t axis : {std::size_t{1}, std::size_t{2}}) {
    for (auto [n, m] : {std::pair{2, 4}, std::pair{4, 8}, std::pair{3, 8}}) {
      const auto r = n_m(v, n, m, axis);
      const std::int64_t len = v.shape[axis];
      std::int64_t inner = 1;
      for (std::size_t d = axis + 1; d < 3; ++d) inner *= v.shape[d];
      std::int64_t outer = v.numel() / (len * inner);
      for (std::int64_t o = 0; o < outer; ++o)
        for (std::int64_t in = 0; in < inner; ++in)
          for (std::int64_t g = 0; g < len / m; ++g) {
            int kept = 0;
            for (std::int64_t j = 0; j < m; ++j)
              kept += r.mask.kept((o * len + g * m + j) * inner + in) ? 1 : 0;
            CHECK(kept == n);
          }
    }
  }
}

TEST_CASE("N:M rejects an axis length that is not a multiple of M and invalid N, M") {
  std::vector<float> w(6, 1.0f);
  const view v = view::contiguous(w.data(), {6});
  CHECK(code_of([&] { (void)n_m(v, 2, 4, 0); }) == errc::invalid_argument);
  CHECK(code_of([&] { (void)n_m(v, 3, 3, 0); }) == errc::invalid_argument);
  CHECK(code_of([&] { (void)n_m(v, 0, 3, 0); }) == errc::invalid_argument);
  CHECK(code_of([&] { (void)n_m(v, 1, 3, 1); }) == errc::invalid_argument);
}

TEST_CASE("N:M with an existing mask keeps pruned weights pruned") {
  // group [5, 4, 3, 2] with 5 already pruned: 2:4 keeps 4 and 3.
  std::vector<float> w = {5, 4, 3, 2};
  mask m({4});
  m.set(0, false);
  const auto r = n_m(view::contiguous(w.data(), {4}), 2, 4, 0, &m);
  CHECK(bits(r.mask) == std::vector<int>{0, 1, 1, 0});
  CHECK(r.rec.pruned_new == 1);
}

TEST_CASE("N:M on a strided view equals N:M on its contiguous copy") {
  auto st = random_floats(8 * 4, 3);  // storage 4x8 -> view 8x4 (transpose)
  const std::int64_t dims[] = {8, 4}, strides[] = {1, 8};
  const view t = view::strided(st.data(), fairgate::tensor::dtype::f32, dims, strides, 2);
  std::vector<float> copy(32);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j)
      copy[static_cast<std::size_t>(i * 4 + j)] = st[static_cast<std::size_t>(j * 8 + i)];
  CHECK(n_m(t, 2, 4, 0).mask == n_m(view::contiguous(copy.data(), {8, 4}), 2, 4, 0).mask);
  CHECK(n_m(t, 1, 2, 1).mask == n_m(view::contiguous(copy.data(), {8, 4}), 1, 2, 1).mask);
}
