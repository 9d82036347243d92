// libFuzzer target: the manifest parser must turn any bytes into a manifest
// or a fairgate::error, never a crash; an accepted manifest must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <fairgate/error.hpp>
#include <fairgate/manifest/manifest.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto m = fairgate::manifest::manifest::from_json(text);
    const auto again = fairgate::manifest::manifest::from_json(m.to_json());
    if (again.computation_sha256() != m.computation_sha256()) std::abort();
    (void)fairgate::manifest::compare(m, again).to_text();
  } catch (const fairgate::error&) {
    // A clear error is the expected outcome for most inputs.
  }
  return 0;
}
