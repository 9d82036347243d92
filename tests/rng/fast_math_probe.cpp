// Compiled (syntax only) by the rng.fast_math_* tests: with -ffast-math it
// must stop at config.hpp's #error; without, it must compile cleanly.
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/normal.hpp>

double probe(fairgate::rng::stream& s) {
  return fairgate::rng::normal(s);
}
