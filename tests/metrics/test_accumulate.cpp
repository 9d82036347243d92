// Accumulation: exact sums, merging, threads, SIMD vs scalar, element types, errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/rng/stream.hpp>

#include "metrics/random_data.hpp"

namespace fm = fairgate::metrics;
using fg_test::make_binary;

namespace {

// Independent reference: the obvious per-row loop.
std::vector<fm::confusion_counts> naive_counts(const fg_test::binary_data& d, double t) {
  std::vector<fm::confusion_counts> c(d.n_groups);
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    const bool p = static_cast<double>(d.s[i]) >= t;
    auto& x = c[d.g[i]];
    if (d.y[i] && p) ++x.tp;
    if (!d.y[i] && p) ++x.fp;
    if (!d.y[i] && !p) ++x.tn;
    if (d.y[i] && !p) ++x.fn;
  }
  return c;
}

fg_test::binary_data slice(const fg_test::binary_data& d, std::size_t b, std::size_t e) {
  fg_test::binary_data s;
  s.n_groups = d.n_groups;
  s.y.assign(d.y.begin() + static_cast<std::ptrdiff_t>(b),
             d.y.begin() + static_cast<std::ptrdiff_t>(e));
  s.g.assign(d.g.begin() + static_cast<std::ptrdiff_t>(b),
             d.g.begin() + static_cast<std::ptrdiff_t>(e));
  s.s.assign(d.s.begin() + static_cast<std::ptrdiff_t>(b),
             d.s.begin() + static_cast<std::ptrdiff_t>(e));
  s.w.assign(d.w.begin() + static_cast<std::ptrdiff_t>(b),
             d.w.begin() + static_cast<std::ptrdiff_t>(e));
  return s;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void require_same_readout(const fm::group_accumulator& a, const fm::group_accumulator& b) {
  REQUIRE(a == b);
  for (std::uint32_t g = 0; g < a.n_groups(); ++g) {
    const auto wa = a.weights(g), wb = b.weights(g);
    REQUIRE(same_bits(wa.tp, wb.tp));
    REQUIRE(same_bits(wa.fp, wb.fp));
    REQUIRE(same_bits(wa.tn, wb.tn));
    REQUIRE(same_bits(wa.fn, wb.fn));
    REQUIRE(same_bits(a.total_weight(g), b.total_weight(g)));
  }
}

}  // namespace

// ------------------------------------------------------------------ exact_sum

TEST_CASE("exact_sum keeps a small addend that naive summation loses to cancellation",
          "[metrics][exact_sum]") {
  // Hand: 1e100 + 1 - 1e100 = 1 exactly; naive double summation gives 0.
  fm::exact_sum s;
  s.add(1e100);
  s.add(1.0);
  s.add(-1e100);
  REQUIRE(s.value() == 1.0);
}

TEST_CASE("exact_sum handles subnormals and the largest doubles exactly", "[metrics][exact_sum]") {
  // Hand: 2^-1074 + 2^-1074 = 2^-1073; DBL_MAX + DBL_MAX - DBL_MAX = DBL_MAX.
  fm::exact_sum a;
  a.add(std::numeric_limits<double>::denorm_min());
  a.add(std::numeric_limits<double>::denorm_min());
  REQUIRE(a.value() == 2 * std::numeric_limits<double>::denorm_min());
  fm::exact_sum b;
  const double mx = std::numeric_limits<double>::max();
  b.add(mx);
  b.add(mx);
  b.add(-mx);
  REQUIRE(b.value() == mx);
  fm::exact_sum c;
  c.add(mx);
  c.add(mx);
  REQUIRE(std::isinf(c.value()));
}

