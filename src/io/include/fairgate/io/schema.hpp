// fairgate/io/schema.hpp: the schema of a loaded table and a SHA-256 per column.
//
//   for (const auto& d : fairgate::io::column_digests(table))
//     manifest["inputs"]["columns"][d.schema.name] = d.sha256;
//
// What is guaranteed (docs/data.md):
//  - The schema (names, inferred types, sorted category lists) depends only on
//    the SET of values in each column, so permuting rows leaves it equal.
//  - A column's digest depends on its values IN ROW ORDER, so permuting rows
//    changes it (unless the column is constant), and the same table gives the
//    same digest on every platform and compiler: it hashes a fixed
//    little-endian byte encoding, never in-memory layouts.
// Type inference: a column is numeric when it has at least one non-missing
// cell and every non-missing cell passes parse_number(); otherwise it is
// categorical (an all-missing column is categorical with no categories).
//
// Canonical encoding hashed for one column (version 1), all integers
// little-endian:
//   "fairgate.column.v1" (18 bytes), then a type byte 'N' or 'C',
//   u64 row count,
//   numeric:      per row: u8 0 (missing), or u8 1 and the u64 IEEE-754 bits
//                 of the parsed value (-0.0 written as +0.0, so "0" and "-0"
//                 agree, as do "1" and "1.0"),
//   categorical:  u64 category count, per category u64 byte length + bytes
//                 (sorted order), then per row the u32 code, 0xFFFFFFFF for
//                 a missing cell.
// The column name is not hashed (it is in the schema next to the digest).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/io/csv.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

enum class column_type { numeric, categorical };

[[nodiscard]] constexpr const char* column_type_name(column_type t) noexcept {
  return t == column_type::numeric ? "numeric" : "categorical";
}

struct column_schema {
  std::string name;
  column_type type = column_type::categorical;
  std::vector<std::string> categories;  // sorted byte-wise; empty for numeric columns
  friend bool operator==(const column_schema&, const column_schema&) = default;
};

struct column_digest {
  column_schema schema;
  std::size_t rows = 0;
  std::size_t missing = 0;
  std::string sha256;  // 64 lowercase hex digits
};

[[nodiscard]] column_type infer_column_type(const csv_table& table, std::size_t col);
// One entry per column, in table order.
[[nodiscard]] std::vector<column_schema> table_schema(const csv_table& table);
[[nodiscard]] std::vector<column_digest> column_digests(const csv_table& table);

}  // namespace io

FAIRGATE_END_NAMESPACE
