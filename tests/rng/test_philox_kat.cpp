// Philox known-answer tests against Random123's published vectors.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include <fairgate/rng/philox.hpp>

TEST_CASE("Philox4x32-10 of counter 0 and key 0 is Random123's first vector") {
  const auto out = fairgate::rng::philox4x32_10({0, 0, 0, 0}, {0, 0});
  CHECK(out == fairgate::rng::philox_block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
}

TEST_CASE("Philox4x32-10 matches every philox4x32 10-round line of kat_vectors") {
  std::ifstream in(FAIRGATE_KAT_FILE);
  REQUIRE(in.good());
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    int rounds = 0;
    fields >> name >> rounds;
    if (name != "philox4x32" || rounds != 10) continue;
    fairgate::rng::philox_counter ctr{};
    fairgate::rng::philox_key key{};
    fairgate::rng::philox_block expected{};
    for (auto& w : ctr) fields >> std::hex >> w;
    for (auto& w : key) fields >> std::hex >> w;
    for (auto& w : expected) fields >> std::hex >> w;
    INFO(line);
    CHECK(fairgate::rng::philox4x32_10(ctr, key) == expected);
    ++checked;
  }
  CHECK(checked == 3);
}

// ---------------------------------------------------------------------------
// philox4x32_10_blocks (rng/philox_bulk.hpp): scalar and AVX2 paths against
// Random123's reference, one block at a time.

#include <cstdint>
#include <vector>

#include <fairgate/rng/philox_bulk.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

namespace {

using bulk_fn = void (*)(std::uint64_t, std::uint32_t, std::uint32_t,
                         const fairgate::rng::philox_key&, std::size_t, std::uint32_t*);

// Every block of `fn`'s output equals philox4x32_10 of its documented counter.
void check_bulk_against_reference(bulk_fn fn, std::size_t count_multiple) {
  // Counter/key material from a stream (any fixed source would do).
  fairgate::rng::stream src(99, fairgate::rng::purposes::test);
  for (int trial = 0; trial < 400; ++trial) {
    std::uint64_t first = src.next_u64();
    if (trial % 4 == 1) first = 0xFFFFFFFFull - (src.next_u32() % 40);  // carry into the high word
    if (trial % 4 == 2) first = ~0ull - (src.next_u32() % 40);          // wrap modulo 2^64
    const std::uint32_t c2 = src.next_u32(), c3 = src.next_u32();
    const fairgate::rng::philox_key key = {src.next_u32(), src.next_u32()};
    const std::size_t count = count_multiple * (1 + src.next_u32() % 8);
    std::vector<std::uint32_t> out(4 * count);
    fn(first, c2, c3, key, count, out.data());
    for (std::size_t j = 0; j < count; ++j) {
      const std::uint64_t b = first + j;
      const auto ref = fairgate::rng::philox4x32_10(
          {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), c2, c3}, key);
      for (std::size_t w = 0; w < 4; ++w) REQUIRE(out[4 * j + w] == ref[w]);
    }
  }
}

}  // namespace

TEST_CASE("bulk Philox (dispatching entry point) equals the reference block by block") {
  check_bulk_against_reference(&fairgate::rng::philox4x32_10_blocks, 1);
  check_bulk_against_reference(&fairgate::rng::philox4x32_10_blocks, 7);
}

TEST_CASE("bulk Philox scalar path equals the reference block by block") {
  check_bulk_against_reference(&fairgate::rng::detail::philox_blocks_scalar, 3);
}

TEST_CASE("bulk Philox AVX2 path equals the reference block by block") {
#if FAIRGATE_PHILOX_AVX2
  if (!fairgate::rng::detail::cpu_has_avx2()) {
    WARN("CPU without AVX2: only the scalar path was checked");
    CHECK(std::string(fairgate::rng::philox_blocks_path()) == "scalar");
    return;
  }
  CHECK(std::string(fairgate::rng::philox_blocks_path()) == "avx2");
  check_bulk_against_reference(&fairgate::rng::detail::philox_blocks_avx2, 16);
#else
  CHECK(std::string(fairgate::rng::philox_blocks_path()) == "scalar");
#endif
}