TEST_CASE("exact_sum rounds the exact total once, to nearest even", "[metrics][exact_sum]") {
  // Hand: 1 + 2^-53 is a tie between 1 and 1 + 2^-52: ties-to-even gives 1.
  // Adding 2^-106 on top breaks the tie upwards: 1 + 2^-52.
  fm::exact_sum s;
  s.add(1.0);
  s.add(0x1p-53);
  REQUIRE(s.value() == 1.0);
  s.add(0x1p-106);
  REQUIRE(s.value() == 1.0 + 0x1p-52);
  // Negative totals: -(1 + 2^-53 + 2^-106) rounds to -(1 + 2^-52).
  fm::exact_sum n;
  n.add(-1.0);
  n.add(-0x1p-53);
  n.add(-0x1p-106);
  REQUIRE(n.value() == -(1.0 + 0x1p-52));
}

TEST_CASE("exact_sum gives the same bits for any order of the same values",
          "[metrics][exact_sum]") {
  fairgate::rng::stream st(7, fairgate::rng::purposes::test);
  std::vector<double> v(5000);
  for (auto& x : v) {
    const int e = static_cast<int>(st.next_u32() % 200) - 100;
    x = std::ldexp(static_cast<double>(st.next_u64() >> 11) * 0x1p-53, e) *
        ((st.next_u32() & 1u) ? 1.0 : -1.0);
  }
  fm::exact_sum fwd, rev, halves;
  for (double x : v) fwd.add(x);
  for (auto it = v.rbegin(); it != v.rend(); ++it) rev.add(*it);
  fm::exact_sum h1, h2;
  for (std::size_t i = 0; i < v.size(); ++i) (i % 3 ? h1 : h2).add(v[i]);
  halves = h2;
  halves += h1;
  REQUIRE(fwd == rev);
  REQUIRE(fwd == halves);
  REQUIRE(same_bits(fwd.value(), rev.value()));
  REQUIRE(same_bits(fwd.value(), halves.value()));
}

TEST_CASE("exact_sum counts integers exactly beyond 2^53", "[metrics][exact_sum]") {
  // Hand: (2^53 + 1) is not a double, but the exact sum of 2^53 and 1 is
  // kept; adding 1 again gives 2^53 + 2, which is a double.
  fm::exact_sum s;
  s.add_u64(std::uint64_t{1} << 53);
  s.add_u64(1);
  s.add(1.0);
  REQUIRE(s.value() == 0x1p53 + 2.0);
}

// ------------------------------------------------------------ accumulation

TEST_CASE("binary accumulation matches a naive per-row count for 1 to 16 groups",
          "[metrics][accumulate]") {
  for (std::uint32_t G : {1u, 2u, 3u, 8u, 13u, 16u}) {
    const auto d = make_binary(20011, G, G);
    const auto acc = fm::accumulate(d.inputs(0.5));
    const auto ref = naive_counts(d, 0.5);
    for (std::uint32_t g = 0; g < G; ++g) REQUIRE(acc.counts(g) == ref[g]);
  }
}

TEST_CASE("the SIMD fast path and the scalar path give identical counts, tails included",
          "[metrics][accumulate][simd]") {
  for (std::size_t n : {0u, 1u, 31u, 63u, 64u, 65u, 127u, 1000u, 16447u, 70001u}) {
    for (std::uint32_t G : {1u, 5u, 8u, 16u}) {
      const auto d = make_binary(n, G, n * 31 + G);
      for (double t : {0.0, 0.25, 0.5, 0.999, 1.5}) {
        const auto simd = fm::accumulate(d.inputs(t), {.threads = 1, .allow_simd = true});
        const auto scalar = fm::accumulate(d.inputs(t), {.threads = 1, .allow_simd = false});
        REQUIRE(simd == scalar);
        const auto ref = naive_counts(d, t);
        for (std::uint32_t g = 0; g < G; ++g) REQUIRE(simd.counts(g) == ref[g]);
      }
    }
  }
}

