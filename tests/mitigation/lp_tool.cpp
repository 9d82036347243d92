// Reads LPs from a text file and prints fairgate's solution of each, for
// test_linprog.py (the differential test against scipy.optimize.linprog).
//
// Input, per problem:  n m_ub m_eq / c (n) / m_ub rows of n + b / m_eq rows
// of n + b / n free flags. Output, per problem: "<status> <objective> x_1 … x_n".
#include <cstdio>
#include <fstream>
#include <iostream>

#include <fairgate/mitigation/linear_program.hpp>

namespace fm = fairgate::mitigation;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lp_tool <problems.txt>\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  std::size_t n = 0, m_ub = 0, m_eq = 0;
  while (in >> n >> m_ub >> m_eq) {
    fm::lp_problem lp;
    lp.c.resize(n);
    for (auto& v : lp.c) in >> v;
    auto read_rows = [&](std::size_t m, auto& a, auto& b) {
      a.assign(m, std::vector<double>(n));
      b.assign(m, 0.0);
      for (std::size_t r = 0; r < m; ++r) {
        for (auto& v : a[r]) in >> v;
        in >> b[r];
      }
    };
    read_rows(m_ub, lp.a_ub, lp.b_ub);
    read_rows(m_eq, lp.a_eq, lp.b_eq);
    lp.free.resize(n);
    for (auto& f : lp.free) {
      int v = 0;
      in >> v;
      f = static_cast<std::uint8_t>(v);
    }
    const auto r = fm::solve_lp(lp);
    const char* status = r.status == fm::lp_status::optimal      ? "optimal"
                         : r.status == fm::lp_status::infeasible ? "infeasible"
                         : r.status == fm::lp_status::unbounded  ? "unbounded"
                                                                 : "limit";
    std::printf("%s %.17g", status, r.objective);
    for (double v : r.x) std::printf(" %.17g", v);
    std::printf("\n");
  }
  return 0;
}
