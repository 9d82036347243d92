// policy_dump: prints what fairgate makes of a policy file, for the Python
// differential test. Usage: policy_dump (canonical|json|digest|check) FILE
// "check" prints one formatted diagnostic per line and exits 1 if there are any.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include <fairgate/policy/canonical.hpp>
#include <fairgate/policy/parse.hpp>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: policy_dump (canonical|json|digest|check) FILE\n");
    return 2;
  }
  namespace fp = fairgate::policy;
  const std::string mode = argv[1];
  try {
    const auto r = fp::validate_file(argv[2]);
    if (mode == "check") {
      for (const auto& d : r.diagnostics) std::printf("%s\n", fp::format(d).c_str());
      return r.ok() ? 0 : 1;
    }
    if (!r.ok()) {
      for (const auto& d : r.diagnostics) std::fprintf(stderr, "%s\n", fp::format(d).c_str());
      return 1;
    }
    std::string out;
    if (mode == "canonical")
      out = fp::to_canonical_toml(*r.value);
    else if (mode == "json")
      out = fp::to_json(*r.value) + "\n";
    else if (mode == "digest")
      out = fp::digest(*r.value) + "\n";
    else {
      std::fprintf(stderr, "unknown mode %s\n", argv[1]);
      return 2;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 3;
  }
}
