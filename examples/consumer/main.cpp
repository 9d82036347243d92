// The smallest program that uses an installed fairgate.
#include <cstdio>

#include <fairgate/fairgate.hpp>

int main() {
  fairgate::rng::stream s(42, fairgate::rng::purposes::split);
  std::printf("fairgate %s\n", FAIRGATE_VERSION_STRING);
  for (int i = 0; i < 4; ++i) std::printf("%08x\n", static_cast<unsigned>(s.next_u32()));
  return 0;
}
