// fairgate/io/csv.hpp: reading CSV files into a table of text cells (libcsv underneath).
//
//   auto t = fairgate::io::read_csv("preds.csv");                 // header row, "?" / "" missing
//   auto kept = fairgate::io::drop_missing_rows(t, {"label", "group"});
//   std::vector<double> s = kept.table.numeric("score");         // from_chars, correctly rounded
//
// A csv_table holds every cell as text exactly as the CSV defines it (quotes
// removed, "" unescaped, unquoted fields trimmed); typing happens on request
// (numeric(), categorical()), so one file can be read once and interpreted
// several ways. The parsing rules are listed in docs/data.md and, briefly:
//  - RFC 4180 quoting: a field in double quotes may hold the delimiter, line
//    breaks and "" for one quote. A quote inside an unquoted field, or text
//    after a closing quote, is an error (libcsv's CSV_STRICT mode), as is an
//    unterminated quoted field at the end of the input.
//  - Line ends: LF, CRLF and lone CR all end a record. A UTF-8 byte-order mark
//    at the very start is skipped. Blank lines (only spaces/tabs) are skipped,
//    wherever they are; so in a one-column file an empty value must be "".
//  - Whitespace: spaces and tabs around an unquoted field are removed
//    (libcsv's default, and what the Adult files' ", " separator needs);
//    spaces inside quotes are kept. trim_unquoted = false keeps them.
//  - Comments: with comment = '|', a physical line whose first byte is '|'
//    (outside a quoted field) is skipped (adult.test's first line).
//  - Every record must have as many fields as the header; a ragged record is
//    an error naming the file, line and column.
//  - A cell is missing when its (trimmed, unquoted) text equals one of
//    missing_markers (default "?" and ""), quoted or not.
// Lines and columns in messages are 1-based; the line of a record is the
// physical line where it starts (a quoted field may span lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

struct csv_options {
  char delimiter = ',';
  char quote = '"';
  // true: the first record names the columns. false: column_names must be given.
  bool header = true;
  // Used when header == false (and then required); ignored otherwise.
  std::vector<std::string> column_names;
  // Remove spaces and tabs around unquoted fields (and between a closing quote
  // and the delimiter).
  bool trim_unquoted = true;
  // Cell texts that mean "no value". Compared after trimming and unquoting.
  std::vector<std::string> missing_markers{"?", ""};
  // Lines starting with this byte are skipped; '\0' = no comment lines.
  char comment = '\0';
  // Name used in error messages for parse_csv(); read_csv() uses the path.
  std::string source_name = "<string>";
};

// A categorical column: codes index into categories, which are sorted
// byte-wise (std::string's operator<), never in first-seen order, so the same
// set of values gives the same codes whatever the row order.
struct categorical_column {
  std::string name;
  std::vector<std::string> categories;
  std::vector<std::uint32_t> codes;
};

class csv_table;

// Which rows drop_missing_rows() removed and why.
struct missing_report {
  std::size_t rows_before = 0;
  std::size_t rows_after = 0;
  std::vector<std::size_t> dropped_rows;   // 0-based record indices in the input table
  std::vector<std::size_t> dropped_lines;  // the same records' 1-based source lines
  // For every column that was checked, in table order: (name, missing cells).
  std::vector<std::pair<std::string, std::size_t>> missing_by_column;
  [[nodiscard]] std::size_t dropped() const noexcept { return rows_before - rows_after; }
  // One line for people, e.g. "dropped 2,399 of 32,561 rows with a missing
  // value (workclass 1,836, occupation 1,843, native-country 583)".
  [[nodiscard]] std::string summary() const;
};

struct filtered_table;

