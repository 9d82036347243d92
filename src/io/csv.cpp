// CSV reading on top of libcsv; see fairgate/io/csv.hpp for the rules.
//
// libcsv reports fields and record ends through C callbacks but no positions,
// so the input is fed one physical line at a time: the parser state at the
// start of a line tells whether a new record starts there, which gives every
// record its line number and lets comment lines be skipped. Exceptions never
// cross libcsv's C frames: callbacks record the first failure and the caller
// throws after csv_parse returns.
#include <fairgate/io/csv.hpp>

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <map>
#include <string>

#include <fairgate/io/file.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

namespace {

// libcsv's parser states (libcsv.c): ROW_NOT_BEGUN = 0.
constexpr int row_not_begun = 0;

std::string show(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string with_commas(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

int never_space(unsigned char) {
  return 0;
}

}  // namespace

// Collects libcsv's callbacks into a csv_table.
class csv_builder {
 public:
  csv_builder(const csv_options& opt, std::string source) : opt_(opt) {
    table_.source_ = std::move(source);
    if (!opt.header) expected_ = opt.column_names.size();
  }

  static void on_field(void* field, std::size_t len, void* self) noexcept {
    auto* b = static_cast<csv_builder*>(self);
    if (b->failed_) return;
    try {
      b->field(static_cast<const char*>(field), len);
    } catch (...) {
      b->failure_ = std::current_exception();
      b->failed_ = true;
    }
  }
  static void on_row(int, void* self) noexcept {
    auto* b = static_cast<csv_builder*>(self);
    if (b->failed_) return;
    try {
      b->row_end();
    } catch (...) {
      b->failure_ = std::current_exception();
      b->failed_ = true;
    }
  }

  void begin_line(std::size_t line, int parser_state) {
    if (parser_state == row_not_begun) row_line_ = line;
  }
  void rethrow_if_failed() const {
    if (failed_) std::rethrow_exception(failure_);
  }
  [[nodiscard]] bool header_seen() const noexcept { return !opt_.header || header_done_; }

  csv_table finish() {
    if (!opt_.header) table_.names_ = opt_.column_names;
    return std::move(table_);
  }

 private:
  void field(const char* p, std::size_t len) {
    const std::string_view v(p == nullptr ? "" : p, p == nullptr ? 0 : len);
    if (opt_.header && !header_done_) {
      header_.emplace_back(v);
      return;
    }
    ++fields_in_row_;
    if (fields_in_row_ > expected_) return;  // reported at the record's end
    table_.text_.append(v);
    table_.ends_.push_back(table_.text_.size());
    const bool miss = std::find(opt_.missing_markers.begin(), opt_.missing_markers.end(), v) !=
                      opt_.missing_markers.end();
    table_.miss_.push_back(miss ? 1 : 0);
  }

  void row_end() {
    if (opt_.header && !header_done_) {
      std::map<std::string_view, std::size_t> seen;  // O(n log n) even for very wide headers
      for (std::size_t i = 0; i < header_.size(); ++i) {
        require(!header_[i].empty(), errc::parse_error, [&] {
          return table_.source_ + ": line " + std::to_string(row_line_) + ", column " +
                 std::to_string(i + 1) + ": empty column name in the header";
        });
        const auto ins = seen.emplace(header_[i], i);
        const std::size_t first = ins.first->second;
        require(ins.second, errc::parse_error, [&] {
          return table_.source_ + ": line " + std::to_string(row_line_) + ", column " +
                 std::to_string(i + 1) + ": duplicate column name " + show(header_[i]) +
                 " (also column " + std::to_string(first + 1) + ")";
        });
      }
      table_.names_ = std::move(header_);
      expected_ = table_.names_.size();
      header_done_ = true;
      return;
    }
    if (fields_in_row_ != expected_) {
      // The column is the first one absent, or the first one too many.
      const std::size_t column = std::min(fields_in_row_, expected_) + 1;
      throw error(errc::parse_error,
                  table_.source_ + ": line " + std::to_string(row_line_) + ", column " +
                      std::to_string(column) + ": ragged row: " + std::to_string(fields_in_row_) +
                      (fields_in_row_ == 1 ? " field" : " fields") + ", but the " +
                      (opt_.header ? "header has " : "column list has ") +
                      std::to_string(expected_) + " (record " +
                      std::to_string(table_.lines_.size() + 1) + ")");
    }
    table_.lines_.push_back(row_line_);
    fields_in_row_ = 0;
  }

  const csv_options& opt_;
  csv_table table_;
  std::vector<std::string> header_;
  bool header_done_ = false;
  std::size_t expected_ = 0;
  std::size_t fields_in_row_ = 0;
  std::size_t row_line_ = 1;
  bool failed_ = false;
  std::exception_ptr failure_;
};

namespace {

struct parser_guard {
  csv_parser p{};
  bool live = false;
  ~parser_guard() {
    if (live) csv_free(&p);
  }
};

void check_options(const csv_options& opt) {
  require(opt.delimiter != opt.quote, errc::invalid_argument,
          "csv_options: the delimiter and the quote character must differ");
  require(opt.delimiter != '\n' && opt.delimiter != '\r' && opt.quote != '\n' && opt.quote != '\r',
          errc::invalid_argument,
          "csv_options: delimiter and quote cannot be line-break characters");
  require(opt.comment != opt.delimiter && opt.comment != opt.quote && opt.comment != '\n' &&
              opt.comment != '\r',
          errc::invalid_argument,
          "csv_options: the comment character must differ from the delimiter, the quote and line "
          "breaks");
  if (!opt.header) {
    require(!opt.column_names.empty(), errc::invalid_argument,
            "csv_options: header == false needs column_names");
    std::map<std::string_view, std::size_t> seen;
    for (std::size_t i = 0; i < opt.column_names.size(); ++i) {
      require(!opt.column_names[i].empty(), errc::invalid_argument,
              [&] { return "csv_options: column_names[" + std::to_string(i) + "] is empty"; });
      const auto ins = seen.emplace(opt.column_names[i], i);
      const std::size_t first = ins.first->second;
      require(ins.second, errc::invalid_argument, [&] {
        return "csv_options: column_names[" + std::to_string(i) +
               "] = " + show(opt.column_names[i]) + " repeats column_names[" +
               std::to_string(first) + "]";
      });
    }
  }
}

csv_table parse_impl(std::string_view text, const csv_options& opt, const std::string& source) {
  check_options(opt);
  // UTF-8 byte-order mark.
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.remove_prefix(3);
  }

  parser_guard g;
  require(csv_init(&g.p, CSV_STRICT | CSV_STRICT_FINI) == 0, errc::internal,
          "libcsv: csv_init failed (out of memory)");
  g.live = true;
  csv_set_delim(&g.p, static_cast<unsigned char>(opt.delimiter));
  csv_set_quote(&g.p, static_cast<unsigned char>(opt.quote));
  if (!opt.trim_unquoted) csv_set_space_func(&g.p, never_space);

  csv_builder b(opt, source);
  std::size_t line = 1;
  std::size_t pos = 0;
  std::size_t quote_line = 0;  // line where the record in progress started
  while (pos < text.size()) {
    // One physical line: up to and including "\n", "\r\n" or a lone "\r".
    std::size_t end = pos;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
    if (end < text.size()) {
      if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ++end;
      ++end;
    }
    const std::string_view chunk = text.substr(pos, end - pos);
    const int state = g.p.pstate;
    if (!(state == row_not_begun && opt.comment != '\0' && chunk.front() == opt.comment)) {
      b.begin_line(line, state);
      if (state == row_not_begun) quote_line = line;
      const std::size_t used = csv_parse(&g.p, chunk.data(), chunk.size(), csv_builder::on_field,
                                         csv_builder::on_row, &b);
      b.rethrow_if_failed();
      if (used != chunk.size()) {
        const int err = csv_error(&g.p);
        require(err != CSV_EPARSE, errc::parse_error, [&] {
          return source + ": line " + std::to_string(line) + ", byte " + std::to_string(used + 1) +
                 ": malformed quoting: a quote inside an unquoted field, or text after a closing "
                 "quote";
        });
        throw error(errc::internal, source + ": libcsv: " + csv_strerror(err));
      }
    }
    pos = end;
    ++line;
  }
  if (csv_fini(&g.p, csv_builder::on_field, csv_builder::on_row, &b) != 0) {
    b.rethrow_if_failed();
    throw error(errc::parse_error,
                source + ": line " + std::to_string(quote_line) +
                    ": unterminated quoted field (the input ends inside quotes)");
  }
  b.rethrow_if_failed();
  require(b.header_seen(), errc::empty_input,
          [&] { return source + ": empty input: no header row and no records"; });
  csv_table t = b.finish();
  require(!(t.rows() == 0 && !opt.header), errc::empty_input,
          [&] { return source + ": empty input: no records"; });
  return t;
}

}  // namespace

std::string missing_report::summary() const {
  std::string s = "dropped " + with_commas(dropped()) + " of " + with_commas(rows_before) +
                  " rows with a missing value";
  std::string parts;
  for (const auto& [name, n] : missing_by_column) {
    if (n == 0) continue;
    if (!parts.empty()) parts += ", ";
    parts += name + " " + with_commas(n);
  }
  if (!parts.empty()) s += " (missing cells: " + parts + ")";
  return s;
}

bool csv_table::has_column(std::string_view name) const noexcept {
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::size_t csv_table::column_index(std::string_view name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) {
    std::string avail;
    for (const auto& n : names_) {
      if (!avail.empty()) avail += ", ";
      avail += n;
    }
    throw error(errc::invalid_argument,
                source_ + ": unknown column " + show(name) + "; available columns: " + avail);
  }
  return static_cast<std::size_t>(it - names_.begin());
}

std::string_view csv_table::cell(std::size_t row, std::size_t col) const {
  require(row < rows() && col < columns(), errc::out_of_range, [&] {
    return source_ + ": cell (" + std::to_string(row) + ", " + std::to_string(col) +
           ") is outside the table (" + std::to_string(rows()) + " rows, " +
           std::to_string(columns()) + " columns)";
  });
  const std::size_t i = row * columns() + col;
  const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(text_).substr(begin, ends_[i] - begin);
}

bool csv_table::missing(std::size_t row, std::size_t col) const {
  (void)cell(row, col);  // bounds check
  return miss_[row * columns() + col] != 0;
}

std::size_t csv_table::line(std::size_t row) const {
  require(row < rows(), errc::out_of_range, [&] {
    return source_ + ": row " + std::to_string(row) + " is outside the table (" +
           std::to_string(rows()) + " rows)";
  });
  return lines_[row];
}

std::string csv_table::where(std::size_t row, std::size_t col) const {
  return source_ + ": line " + std::to_string(line(row)) + ", column " + std::to_string(col + 1) +
         " (" + show(names_.at(col)) + ")";
}

std::vector<double> csv_table::numeric(std::string_view column) const {
  const std::size_t c = column_index(column);
  std::vector<double> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    require(!missing(r, c), errc::parse_error, [&] {
      return where(r, c) + ": missing value " + show(cell(r, c)) +
             " in a numeric column (drop or impute rows with missing values first)";
    });
    const std::string_view s = cell(r, c);
    const auto v = parse_number(s);
    require(v.has_value(), errc::parse_error,
            [&] { return where(r, c) + ": " + show(s) + " is not a finite number"; });
    out[r] = *v;
  }
  return out;
}

