// libFuzzer target: the CSV reader (libcsv underneath) and what is built on a
// parsed table (missing-row filtering, typed columns, schema, digests, the
// encoder). Any input must give a table or a fairgate::error: a crash, a
// sanitizer report, another exception type or a broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/io/csv.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/io/schema.hpp>

namespace io = fairgate::io;

namespace {
void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options; the rest is the CSV text.
  const std::uint8_t sel = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  io::csv_options o;
  static constexpr char delims[] = {',', ';', '\t', '|'};
  o.delimiter = delims[sel & 3u];
  o.header = (sel & 4u) == 0;
  if (!o.header) o.column_names = {"a", "b", "c"};
  o.trim_unquoted = (sel & 8u) == 0;
  if ((sel & 16u) != 0 && o.delimiter != '|') o.comment = '|';
  if ((sel & 32u) != 0) o.missing_markers = {"NA"};

  io::csv_table t;
  try {
    t = io::parse_csv(text, o);
  } catch (const fairgate::error&) {
    return 0;
  }
  check(t.columns() > 0);
  std::size_t prev_line = 0;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    check(t.line(r) >= 1 && t.line(r) > prev_line);
    prev_line = t.line(r);
    for (std::size_t c = 0; c < t.columns(); ++c) (void)t.cell(r, c);
  }
  const io::filtered_table f = io::drop_missing_rows(t);
  check(f.report.rows_after + f.report.dropped_rows.size() == f.report.rows_before);
  check(f.table.rows() == f.report.rows_after);
  const auto schema = io::table_schema(t);
  const auto digests = io::column_digests(t);
  check(schema.size() == t.columns() && digests.size() == t.columns());
  for (std::size_t c = 0; c < t.columns(); ++c) {
    check(digests[c].schema == schema[c]);
    const std::string& name = t.column_names()[c];
    try {
      if (schema[c].type == io::column_type::numeric) {
        const auto v = f.table.numeric(name);
        check(v.size() == f.table.rows());
      } else {
        const auto k = f.table.categorical(name);
        for (auto code : k.codes) check(code < k.categories.size());
      }
    } catch (const fairgate::error&) {
    }
  }
  if (f.table.rows() > 0) {
    try {
      io::encoder_options eo;
      if (schema[0].type == io::column_type::numeric) {
        eo.numeric = {t.column_names()[0]};
      } else {
        eo.categorical = {t.column_names()[0]};
      }
      const auto e = io::feature_encoder::fit(f.table, eo);
      const auto m = e.transform(f.table);
      check(m.values.size() == m.rows * m.cols);
      check(io::feature_encoder::from_json(e.to_json()) == e);
    } catch (const fairgate::error&) {
    }
  }
  return 0;
}
