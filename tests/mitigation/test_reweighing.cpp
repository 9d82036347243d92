// Kamiran & Calders reweighing: hand case and the independence it promises.
#include <catch2/catch.hpp>

#include <vector>

#include <fairgate/mitigation/reweighing.hpp>
#include <fairgate/rng/uniform.hpp>

using namespace fairgate;

TEST_CASE("Reweighing factors match a hand computation") {
  // 10 rows. Group 0: 4 rows, 3 positive; group 1: 6 rows, 1 positive.
  // P(y=1) = 4/10, P(y=0) = 6/10, P(g0) = 4/10, P(g1) = 6/10.
  // w(0,1) = (4·4)/(10·3) = 16/30; w(0,0) = (4·6)/(10·1) = 2.4
  // w(1,1) = (6·4)/(10·1) = 2.4;   w(1,0) = (6·6)/(10·5) = 0.72
  const std::vector<std::uint8_t> y = {1, 1, 1, 0, 1, 0, 0, 0, 0, 0};
  const std::vector<std::uint32_t> g = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  const auto r = mitigation::reweighing(y, g, 2);
  CHECK(r.factor[0 * 2 + 1] == Approx(16.0 / 30.0).epsilon(1e-15));
  CHECK(r.factor[0 * 2 + 0] == Approx(2.4).epsilon(1e-15));
  CHECK(r.factor[1 * 2 + 1] == Approx(2.4).epsilon(1e-15));
  CHECK(r.factor[1 * 2 + 0] == Approx(0.72).epsilon(1e-15));
  CHECK(r.row_weights[3] == r.factor[0]);
}

TEST_CASE("After reweighing, every group has the overall positive rate and keeps its mass") {
  rng::stream s(4, rng::purposes::test);
  const std::uint32_t G = 5;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> g;
  std::vector<double> w;
  for (int i = 0; i < 5000; ++i) {
    const auto grp = rng::bounded_u32(s, G);
    g.push_back(grp);
    y.push_back(rng::uniform_double(s) < 0.1 + 0.15 * grp ? 1 : 0);
    w.push_back(0.5 + rng::uniform_double(s));
  }
  const auto r = mitigation::reweighing(y, g, G, w);
  double pos = 0, all = 0;
  std::vector<double> gpos(G, 0), gall(G, 0), gin(G, 0);
  for (std::size_t i = 0; i < y.size(); ++i) {
    pos += y[i] * w[i];
    all += w[i];
    gpos[g[i]] += y[i] * r.row_weights[i];
    gall[g[i]] += r.row_weights[i];
    gin[g[i]] += w[i];
  }
  for (std::uint32_t k = 0; k < G; ++k) {
    CHECK(gpos[k] / gall[k] == Approx(pos / all).epsilon(1e-12));
    CHECK(gall[k] == Approx(gin[k]).epsilon(1e-12));
  }
}

TEST_CASE("Reweighing rejects bad labels and groups by row") {
  const std::vector<std::uint8_t> y = {0, 2};
  const std::vector<std::uint32_t> g = {0, 0};
  CHECK_THROWS_WITH(mitigation::reweighing(y, g, 1), Catch::Matchers::Contains("labels[1] = 2"));
  const std::vector<std::uint8_t> y2 = {0, 1};
  const std::vector<std::uint32_t> g2 = {0, 3};
  CHECK_THROWS_WITH(mitigation::reweighing(y2, g2, 2), Catch::Matchers::Contains("groups[1]"));
}
