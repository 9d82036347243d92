// fairgate/config.hpp: compiler checks and the ABI namespace shared by every header.
#pragma once

#include <fairgate/version.hpp>

#if __cplusplus < 202002L
#error "fairgate needs C++20 (-std=c++20)."
#endif

// -ffast-math lets the compiler reassociate sums and assume no NaN, which
// breaks both the bit-identical results and the NaN checks on user input.
// Refuse loudly rather than change results silently.
#if defined(__FAST_MATH__)
#error \
    "fairgate must not be compiled with -ffast-math: results would no longer be bit-identical across targets."
#endif

// The inline namespace is the ABI tag (as fmt does with v9): mangled names
// carry the major version, so two majors can never be linked together silently.
#define FAIRGATE_BEGIN_NAMESPACE \
  namespace fairgate {           \
  inline namespace v0 {
#define FAIRGATE_END_NAMESPACE \
  }                            \
  }

#if defined(FAIRGATE_DISABLE_SIMD)
#define FAIRGATE_SIMD_ENABLED 0
#else
#define FAIRGATE_SIMD_ENABLED 1
#endif
