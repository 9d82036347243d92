// Small helpers shared by the pruning tests.
#pragma once

#include <cstdint>
#include <vector>

#include <fairgate/error.hpp>
#include <fairgate/tensor/mask.hpp>

namespace prune_test {

// The error code `fn` throws, or errc::ok when it returns.
inline fairgate::errc code_of(const auto& fn) {
  try {
    fn();
  } catch (const fairgate::error& e) {
    return e.code();
  }
  return fairgate::errc::ok;
}

// A mask as 0/1 per flat index, for readable comparisons.
inline std::vector<int> bits(const fairgate::tensor::mask& m) {
  std::vector<int> out;
  for (std::int64_t i = 0; i < m.numel(); ++i) out.push_back(m.kept(i) ? 1 : 0);
  return out;
}

}  // namespace prune_test