categorical_column csv_table::categorical(std::string_view column) const {
  const std::size_t c = column_index(column);
  std::vector<std::string> cats;
  for (std::size_t r = 0; r < rows(); ++r) {
    require(!missing(r, c), errc::parse_error, [&] {
      return where(r, c) + ": missing value " + show(cell(r, c)) +
             " in a categorical column (drop rows with missing values first, or read with "
             "missing_markers that exclude it to keep it as a category)";
    });
  }
  // Distinct values: sort a list of row indices by text, then keep the firsts.
  std::vector<std::string_view> vals(rows());
  for (std::size_t r = 0; r < rows(); ++r) vals[r] = cell(r, c);
  std::vector<std::string_view> uniq = vals;
  std::sort(uniq.begin(), uniq.end());
  uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
  cats.assign(uniq.begin(), uniq.end());
  return categorical(column, cats);
}

categorical_column csv_table::categorical(std::string_view column,
                                          std::span<const std::string> categories) const {
  const std::size_t c = column_index(column);
  for (std::size_t i = 1; i < categories.size(); ++i) {
    require(categories[i - 1] < categories[i], errc::invalid_argument, [&] {
      return "categorical(" + show(column) +
             "): categories must be sorted and unique; categories[" + std::to_string(i) +
             "] = " + show(categories[i]) + " does not follow " + show(categories[i - 1]);
    });
  }
  categorical_column out;
  out.name = std::string(column);
  out.categories.assign(categories.begin(), categories.end());
  out.codes.resize(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    require(!missing(r, c), errc::parse_error, [&] {
      return where(r, c) + ": missing value " + show(cell(r, c)) +
             " in a categorical column (drop rows with missing values first)";
    });
    const std::string_view v = cell(r, c);
    const auto it =
        std::lower_bound(categories.begin(), categories.end(), v,
                         [](const std::string& a, std::string_view b) { return a < b; });
    require(it != categories.end() && *it == v, errc::out_of_range, [&] {
      return where(r, c) + ": category " + show(v) + " is not one of the " +
             std::to_string(categories.size()) + " known categories";
    });
    out.codes[r] = static_cast<std::uint32_t>(it - categories.begin());
  }
  return out;
}

