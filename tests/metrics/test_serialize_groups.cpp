// Serialisation of accumulators, and intersectional group encoding.
#include <catch2/catch.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/metrics/serialize.hpp>

#include "metrics/random_data.hpp"

using fg_test::require_error;

namespace fm = fairgate::metrics;

namespace {

fm::group_accumulator with_regression(const fg_test::binary_data& d, bool weighted) {
  auto acc = fm::accumulate(d.inputs(0.5, weighted));
  std::vector<double> y(d.y.begin(), d.y.end());
  std::vector<double> p(d.s.begin(), d.s.end());
  fm::regression_inputs r{std::span<const double>(y), std::span<const double>(p),
                          std::span<const std::uint8_t>(d.g), d.n_groups};
  if (weighted) r.weights = fm::real_view(std::span<const double>(d.w));
  fm::accumulate(acc, r);
  return acc;
}
}  // namespace

TEST_CASE("serialise then deserialise gives back the same accumulator", "[metrics][serialize]") {
  const auto d = fg_test::make_binary(5000, 6, 31);
  for (bool weighted : {false, true}) {
    const auto plain = fm::accumulate(d.inputs(0.5, weighted));
    REQUIRE(fm::deserialize(fm::serialize(plain)) == plain);
    const auto full = with_regression(d, weighted);
    const auto back = fm::deserialize(fm::serialize(full));
    REQUIRE(back == full);
    REQUIRE(back.regression(2).sum_sq_err.value() == full.regression(2).sum_sq_err.value());
  }
}

TEST_CASE("the byte format starts with the magic and version 1, little-endian",
          "[metrics][serialize]") {
  fm::group_accumulator acc(1);
  const auto b = fm::serialize(acc);
  // Hand: "FGMA", u16 1, u16 flags 0, u32 n_groups 1, 4 x u64 zero counts, u64 checksum.
  REQUIRE(b.size() == 4u + 2u + 2u + 4u + 32u + 8u);
  REQUIRE(std::string(b.begin(), b.begin() + 4) == "FGMA");
  REQUIRE(b[4] == 1);
  REQUIRE(b[5] == 0);
  REQUIRE(b[8] == 1);
}

TEST_CASE("shards serialised, deserialised and merged equal the whole",
          "[metrics][serialize][merge]") {
  const auto d = fg_test::make_binary(9000, 5, 32);
  const auto whole = with_regression(d, true);
  fm::group_accumulator merged(5);
  for (std::size_t b : {0u, 3000u, 7001u}) {
    const std::size_t e = b == 0 ? 3000 : (b == 3000 ? 7001 : 9000);
    fg_test::binary_data part;
    part.n_groups = 5;
    part.y.assign(d.y.begin() + static_cast<std::ptrdiff_t>(b),
                  d.y.begin() + static_cast<std::ptrdiff_t>(e));
    part.g.assign(d.g.begin() + static_cast<std::ptrdiff_t>(b),
                  d.g.begin() + static_cast<std::ptrdiff_t>(e));
    part.s.assign(d.s.begin() + static_cast<std::ptrdiff_t>(b),
                  d.s.begin() + static_cast<std::ptrdiff_t>(e));
    part.w.assign(d.w.begin() + static_cast<std::ptrdiff_t>(b),
                  d.w.begin() + static_cast<std::ptrdiff_t>(e));
    merged.merge(fm::deserialize(fm::serialize(with_regression(part, true))));
  }
  REQUIRE(merged == whole);
  REQUIRE(fm::serialize(merged) == fm::serialize(whole));
}

TEST_CASE("a truncated buffer is rejected", "[metrics][serialize][errors]") {
  const auto b = fm::serialize(fm::accumulate(fg_test::make_binary(100, 3, 1).inputs(0.5, true)));
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{3}, std::size_t{10}, b.size() / 2, b.size() - 1}) {
    std::span<const std::uint8_t> cut(b.data(), keep);
    try {
      (void)fm::deserialize(cut);
      FAIL("truncated buffer accepted");
    } catch (const fairgate::error& e) {
      INFO(e.what());
      REQUIRE((e.code() == fairgate::errc::parse_error ||
               e.code() == fairgate::errc::verification_failed));
    }
  }
}

TEST_CASE("a corrupt byte fails the checksum", "[metrics][serialize][errors]") {
  auto b = fm::serialize(fm::accumulate(fg_test::make_binary(100, 3, 2).inputs()));
  b[20] ^= 0x10;
  require_error([&] { (void)fm::deserialize(b); }, fairgate::errc::verification_failed,
                "checksum mismatch");
}

TEST_CASE("a future format version is refused with both versions named",
          "[metrics][serialize][errors]") {
  auto b = fm::serialize(fm::group_accumulator(2));
  b[4] = static_cast<std::uint8_t>(fm::accumulator_format_version + 1);
  require_error([&] { (void)fm::deserialize(b); }, fairgate::errc::unsupported,
                "format version " + std::to_string(fm::accumulator_format_version + 1) +
                    " is newer than this build reads (" +
                    std::to_string(fm::accumulator_format_version) + ")");
}

