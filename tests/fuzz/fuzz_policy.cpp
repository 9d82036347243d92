// libFuzzer target for the policy parser: arbitrary bytes must give either a
// policy or diagnostics, never a crash, hang or sanitizer report. A policy
// that parses must also survive the canonical round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fairgate/policy/canonical.hpp>
#include <fairgate/policy/parse.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fp = fairgate::policy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = fp::validate(text, "fuzz.toml");
  if (r.ok() != r.value.has_value()) __builtin_trap();
  for (const auto& d : r.diagnostics) {
    if (d.message.empty()) __builtin_trap();
    (void)fp::format(d);
  }
  if (!r.ok()) return 0;
  const std::string c1 = fp::to_canonical_toml(*r.value);
  const auto again = fp::validate(c1, "canonical.toml");
  if (!again.ok()) __builtin_trap();  // canonical text must always parse
  if (fp::to_canonical_toml(*again.value) != c1) __builtin_trap();  // and be a fixed point
  if (fp::digest(*r.value) != fp::digest(*again.value)) __builtin_trap();
  (void)fp::to_json(*r.value);
  return 0;
}
