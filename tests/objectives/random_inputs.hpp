// Random penalty inputs from a fairgate stream (test helper).
#pragma once

#include <cstdint>
#include <vector>

#include <fairgate/rng/stream.hpp>

struct random_problem {
  std::vector<double> scores;
  std::vector<std::uint8_t> labels;
  std::vector<std::uint32_t> groups;
  std::vector<double> weights;
  std::uint32_t n_groups;
};

inline double unit(fairgate::rng::stream& s) {
  return static_cast<double>(s.next_u64() >> 11) * 0x1p-53;
}

// Scores in [-3, 3), labels correlated with the score, weights in [0.5, 2).
inline random_problem make_problem(std::size_t n, std::uint32_t n_groups, std::uint32_t seed) {
  fairgate::rng::stream s(seed, fairgate::rng::purposes::test);
  random_problem p;
  p.n_groups = n_groups;
  for (std::size_t i = 0; i < n; ++i) {
    const double score = 6.0 * unit(s) - 3.0;
    p.scores.push_back(score);
    p.labels.push_back(unit(s) < 0.3 + 0.1 * score ? 1 : 0);
    p.groups.push_back(static_cast<std::uint32_t>(s.next_u32() % n_groups));
    p.weights.push_back(0.5 + 1.5 * unit(s));
  }
  return p;
}
