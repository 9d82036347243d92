// Random test data for the metrics tests, drawn from fairgate's own keyed
// streams (purpose "test") so every run sees the same rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <fairgate/error.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/rng/stream.hpp>

namespace fg_test {

struct binary_data {
  std::vector<std::uint8_t> y;
  std::vector<std::uint8_t> g;
  std::vector<float> s;
  std::vector<double> w;
  std::uint32_t n_groups = 1;

  [[nodiscard]] fairgate::metrics::binary_inputs inputs(double threshold = 0.5,
                                                        bool weighted = false) const {
    fairgate::metrics::binary_inputs in{
        std::span<const std::uint8_t>(y),
        fairgate::metrics::prediction_view::scores(std::span<const float>(s), threshold),
        std::span<const std::uint8_t>(g), n_groups};
    if (weighted) in.weights = fairgate::metrics::real_view(std::span<const double>(w));
    return in;
  }
};

// n rows, G groups (G <= 256), scores in [0,1) on a 1/1024 grid (so ties with
// the threshold happen), weights in [0, 4) with many distinct exponents.
inline binary_data make_binary(std::size_t n, std::uint32_t G, std::uint64_t seed) {
  fairgate::rng::stream st(seed, fairgate::rng::purposes::test);
  binary_data d;
  d.n_groups = G;
  d.y.resize(n);
  d.g.resize(n);
  d.s.resize(n);
  d.w.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t a = st.next_u32();
    d.y[i] = static_cast<std::uint8_t>(a & 1u);
    d.g[i] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(st.next_u32()) * G) >> 32);
    d.s[i] = static_cast<float>((a >> 1) & 1023u) / 1024.0f;
    // (x >> 11) * 2^-53 is exact; scaled by a power of two keeps it exact.
    d.w[i] = static_cast<double>(st.next_u64() >> 11) * 0x1p-51;
  }
  return d;
}

// Requires f() to throw fairgate::error with `code` and `needle` in its message.
template <class F>
void require_error(F&& f, fairgate::errc code, const std::string& needle) {
  try {
    f();
  } catch (const fairgate::error& e) {
    INFO(e.what());
    REQUIRE(e.code() == code);
    REQUIRE(std::string(e.what()).find(needle) != std::string::npos);
    return;
  }
  FAIL("no fairgate::error thrown; expected: " << needle);
}

}  // namespace fg_test