csv_table csv_table::select_rows(std::span<const std::size_t> rows_to_keep) const {
  csv_table t;
  t.source_ = source_;
  t.names_ = names_;
  const std::size_t nc = columns();
  t.ends_.reserve(rows_to_keep.size() * nc);
  t.miss_.reserve(rows_to_keep.size() * nc);
  t.lines_.reserve(rows_to_keep.size());
  for (std::size_t r : rows_to_keep) {
    require(r < rows(), errc::out_of_range, [&] {
      return "select_rows: row " + std::to_string(r) + " is outside the table (" +
             std::to_string(rows()) + " rows)";
    });
    for (std::size_t c = 0; c < nc; ++c) {
      t.text_.append(cell(r, c));
      t.ends_.push_back(t.text_.size());
      t.miss_.push_back(miss_[r * nc + c]);
    }
    t.lines_.push_back(lines_[r]);
  }
  return t;
}

csv_table parse_csv(std::string_view text, const csv_options& options) {
  return parse_impl(text, options, options.source_name);
}

csv_table read_csv(const std::filesystem::path& path, const csv_options& options) {
  const std::string text = read_text_file(path);
  return parse_impl(text, options, path.string());
}

filtered_table drop_missing_rows(const csv_table& table, std::span<const std::string> columns) {
  std::vector<std::size_t> cols;
  if (columns.empty()) {
    for (std::size_t c = 0; c < table.columns(); ++c) cols.push_back(c);
  } else {
    for (const auto& name : columns) cols.push_back(table.column_index(name));
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  }
  filtered_table out;
  out.report.rows_before = table.rows();
  std::vector<std::size_t> per_col(cols.size(), 0);
  std::vector<std::size_t> keep;
  keep.reserve(table.rows());
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool any = false;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      if (table.missing(r, cols[k])) {
        ++per_col[k];
        any = true;
      }
    }
    if (any) {
      out.report.dropped_rows.push_back(r);
      out.report.dropped_lines.push_back(table.line(r));
    } else {
      keep.push_back(r);
    }
  }
  for (std::size_t k = 0; k < cols.size(); ++k) {
    out.report.missing_by_column.emplace_back(table.column_names()[cols[k]], per_col[k]);
  }
  out.report.rows_after = keep.size();
  out.table = table.select_rows(keep);
  return out;
}

filtered_table drop_missing_rows(const csv_table& table,
                                 std::initializer_list<std::string> columns) {
  return drop_missing_rows(table, std::span<const std::string>(columns.begin(), columns.size()));
}

std::optional<double> parse_number(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  // from_chars rejects '+'; accept exactly one, followed by a digit or '.'.
  if (text.front() == '+') {
    text.remove_prefix(1);
    if (text.empty() || !((text.front() >= '0' && text.front() <= '9') || text.front() == '.')) {
      return std::nullopt;
    }
  }
  double v = 0.0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto res = std::from_chars(first, last, v, std::chars_format::general);
  if (res.ec != std::errc() || res.ptr != last) return std::nullopt;
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace io

FAIRGATE_END_NAMESPACE
