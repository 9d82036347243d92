// gate_dump: prints the verdict JSON of one policy target on rows read from a
// text file (one row per line: label baseline_score candidate_score group_code
// [weight]), for the Python differential test (gate_oracle.py).
//   gate_dump <policy.toml> <target> <rows.txt> <n_groups> [weighted]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/policy/parse.hpp>

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::fprintf(stderr,
                 "usage: gate_dump <policy.toml> <target> <rows.txt> <n_groups> [weighted]\n");
    return 2;
  }
  const bool weighted = argc == 6;
  try {
    const auto p = fairgate::policy::parse_policy_file(argv[1]);
    std::ifstream in(argv[3]);
    std::vector<std::uint8_t> y;
    std::vector<double> a, b, w;
    std::vector<std::uint32_t> g;
    int label = 0;
    double sa = 0, sb = 0, wt = 1;
    std::uint32_t code = 0;
    while (in >> label >> sa >> sb >> code) {
      if (weighted) in >> wt;
      y.push_back(static_cast<std::uint8_t>(label));
      a.push_back(sa);
      b.push_back(sb);
      g.push_back(code);
      w.push_back(wt);
    }
    std::vector<std::string> names;
    for (int i = 0; i < std::atoi(argv[4]); ++i) {
      std::string name = "g";
      name += std::to_string(i);
      names.push_back(std::move(name));
    }
    auto inputs = fairgate::gate::gate_inputs::from_scores(y, a, b, 0.5, g, names);
    if (weighted) inputs.weights = fairgate::metrics::real_view(w);
    std::cout << fairgate::gate::evaluate(p, argv[2], inputs).to_json(-1) << "\n";
  } catch (const fairgate::error& e) {
    std::fprintf(stderr, "gate_dump: %s\n", e.what());
    return 1;
  }
  return 0;
}