class csv_table {
 public:
  csv_table() = default;

  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] std::size_t rows() const noexcept { return lines_.size(); }
  [[nodiscard]] std::size_t columns() const noexcept { return names_.size(); }
  [[nodiscard]] const std::vector<std::string>& column_names() const noexcept { return names_; }
  [[nodiscard]] bool has_column(std::string_view name) const noexcept;
  // Throws errc::invalid_argument naming the column and listing the available ones.
  [[nodiscard]] std::size_t column_index(std::string_view name) const;

  // The text of a cell (row and col 0-based). Throws errc::out_of_range.
  [[nodiscard]] std::string_view cell(std::size_t row, std::size_t col) const;
  [[nodiscard]] bool missing(std::size_t row, std::size_t col) const;
  // The 1-based physical line where record `row` starts.
  [[nodiscard]] std::size_t line(std::size_t row) const;

  // The column parsed with parse_number(). A missing cell or a text that is
  // not a finite number is an errc::parse_error naming file, line, column and
  // the text; drop or impute missing rows first.
  [[nodiscard]] std::vector<double> numeric(std::string_view column) const;
  // The column's distinct values, sorted byte-wise, and each row's code.
  // A missing cell is an errc::parse_error (drop missing rows first).
  [[nodiscard]] categorical_column categorical(std::string_view column) const;
  // Codes into a given category list (e.g. the training split's); a value
  // not in the list is an errc::out_of_range error naming line and value.
  // `categories` must be sorted and unique.
  [[nodiscard]] categorical_column categorical(std::string_view column,
                                               std::span<const std::string> categories) const;

  // A table with only the given records, in the given order (indices may repeat).
  [[nodiscard]] csv_table select_rows(std::span<const std::size_t> rows) const;

  // "file: line L, column C ('name')": the prefix of every cell error.
  [[nodiscard]] std::string where(std::size_t row, std::size_t col) const;

 private:
  friend class csv_builder;
  std::string source_;
  std::vector<std::string> names_;
  std::string text_;                // all cell texts, concatenated in row-major order
  std::vector<std::size_t> ends_;   // ends_[i]: end offset of cell i in text_
  std::vector<std::uint8_t> miss_;  // miss_[i]: cell i is missing
  std::vector<std::size_t> lines_;  // lines_[r]: source line of record r
};

struct filtered_table {
  csv_table table;
  missing_report report;
};

// Parses `text` (the whole input). A header with no records after it gives a
// table with zero rows. Throws fairgate::error:
//  errc::empty_input  no record at all (not even a header)
//  errc::parse_error  malformed quoting, ragged record, bad or duplicate header
//  errc::invalid_argument  bad options (header == false without column_names,
//                     delimiter equal to quote, ...)
[[nodiscard]] csv_table parse_csv(std::string_view text, const csv_options& options = {});
// Reads the file and parses it; messages name the path. A file that cannot be
// read is an errc::io_error with the path and the system's reason.
[[nodiscard]] csv_table read_csv(const std::filesystem::path& path,
                                 const csv_options& options = {});

// Removes every record that has a missing cell in one of `columns` (all
// columns when empty) and reports which and how many. Unknown columns throw
// errc::invalid_argument.
[[nodiscard]] filtered_table drop_missing_rows(const csv_table& table,
                                               std::span<const std::string> columns = {});
[[nodiscard]] filtered_table drop_missing_rows(const csv_table& table,
                                               std::initializer_list<std::string> columns);

// The one number parser of fairgate's text inputs: std::from_chars (C++17),
// which is correctly rounded (round-to-nearest-even from the exact decimal
// value), so every platform gives the same double for the same text. Accepts
// what from_chars' general format accepts ("12", "-0.5", "1e-3", ".5") plus
// one leading '+'; the whole text must be consumed. Rejects (nullopt) the
// empty text, surrounding spaces, hex, "nan"/"inf", and values that overflow
// or round to zero from below the smallest subnormal ("1e-400"): from_chars
// reports both as out of range, and fairgate does not guess.
[[nodiscard]] std::optional<double> parse_number(std::string_view text) noexcept;

}  // namespace io

FAIRGATE_END_NAMESPACE
