// Keyed streams: identity, independence and O(1) random access.
#include <catch2/catch.hpp>

#include <vector>

#include <fairgate/rng/stream.hpp>

using fairgate::rng::stream;
namespace purposes = fairgate::rng::purposes;

TEST_CASE("A stream's words are the Philox blocks of its documented counter layout") {
  stream s(0x0123456789abcdefULL, purposes::bootstrap, 7);
  const auto b0 =
      fairgate::rng::philox4x32_10({0, 0, purposes::bootstrap.tag, 7}, {0x89abcdefu, 0x01234567u});
  for (int i = 0; i < 4; ++i) CHECK(s.next_u32() == b0[static_cast<std::size_t>(i)]);
}

TEST_CASE("Seeking gives the same words as drawing sequentially") {
  stream seq(1, purposes::split);
  std::vector<std::uint32_t> words(1000);
  for (auto& w : words) w = seq.next_u32();
  stream jump(1, purposes::split);
  for (std::uint64_t pos : {999u, 0u, 513u, 4u, 3u}) {
    jump.seek(pos);
    CHECK(jump.next_u32() == words[pos]);
    CHECK(jump.word_at(pos) == words[pos]);
  }
}

TEST_CASE("Drawing from one stream never changes another") {
  stream a(5, purposes::split, 0), b(5, purposes::split, 1);
  const std::uint32_t b_first = stream(5, purposes::split, 1).next_u32();
  for (int i = 0; i < 100; ++i) a.next_u32();
  CHECK(b.next_u32() == b_first);
}

TEST_CASE("Well-known purposes have distinct tags") {
  const fairgate::rng::purpose all[] = {purposes::split,
                                        purposes::kfold,
                                        purposes::bootstrap,
                                        purposes::prune_random,
                                        purposes::quant_stochastic,
                                        purposes::init,
                                        purposes::minibatch,
                                        purposes::randomized_predict,
                                        purposes::test};
  for (std::size_t i = 0; i < std::size(all); ++i)
    for (std::size_t j = i + 1; j < std::size(all); ++j) CHECK(all[i].tag != all[j].tag);
}

TEST_CASE("next_u64 puts the first word in the low half") {
  stream s(3, purposes::test);
  const std::uint64_t lo = stream(3, purposes::test).word_at(0);
  const std::uint64_t hi = stream(3, purposes::test).word_at(1);
  CHECK(s.next_u64() == (lo | (hi << 32)));
}