TEST_CASE("many groups (50 and 1000) are counted by the scatter layout", "[metrics][accumulate]") {
  for (std::uint32_t G : {50u, 1000u}) {
    const std::size_t n = 30007;
    fairgate::rng::stream st(G, fairgate::rng::purposes::test);
    std::vector<std::uint8_t> y(n);
    std::vector<std::uint16_t> g(n);
    std::vector<float> s(n);
    std::vector<fm::confusion_counts> ref(G);
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = static_cast<std::uint8_t>(st.next_u32() & 1u);
      g[i] = static_cast<std::uint16_t>(st.next_u32() % G);
      s[i] = static_cast<float>(st.next_u32() % 100u) / 100.0f;
      const bool p = s[i] >= 0.5f;
      auto& c = ref[g[i]];
      (y[i] ? (p ? c.tp : c.fn) : (p ? c.fp : c.tn)) += 1;
    }
    fm::binary_inputs in{std::span<const std::uint8_t>(y),
                         fm::prediction_view::scores(std::span<const float>(s), 0.5),
                         std::span<const std::uint16_t>(g), G};
    const auto acc = fm::accumulate(in, {.threads = 2});
    for (std::uint32_t k = 0; k < G; ++k) REQUIRE(acc.counts(k) == ref[k]);
  }
}

TEST_CASE("every label, code, score and prediction element type gives the same counts",
          "[metrics][accumulate]") {
  const auto d = make_binary(5003, 7, 99);
  const auto base = fm::accumulate(d.inputs(0.5));
  std::vector<std::int32_t> y32(d.y.begin(), d.y.end());
  std::vector<std::int64_t> y64(d.y.begin(), d.y.end());
  std::vector<std::uint16_t> g16(d.g.begin(), d.g.end());
  std::vector<std::uint32_t> g32(d.g.begin(), d.g.end());
  std::vector<double> s64(d.s.begin(), d.s.end());
  std::vector<std::uint8_t> p8(d.s.size());
  for (std::size_t i = 0; i < p8.size(); ++i) p8[i] = d.s[i] >= 0.5f ? 1 : 0;
  std::vector<std::int64_t> p64(p8.begin(), p8.end());

  fm::binary_inputs a{std::span<const std::int32_t>(y32),
                      fm::prediction_view::scores(std::span<const double>(s64), 0.5),
                      std::span<const std::uint16_t>(g16), 7};
  fm::binary_inputs b{std::span<const std::int64_t>(y64),
                      fm::prediction_view::hard(std::span<const std::uint8_t>(p8)),
                      std::span<const std::uint32_t>(g32), 7};
  fm::binary_inputs c{std::span<const std::uint8_t>(d.y),
                      fm::prediction_view::hard(std::span<const std::int64_t>(p64)),
                      std::span<const std::uint8_t>(d.g), 7};
  REQUIRE(fm::accumulate(a) == base);
  REQUIRE(fm::accumulate(b) == base);
  REQUIRE(fm::accumulate(c) == base);
}

TEST_CASE("a float threshold selects the same rows as comparing in double", "[metrics][inputs]") {
  // 0.1 is not a float: the float nearest to it is above 0.1, the one below is
  // below, so with threshold 0.1 (double) the first is positive, the second not.
  const float above = 0.1f;  // 0.100000001490116...
  const float below = std::nextafter(above, 0.0f);
  REQUIRE(static_cast<double>(above) > 0.1);
  REQUIRE(fm::float_threshold(0.1) == above);
  std::vector<std::uint8_t> y{1, 1}, g{0, 0};
  std::vector<float> s{above, below};
  fm::binary_inputs in{std::span<const std::uint8_t>(y),
                       fm::prediction_view::scores(std::span<const float>(s), 0.1),
                       std::span<const std::uint8_t>(g), 1};
  const auto acc = fm::accumulate(in, {.allow_simd = false});
  REQUIRE(acc.counts(0).tp == 1);
  REQUIRE(acc.counts(0).fn == 1);
}

