// Column schemas and digests; the encoding is specified in fairgate/io/schema.hpp.
#include <fairgate/io/schema.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <string_view>

#include <fairgate/io/sha256.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

namespace {

// Little-endian integers, whatever the host's byte order.
// Bytes are collected in a buffer and hashed once per column.
using byte_buf = std::vector<std::byte>;
template <class UInt>
void put_le(byte_buf& h, UInt v) {
  for (std::size_t i = 0; i < sizeof(UInt); ++i)
    h.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFFu));
}
void put_text(byte_buf& h, std::string_view s) {
  const auto b = std::as_bytes(std::span<const char>(s.data(), s.size()));
  h.insert(h.end(), b.begin(), b.end());
}

std::vector<std::string> sorted_categories(const csv_table& t, std::size_t col) {
  std::vector<std::string_view> v;
  v.reserve(t.rows());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (!t.missing(r, col)) v.push_back(t.cell(r, col));
  }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return {v.begin(), v.end()};
}

}  // namespace

column_type infer_column_type(const csv_table& table, std::size_t col) {
  bool any = false;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    if (table.missing(r, col)) continue;
    if (!parse_number(table.cell(r, col))) return column_type::categorical;
    any = true;
  }
  return any ? column_type::numeric : column_type::categorical;
}

std::vector<column_schema> table_schema(const csv_table& table) {
  std::vector<column_schema> out;
  for (std::size_t c = 0; c < table.columns(); ++c) {
    column_schema s;
    s.name = table.column_names()[c];
    s.type = infer_column_type(table, c);
    if (s.type == column_type::categorical) s.categories = sorted_categories(table, c);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<column_digest> column_digests(const csv_table& table) {
  std::vector<column_digest> out;
  const auto schema = table_schema(table);
  for (std::size_t c = 0; c < table.columns(); ++c) {
    column_digest d;
    d.schema = schema[c];
    d.rows = table.rows();
    byte_buf h;
    put_text(h, "fairgate.column.v1");
    put_text(h, d.schema.type == column_type::numeric ? "N" : "C");
    put_le<std::uint64_t>(h, table.rows());
    if (d.schema.type == column_type::numeric) {
      for (std::size_t r = 0; r < table.rows(); ++r) {
        if (table.missing(r, c)) {
          ++d.missing;
          put_le<std::uint8_t>(h, 0);
          continue;
        }
        double v = *parse_number(table.cell(r, c));
        if (v == 0.0) v = 0.0;  // -0.0 -> +0.0
        put_le<std::uint8_t>(h, 1);
        put_le<std::uint64_t>(h, std::bit_cast<std::uint64_t>(v));
      }
    } else {
      const auto& cats = d.schema.categories;
      put_le<std::uint64_t>(h, cats.size());
      for (const auto& s : cats) {
        put_le<std::uint64_t>(h, s.size());
        put_text(h, s);
      }
      for (std::size_t r = 0; r < table.rows(); ++r) {
        if (table.missing(r, c)) {
          ++d.missing;
          put_le<std::uint32_t>(h, 0xFFFFFFFFu);
          continue;
        }
        const std::string_view v = table.cell(r, c);
        const auto it =
            std::lower_bound(cats.begin(), cats.end(), v,
                             [](const std::string& a, std::string_view b) { return a < b; });
        put_le<std::uint32_t>(h, static_cast<std::uint32_t>(it - cats.begin()));
      }
    }
    d.sha256 = sha256_hex(h);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace io

FAIRGATE_END_NAMESPACE
