// The dense simplex of mitigation/linear_program.hpp: hand-solved LPs,
// infeasible / unbounded detection, free variables, degenerate ties.
#include <catch2/catch.hpp>

#include <fairgate/mitigation/linear_program.hpp>

using namespace fairgate::mitigation;

TEST_CASE("A two-variable LP reaches the vertex found by hand") {
  // max 3x + 5y s.t. x <= 4, 2y <= 12, 3x + 2y <= 18 (the classic Wyndor
  // problem): vertices (0,0) (4,0) (4,3) (2,6) (0,6); 3x+5y is largest at
  // (2, 6) = 36. As a minimisation: min −3x − 5y = −36.
  lp_problem lp;
  lp.c = {-3, -5};
  lp.a_ub = {{1, 0}, {0, 2}, {3, 2}};
  lp.b_ub = {4, 12, 18};
  const auto r = solve_lp(lp);
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.objective == Approx(-36.0));
  CHECK(r.x[0] == Approx(2.0));
  CHECK(r.x[1] == Approx(6.0));
}

TEST_CASE("Equality rows and >= rows (negative right-hand sides) go through phase 1") {
  // min x + 2y + 3z s.t. x + y + z = 1, −x ≤ −0.2 (x ≥ 0.2), −y ≤ −0.3 (y ≥ 0.3):
  // the cheapest mass goes to x: x = 0.7, y = 0.3, z = 0 → 0.7 + 0.6 = 1.3.
  lp_problem lp;
  lp.c = {1, 2, 3};
  lp.a_eq = {{1, 1, 1}};
  lp.b_eq = {1};
  lp.a_ub = {{-1, 0, 0}, {0, -1, 0}};
  lp.b_ub = {-0.2, -0.3};
  const auto r = solve_lp(lp);
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.objective == Approx(1.3));
  CHECK(r.x[0] == Approx(0.7));
  CHECK(r.x[1] == Approx(0.3));
  CHECK(r.x[2] == Approx(0.0).margin(1e-12));
}

TEST_CASE("Infeasible and unbounded problems are reported as such") {
  lp_problem infeasible;  // x ≤ 1 and x ≥ 2
  infeasible.c = {1};
  infeasible.a_ub = {{1}, {-1}};
  infeasible.b_ub = {1, -2};
  CHECK(solve_lp(infeasible).status == lp_status::infeasible);
  lp_problem unbounded;  // min −x, x ≥ 0 only
  unbounded.c = {-1};
  CHECK(solve_lp(unbounded).status == lp_status::unbounded);
}

TEST_CASE("A free variable may go negative") {
  // min x s.t. x ≥ −3 (as −x ≤ 3), x free → x = −3.
  lp_problem lp;
  lp.c = {1};
  lp.a_ub = {{-1}};
  lp.b_ub = {3};
  lp.free = {1};
  const auto r = solve_lp(lp);
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.x[0] == Approx(-3.0));
}

TEST_CASE("A degenerate LP with redundant equalities terminates at the optimum") {
  // x + y = 1 twice (redundant), x − y ≤ 0, min −x: optimum x = y = 1/2.
  lp_problem lp;
  lp.c = {-1, 0};
  lp.a_eq = {{1, 1}, {2, 2}};
  lp.b_eq = {1, 2};
  lp.a_ub = {{1, -1}, {0, 0}};
  lp.b_ub = {0, 0};
  const auto r = solve_lp(lp);
  REQUIRE(r.status == lp_status::optimal);
  CHECK(r.x[0] == Approx(0.5));
  CHECK(r.objective == Approx(-0.5));
}

TEST_CASE("Malformed LPs are rejected with the row named") {
  lp_problem lp;
  lp.c = {1, 2};
  lp.a_ub = {{1}};
  lp.b_ub = {1};
  CHECK_THROWS_WITH(solve_lp(lp), Catch::Matchers::Contains("a_ub[0] has 1 entries"));
  lp.a_ub = {{1, std::nan("")}};
  CHECK_THROWS_WITH(solve_lp(lp), Catch::Matchers::Contains("a_ub[0] is not finite"));
  CHECK_THROWS_AS(solve_lp(lp_problem{}), fairgate::error);
}