TEST_CASE("merging shards equals accumulating the whole, bit for bit, for random splits",
          "[metrics][merge]") {
  const auto d = make_binary(30001, 9, 5);
  fairgate::rng::stream st(11, fairgate::rng::purposes::test);
  for (bool weighted : {false, true}) {
    const auto whole = fm::accumulate(d.inputs(0.5, weighted));
    for (int trial = 0; trial < 5; ++trial) {
      std::vector<std::size_t> cuts{0, d.y.size()};
      for (int k = 0; k < 4; ++k) cuts.push_back(st.next_u32() % d.y.size());
      std::sort(cuts.begin(), cuts.end());
      fm::group_accumulator merged(9);
      // Merge in reverse order, to show order does not matter either.
      for (std::size_t k = cuts.size() - 1; k-- > 0;) {
        const auto part = slice(d, cuts[k], cuts[k + 1]);
        merged.merge(fm::accumulate(part.inputs(0.5, weighted)));
      }
      require_same_readout(merged, whole);
    }
  }
}

TEST_CASE("a permutation of the rows gives bit-identical results", "[metrics][merge]") {
  const auto d = make_binary(20000, 6, 8);
  auto p = d;
  std::vector<std::size_t> idx(d.y.size());
  std::iota(idx.begin(), idx.end(), 0);
  fairgate::rng::stream st(3, fairgate::rng::purposes::test);
  for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[st.next_u32() % i]);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    p.y[i] = d.y[idx[i]];
    p.g[i] = d.g[idx[i]];
    p.s[i] = d.s[idx[i]];
    p.w[i] = d.w[idx[i]];
  }
  require_same_readout(fm::accumulate(d.inputs(0.5, true)), fm::accumulate(p.inputs(0.5, true)));
}

TEST_CASE("the thread count (1, 2, 3, 7) does not change a single bit", "[metrics][threads]") {
  const auto d = make_binary(100003, 8, 21);
  for (bool weighted : {false, true}) {
    const auto one = fm::accumulate(d.inputs(0.5, weighted), {.threads = 1});
    for (unsigned T : {2u, 3u, 7u})
      require_same_readout(fm::accumulate(d.inputs(0.5, weighted), {.threads = T}), one);
  }
}

TEST_CASE("weights of 1 give exactly the unweighted accumulator", "[metrics][weights]") {
  auto d = make_binary(10007, 5, 4);
  std::fill(d.w.begin(), d.w.end(), 1.0);
  const auto unweighted = fm::accumulate(d.inputs(0.5, false));
  const auto ones = fm::accumulate(d.inputs(0.5, true));
  REQUIRE(ones.has_weighted_cells());
  REQUIRE(!unweighted.has_weighted_cells());
  require_same_readout(ones, unweighted);
  for (std::uint32_t g = 0; g < 5; ++g) {
    REQUIRE(ones.weights(g).tp == static_cast<double>(unweighted.counts(g).tp));
  }
}

TEST_CASE("integer weights equal repeating each row that many times", "[metrics][weights]") {
  const auto d = make_binary(3001, 4, 12);
  auto w = d;
  fg_test::binary_data rep;
  rep.n_groups = d.n_groups;
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    const auto k = static_cast<unsigned>(i % 4);  // weights 0, 1, 2, 3
    w.w[i] = k;
    for (unsigned r = 0; r < k; ++r) {
      rep.y.push_back(d.y[i]);
      rep.g.push_back(d.g[i]);
      rep.s.push_back(d.s[i]);
      rep.w.push_back(1.0);
    }
  }
  const auto weighted = fm::accumulate(w.inputs(0.5, true));
  const auto repeated = fm::accumulate(rep.inputs(0.5, false));
  for (std::uint32_t g = 0; g < 4; ++g) {
    REQUIRE(weighted.exact_weights(g) == repeated.exact_weights(g));
  }
}