TEST_CASE("bulk Philox reproduces the zero-key KAT vector in every lane") {
  // Blocks 0..31 with c2 = c3 = 0, key 0: block 0 is Random123's first vector.
  std::vector<std::uint32_t> out(4 * 32);
  fairgate::rng::philox4x32_10_blocks(0, 0, 0, {0, 0}, 32, out.data());
  CHECK(out[0] == 0x6627e8d5u);
  CHECK(out[1] == 0xe169c58du);
  CHECK(out[2] == 0xbc57ac4cu);
  CHECK(out[3] == 0x9b00dbd8u);
}

TEST_CASE("fill_u32 equals repeated uniform_u32 at any start and length") {
  for (std::uint64_t start : {0u, 1u, 2u, 3u, 5u}) {
    for (std::size_t len : {0u, 1u, 3u, 4u, 17u, 64u, 200u, 1031u}) {
      fairgate::rng::stream a(7, fairgate::rng::purposes::test),
          b(7, fairgate::rng::purposes::test);
      a.seek(start);
      b.seek(start);
      std::vector<std::uint32_t> bulk(len);
      fairgate::rng::fill_u32(a, bulk);
      for (std::size_t i = 0; i < len; ++i) REQUIRE(bulk[i] == fairgate::rng::uniform_u32(b));
      CHECK(a.position() == b.position());
      CHECK(fairgate::rng::uniform_u32(a) == fairgate::rng::uniform_u32(b));
    }
  }
}

namespace {

// Checks one kat_vectors line against Random123's Philox<N>x<W>_R<R> template.
template <class Engine>
bool matches_kat(std::istringstream& fields) {
  using ctr_t = typename Engine::ctr_type;
  using key_t = typename Engine::key_type;
  ctr_t ctr{};
  key_t key{};
  ctr_t expected{};
  for (auto& w : ctr.v) fields >> std::hex >> w;
  for (auto& w : key.v) fields >> std::hex >> w;
  for (auto& w : expected.v) fields >> std::hex >> w;
  Engine engine;
  return engine(ctr, key) == expected;
}

}  // namespace

TEST_CASE("The Random123 Philox family reproduces all 24 published Philox vectors") {
  // Every philox line of Random123 1.14's kat_vectors: 2x32, 4x32, 2x64 and
  // 4x64, with 7 and 10 rounds. fairgate uses 4x32-10; the rest confirm that
  // the Random123 headers this build links are the published ones.
  std::ifstream in(FAIRGATE_KAT_FILE);
  REQUIRE(in.good());
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    int rounds = 0;
    fields >> name >> rounds;
    INFO(line);
    bool ok = false;
    if (name == "philox2x32" && rounds == 7)
      ok = matches_kat<r123::Philox2x32_R<7>>(fields);
    else if (name == "philox2x32" && rounds == 10)
      ok = matches_kat<r123::Philox2x32_R<10>>(fields);
    else if (name == "philox4x32" && rounds == 7)
      ok = matches_kat<r123::Philox4x32_R<7>>(fields);
    else if (name == "philox4x32" && rounds == 10)
      ok = matches_kat<r123::Philox4x32_R<10>>(fields);
    else if (name == "philox2x64" && rounds == 7)
      ok = matches_kat<r123::Philox2x64_R<7>>(fields);
    else if (name == "philox2x64" && rounds == 10)
      ok = matches_kat<r123::Philox2x64_R<10>>(fields);
    else if (name == "philox4x64" && rounds == 7)
      ok = matches_kat<r123::Philox4x64_R<7>>(fields);
    else if (name == "philox4x64" && rounds == 10)
      ok = matches_kat<r123::Philox4x64_R<10>>(fields);
    else
      FAIL("unexpected line");
    CHECK(ok);
    ++checked;
  }
  CHECK(checked == 24);
}
