// tensor::mask: bit layout, counts, AND, apply through strides, serialisation.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <fairgate/digest.hpp>
#include <fairgate/tensor/mask.hpp>

#include "prune_test_util.hpp"

using fairgate::errc;
using fairgate::tensor::mask;
using fairgate::tensor::view;
using prune_test::code_of;

TEST_CASE("A new mask keeps every element and has the tensor's shape") {
  mask m({3, 5});
  CHECK(m.rank() == 2);
  CHECK(m.numel() == 15);
  CHECK(m.count_kept() == 15);
  CHECK(m.count_pruned() == 0);
  CHECK(mask({3, 5}, false).count_kept() == 0);
}

TEST_CASE("Bit i of the mask is flat index i, least significant bit of word i/64 first") {
  mask m({130}, false);
  m.set(0, true);
  m.set(65, true);
  m.set(129, true);
  REQUIRE(m.words().size() == 3);
  CHECK(m.words()[0] == 1u);
  CHECK(m.words()[1] == 2u);  // 65 = 64 + 1
  CHECK(m.words()[2] == 2u);  // 129 = 128 + 1
  CHECK(m.kept(65));
  CHECK_FALSE(m.kept(64));
}

TEST_CASE("Padding bits past numel stay zero so equal masks compare equal") {
  mask m({70});
  CHECK(m.words()[1] == 0x3Fu);  // 70 - 64 = 6 live bits
  CHECK(m.count_kept() == 70);
}

TEST_CASE("Setting an index outside the mask throws out_of_range") {
  mask m({4});
  CHECK(code_of([&] { m.set(4, false); }) == errc::out_of_range);
  CHECK(code_of([&] { m.set(-1, false); }) == errc::out_of_range);
}

TEST_CASE("Per-axis counts give the kept elements of each slice along the axis") {
  // 2x3 mask, pruned: (0,1) and (1,1), (1,2)
  //   kept = [[1,0,1],[1,0,0]] -> per row: 2, 1 ; per column: 2, 0, 1
  mask m({2, 3});
  m.set(1, false);
  m.set(4, false);
  m.set(5, false);
  CHECK(m.kept_per_slice(0) == std::vector<std::int64_t>{2, 1});
  CHECK(m.kept_per_slice(1) == std::vector<std::int64_t>{2, 0, 1});
  CHECK(code_of([&] { (void)m.kept_per_slice(2); }) == errc::invalid_argument);
}

TEST_CASE("AND keeps an element only if both masks keep it") {
  mask a({4}), b({4});
  a.set(0, false);
  b.set(3, false);
  const mask c = a & b;
  CHECK(c.count_kept() == 2);
  CHECK_FALSE(c.kept(0));
  CHECK_FALSE(c.kept(3));
  CHECK(c.kept(1));
  CHECK(code_of([&] { a &= mask({2, 2}); }) == errc::length_mismatch);
}

TEST_CASE("Applying a mask zeroes pruned weights through arbitrary strides") {
  // Storage is a 3x2 row-major matrix; the view is its 2x3 transpose.
  std::vector<float> storage = {1, 2, 3, 4, 5, 6};  // s[r][c] = storage[2r + c]
  const std::int64_t dims[] = {2, 3}, strides[] = {1, 2};
  const view t = view::strided(storage.data(), fairgate::tensor::dtype::f32, dims, strides, 2);
  mask m({2, 3});
  m.set(1, false);  // transpose (0,1) = storage[2*1 + 0] = 3
  m.set(5, false);  // transpose (1,2) = storage[2*2 + 1] = 6
  m.apply(t);
  CHECK(storage == std::vector<float>{1, 2, 0, 4, 5, 0});
  std::vector<double> d = {1, 2};
  CHECK(code_of([&] { m.apply(view::contiguous(d.data(), {2})); }) == errc::length_mismatch);
}

TEST_CASE("Serialised masks round-trip with shape, bits and equality") {
  mask m({3, 7, 5});
  for (std::int64_t i = 0; i < m.numel(); i += 3) m.set(i, false);
  const auto bytes = m.serialize();
  // 4 magic + 4 version + 4 rank + 3*8 shape + 8 numel + 2*8 words + 8 checksum
  CHECK(bytes.size() == 4 + 4 + 4 + 24 + 8 + 16 + 8);
  const mask back = mask::deserialize(bytes);
  CHECK(back == m);
  CHECK(back.digest() == m.digest());
  CHECK(std::vector<std::int64_t>(back.shape().begin(), back.shape().end()) ==
        std::vector<std::int64_t>{3, 7, 5});
}

TEST_CASE("The digest changes when one bit or the shape changes") {
  mask a({4, 4}), b({4, 4}), c({2, 8});
  CHECK(a.digest() == b.digest());
  b.set(7, false);
  CHECK(a.digest() != b.digest());
  CHECK(a.digest() != c.digest());
  CHECK_FALSE(a == c);
}

TEST_CASE("Truncated, corrupt or foreign mask bytes are rejected with a clear error") {
  mask m({10, 10});
  auto bytes = m.serialize();
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{11}, bytes.size() - 1}) {
    const std::span<const std::uint8_t> head(bytes.data(), cut);
    CHECK(code_of([&] { (void)mask::deserialize(head); }) == errc::parse_error);
  }
  auto flipped = bytes;
  flipped[40] ^= 0x10;  // words start at 4+4+4+2*8+8 = 36
  CHECK(code_of([&] { (void)mask::deserialize(flipped); }) == errc::verification_failed);
  auto magic = bytes;
  magic[0] = 'X';
  CHECK(code_of([&] { (void)mask::deserialize(magic); }) == errc::parse_error);
  auto version = bytes;
  version[4] = 2;
  CHECK(code_of([&] { (void)mask::deserialize(version); }) == errc::parse_error);
  auto longer = bytes;
  longer.push_back(0);
  CHECK(code_of([&] { (void)mask::deserialize(longer); }) == errc::parse_error);
}

TEST_CASE("A zero-size mask has no words and serialises") {
  mask m({0, 3});
  CHECK(m.numel() == 0);
  CHECK(m.words().empty());
  CHECK(m.count_kept() == 0);
  CHECK(mask::deserialize(m.serialize()) == m);
}