TEST_CASE("a regression pass gives MAE and MSE sums by hand", "[metrics][regression]") {
  // Group 0: (y, p) = (1, 2), (3, 1): |d| = 1, 2; d^2 = 1, 4; sum p = 3.
  // Group 1: (0, 0.5) weight 2: w p = 1, w |d| = 1, w d^2 = 0.5.
  std::vector<double> y{1, 3, 0}, p{2, 1, 0.5}, w{1, 1, 2};
  std::vector<std::uint8_t> g{0, 0, 1};
  fm::regression_inputs in{std::span<const double>(y), std::span<const double>(p),
                           std::span<const std::uint8_t>(g), 2,
                           fm::real_view(std::span<const double>(w))};
  const auto acc = fm::accumulate(in);
  const auto r0 = acc.regression(0), r1 = acc.regression(1);
  REQUIRE(r0.count == 2);
  REQUIRE(r0.sum_pred.value() == 3.0);
  REQUIRE(r0.sum_abs_err.value() == 3.0);
  REQUIRE(r0.sum_sq_err.value() == 5.0);
  REQUIRE(r1.weight.value() == 2.0);
  REQUIRE(r1.wsum_pred.value() == 1.0);
  REQUIRE(r1.wsum_abs_err.value() == 1.0);
  REQUIRE(r1.wsum_sq_err.value() == 0.5);
  REQUIRE(r1.sum_sq_err.value() == 0.25);
}

// ------------------------------------------------------------------ errors

using fg_test::require_error;

TEST_CASE("a label outside {0,1} is reported with its row", "[metrics][errors]") {
  auto d = make_binary(100, 3, 1);
  d.y[17] = 2;
  require_error([&] { (void)fm::accumulate(d.inputs()); }, fairgate::errc::out_of_range,
                "y_true[17] = 2: labels must be 0 or 1");
  require_error([&] { (void)fm::accumulate(d.inputs(), {.allow_simd = false}); },
                fairgate::errc::out_of_range, "y_true[17] = 2");
}

TEST_CASE("a NaN score is reported with its row, in the SIMD body and in the tail",
          "[metrics][errors]") {
  for (std::size_t row : {std::size_t{5}, std::size_t{97}}) {
    auto d = make_binary(100, 3, 2);
    d.s[row] = std::numeric_limits<float>::quiet_NaN();
    require_error([&] { (void)fm::accumulate(d.inputs()); }, fairgate::errc::invalid_value,
                  "scores[" + std::to_string(row) + "] = nan: scores must not be NaN");
  }
}

TEST_CASE("a group code >= n_groups is reported with its row", "[metrics][errors]") {
  auto d = make_binary(100, 3, 3);
  d.g[3] = 9;
  require_error([&] { (void)fm::accumulate(d.inputs()); }, fairgate::errc::out_of_range,
                "groups[3] = 9: group codes must be < n_groups = 3");
}

TEST_CASE("a prediction outside {0,1} is reported with its row", "[metrics][errors]") {
  std::vector<std::uint8_t> y{0, 1, 1}, g{0, 0, 0};
  std::vector<std::int32_t> p{0, 1, -1};
  fm::binary_inputs in{std::span<const std::uint8_t>(y),
                       fm::prediction_view::hard(std::span<const std::int32_t>(p)),
                       std::span<const std::uint8_t>(g), 1};
  require_error([&] { (void)fm::accumulate(in); }, fairgate::errc::out_of_range, "y_pred[2] = -1");
}

TEST_CASE("negative, NaN and infinite weights are reported with their row", "[metrics][errors]") {
  const double bad[] = {-0.5, std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::infinity()};
  const char* shown[] = {"weights[4] = -0.5", "weights[4] = nan", "weights[4] = inf"};
  for (int k = 0; k < 3; ++k) {
    auto d = make_binary(10, 2, 4);
    d.w[4] = bad[k];
    require_error([&] { (void)fm::accumulate(d.inputs(0.5, true)); }, fairgate::errc::invalid_value,
                  shown[k]);
  }
}

TEST_CASE("length mismatches are reported with both lengths", "[metrics][errors]") {
  auto d = make_binary(10, 2, 5);
  auto in = d.inputs();
  in.groups.size = 9;
  require_error([&] { (void)fm::accumulate(in); }, fairgate::errc::length_mismatch,
                "groups has 9 rows but y_true has 10");
  auto in2 = d.inputs(0.5, true);
  in2.weights->size = 11;
  require_error([&] { (void)fm::accumulate(in2); }, fairgate::errc::length_mismatch,
                "weights has 11 rows");
}

