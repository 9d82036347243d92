// Shared helpers for the score-metric tests: spans from vectors, random rows
// drawn from fairgate's keyed streams, and a permutation.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <fairgate/rng/stream.hpp>

namespace fgtest {

template <class T>
std::span<const T> sp(const std::vector<T>& v) {
  return std::span<const T>(v.data(), v.size());
}

// Uniform on [0, 1) with 53 bits.
inline double unif(fairgate::rng::stream& s) {
  return static_cast<double>(s.next_u64() >> 11) * 0x1p-53;
}
inline std::uint32_t below(fairgate::rng::stream& s, std::uint32_t n) {
  return static_cast<std::uint32_t>((s.next_u64() >> 11) % n);
}

struct rows {
  std::vector<double> score;
  std::vector<std::uint8_t> label;
  std::vector<std::uint8_t> group;
  std::vector<double> weight;
};

// n rows, n_groups groups; scores rounded to `levels` distinct values when
// levels > 0 (ties); labels correlated with score; weights in [0, 3) with
// some exact zeros.
inline rows random_rows(std::uint64_t seed, std::size_t n, std::uint32_t n_groups,
                        std::uint32_t levels = 0) {
  fairgate::rng::stream s(seed, fairgate::rng::purposes::test, 7);
  rows r;
  for (std::size_t i = 0; i < n; ++i) {
    double p = unif(s);
    if (levels > 0) p = static_cast<double>(below(s, levels)) / static_cast<double>(levels);
    r.score.push_back(p);
    r.label.push_back(unif(s) < 0.3 + 0.4 * p ? 1 : 0);
    r.group.push_back(static_cast<std::uint8_t>(below(s, n_groups)));
    const double w = below(s, 10) == 0 ? 0.0 : 3.0 * unif(s);
    r.weight.push_back(w);
  }
  return r;
}

// A random permutation (Fisher-Yates) of rows.
inline rows permuted(const rows& in, std::uint64_t seed) {
  fairgate::rng::stream s(seed, fairgate::rng::purposes::test, 99);
  std::vector<std::size_t> idx(in.score.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  for (std::size_t i = idx.size(); i > 1; --i) {
    std::swap(idx[i - 1], idx[below(s, static_cast<std::uint32_t>(i))]);
  }
  rows out;
  for (std::size_t j : idx) {
    out.score.push_back(in.score[j]);
    out.label.push_back(in.label[j]);
    out.group.push_back(in.group[j]);
    out.weight.push_back(in.weight[j]);
  }
  return out;
}

// Bitwise equality that treats NaN == NaN.
inline bool same_bits(double a, double b) {
  return (a != a && b != b) || std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace fgtest