TEST_CASE("a buffer without the magic is refused", "[metrics][serialize][errors]") {
  auto b = fm::serialize(fm::group_accumulator(2));
  b[0] = 'X';
  require_error([&] { (void)fm::deserialize(b); }, fairgate::errc::parse_error, "magic");
}

// ------------------------------------------------------------------ groups

TEST_CASE("intersectional codes are mixed-radix with the first feature most significant",
          "[metrics][groups]") {
  const fm::group_encoder enc{{"sex", {"F", "M"}}, {"race", {"a", "b", "c"}}};
  // Hand: code = c_sex * 3 + c_race; (1, 2) -> 5, (0, 1) -> 1.
  REQUIRE(enc.n_groups() == 6);
  REQUIRE(enc.encode({1, 2}) == 5);
  REQUIRE(enc.encode({0, 1}) == 1);
  REQUIRE(enc.decode(5) == std::vector<std::uint32_t>{1, 2});
  REQUIRE(enc.name(5) == "M|c");
  REQUIRE(enc.feature_label() == "sex|race");
  REQUIRE(enc.names() == std::vector<std::string>{"F|a", "F|b", "F|c", "M|a", "M|b", "M|c"});
}

TEST_CASE("encode and decode are inverse for every code of a three-feature encoder",
          "[metrics][groups]") {
  const fm::group_encoder enc{
      {"a", {"0", "1"}}, {"b", {"x", "y", "z"}}, {"c", {"p", "q", "r", "s"}}};
  for (std::uint32_t code = 0; code < enc.n_groups(); ++code) {
    const auto cats = enc.decode(code);
    REQUIRE(enc.encode(std::span<const std::uint32_t>(cats)) == code);
  }
}

TEST_CASE("row-wise encoding reports empty combinations with count 0", "[metrics][groups]") {
  const fm::group_encoder enc{{"sex", {"F", "M"}}, {"race", {"a", "b"}}};
  // Rows: (F,a), (M,b), (M,b): combinations F|b and M|a have no rows.
  std::vector<std::uint8_t> sex{0, 1, 1}, race{0, 1, 1};
  std::vector<std::span<const std::uint8_t>> cols{sex, race};
  std::vector<std::uint32_t> codes(3);
  enc.encode_rows<std::uint8_t>(cols, codes);
  REQUIRE(codes == std::vector<std::uint32_t>{0, 3, 3});
  std::vector<std::uint8_t> y{1, 0, 1}, p{1, 1, 0};
  fm::binary_inputs in{std::span<const std::uint8_t>(y),
                       fm::prediction_view::hard(std::span<const std::uint8_t>(p)),
                       std::span<const std::uint32_t>(codes), enc.n_groups()};
  const auto acc = fm::accumulate(in);
  REQUIRE(acc.n_groups() == 4);
  REQUIRE(acc.count(enc.encode({0, 1})) == 0);
  REQUIRE(acc.count(enc.encode({1, 0})) == 0);
  REQUIRE(acc.count(enc.encode({1, 1})) == 2);
}

TEST_CASE("bad categories are reported with the feature and row", "[metrics][groups][errors]") {
  const fm::group_encoder enc{{"sex", {"F", "M"}}, {"race", {"a", "b"}}};
  std::vector<std::uint8_t> sex{0, 1, 2}, race{0, 1, 1};
  std::vector<std::span<const std::uint8_t>> cols{sex, race};
  std::vector<std::uint32_t> codes(3);
  require_error([&] { enc.encode_rows<std::uint8_t>(cols, codes); }, fairgate::errc::out_of_range,
                "sex[2] = 2: category codes must be < 2");
  require_error([&] { (void)enc.decode(4); }, fairgate::errc::out_of_range, "code 4 must be < 4");
  require_error([&] { (void)enc.encode({0}); }, fairgate::errc::length_mismatch,
                "1 categories given for 2 features");
}

TEST_CASE("every single-byte corruption of a serialised accumulator is detected",
          "[metrics][serialize][errors]") {
  const auto d = fg_test::make_binary(300, 3, 33);
  const auto b = fm::serialize(with_regression(d, true));
  for (std::size_t i = 0; i < b.size(); ++i) {
    auto c = b;
    c[i] ^= 0x5a;
    try {
      (void)fm::deserialize(c);
      FAIL("corruption at byte " << i << " accepted");
    } catch (const fairgate::error& e) {
      // Magic and version are checked before the checksum; everything else fails it.
      REQUIRE((e.code() == fairgate::errc::parse_error || e.code() == fairgate::errc::unsupported ||
               e.code() == fairgate::errc::verification_failed));
    }
  }
}