TEST_CASE("the first bad row is reported whatever the thread count, and acc is unchanged",
          "[metrics][errors][threads]") {
  auto d = make_binary(100000, 4, 6);
  d.y[90000] = 7;    // in the last thread's range
  d.g[40000] = 200;  // earlier, in a middle thread's range
  fm::group_accumulator acc(4);
  const auto before = acc;
  for (unsigned T : {1u, 2u, 3u, 7u}) {
    require_error([&] { fm::accumulate(acc, d.inputs(), {.threads = T}); },
                  fairgate::errc::out_of_range, "groups[40000] = 200");
  }
  REQUIRE(acc == before);
}

TEST_CASE("a regression row whose squared error overflows is rejected with its row",
          "[metrics][errors]") {
  std::vector<double> y{0, 0}, p{1, 1e200};
  std::vector<std::uint8_t> g{0, 0};
  fm::regression_inputs in{std::span<const double>(y), std::span<const double>(p),
                           std::span<const std::uint8_t>(g), 1};
  require_error([&] { (void)fm::accumulate(in); }, fairgate::errc::invalid_value, "row 1");
  std::vector<double> p2{1, std::numeric_limits<double>::quiet_NaN()};
  fm::regression_inputs in2{std::span<const double>(y), std::span<const double>(p2),
                            std::span<const std::uint8_t>(g), 1};
  require_error([&] { (void)fm::accumulate(in2); }, fairgate::errc::invalid_value,
                "y_pred[1] = nan");
}

TEST_CASE("inputs accept std::vector and std::array without spelling a span", "[metrics][inputs]") {
  // Hand: rows (y, score, w) = (1, 0.7, 1) -> tp, (0, 0.2, 2) -> tn.
  const std::vector<std::uint8_t> y{1, 0}, g{0, 0};
  const std::vector<float> s{0.7f, 0.2f};
  const std::array<double, 2> w{1.0, 2.0};
  const fm::binary_inputs in{y, fm::prediction_view::scores(s, 0.5), g, 1, fm::real_view(w)};
  const auto acc = fm::accumulate(in);
  REQUIRE(acc.counts(0) == fm::confusion_counts{1, 0, 1, 0});
  REQUIRE(acc.weights(0).tn == 2.0);
}

TEST_CASE("a regression pass gives the same bits for 1, 2, 3 and 7 threads and any split",
          "[metrics][regression][threads]") {
  const auto d = make_binary(20011, 6, 44);
  std::vector<double> y(d.y.size()), p(d.y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = d.w[i] - 1.0;  // real targets of both signs
    p[i] = static_cast<double>(d.s[i]) * 3.0 - 1.0;
  }
  auto inputs = [&](std::size_t b, std::size_t e) {
    return fm::regression_inputs{std::span<const double>(y).subspan(b, e - b),
                                 std::span<const double>(p).subspan(b, e - b),
                                 std::span<const std::uint8_t>(d.g).subspan(b, e - b), 6,
                                 fm::real_view(std::span<const double>(d.w).subspan(b, e - b))};
  };
  const auto one = fm::accumulate(inputs(0, y.size()));
  for (unsigned T : {2u, 3u, 7u})
    REQUIRE(fm::accumulate(inputs(0, y.size()), {.threads = T}) == one);
  fm::group_accumulator merged(6);
  merged.merge(fm::accumulate(inputs(12345, y.size())));
  merged.merge(fm::accumulate(inputs(0, 12345)));
  REQUIRE(merged == one);
  for (std::uint32_t g = 0; g < 6; ++g) {
    REQUIRE(
        same_bits(merged.regression(g).wsum_sq_err.value(), one.regression(g).wsum_sq_err.value()));
    REQUIRE(same_bits(merged.regression(g).sum_pred.value(), one.regression(g).sum_pred.value()));
  }
}
