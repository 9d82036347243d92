// The UCI Adult loader; see fairgate/io/adult.hpp for the policy.
#include <fairgate/io/adult.hpp>

#include <cstdlib>
#include <system_error>

#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>

#ifndef FAIRGATE_INSTALL_DATA_DIR
#error "FAIRGATE_INSTALL_DATA_DIR must be defined by the build (src/io/CMakeLists.txt)"
#endif
#ifndef FAIRGATE_SOURCE_DATA_DIR
#error "FAIRGATE_SOURCE_DATA_DIR must be defined by the build (src/io/CMakeLists.txt)"
#endif

FAIRGATE_BEGIN_NAMESPACE

namespace io {

namespace {

std::vector<std::uint8_t> group_codes(const csv_table& t, std::string_view column,
                                      const std::vector<std::string>& names) {
  const categorical_column c = t.categorical(column, names);
  std::vector<std::uint8_t> out(c.codes.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(c.codes[i]);
  return out;
}

adult_split load_split(const std::filesystem::path& file, const adult_options& options) {
  csv_options o;
  o.header = false;
  o.column_names.assign(adult_columns.begin(), adult_columns.end());
  o.comment = '|';
  o.missing_markers = options.missing == adult_missing::drop_rows
                          ? std::vector<std::string>{"?", ""}
                          : std::vector<std::string>{""};
  adult_split s;
  // Hash what is parsed, from the same bytes, so the digest describes this load.
  const std::string text = read_text_file(file);
  s.sha256 = sha256_hex(text);
  o.source_name = file.string();
  csv_table raw = parse_csv(text, o);
  s.rows_read = raw.rows();
  filtered_table f = drop_missing_rows(raw);
  s.missing = std::move(f.report);
  s.table = std::move(f.table);

  const std::size_t ci = s.table.column_index(adult_label_column);
  s.labels.resize(s.table.rows());
  for (std::size_t r = 0; r < s.table.rows(); ++r) {
    std::string_view v = s.table.cell(r, ci);
    if (!v.empty() && v.back() == '.') v.remove_suffix(1);  // adult.test writes ">50K."
    require(v == ">50K" || v == "<=50K", errc::parse_error, [&] {
      return s.table.where(r, ci) + ": income label \"" + std::string(s.table.cell(r, ci)) +
             "\" is neither \"<=50K\" nor \">50K\" (with an optional '.')";
    });
    s.labels[r] = v == ">50K" ? 1 : 0;
  }
  return s;
}

bool has_adult(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "adult" / "adult.data", ec);
}

}  // namespace

std::filesystem::path data_dir() {
  if (const char* env = std::getenv("FAIRGATE_DATA_DIR"); env != nullptr && *env != '\0') {
    const std::filesystem::path p(env);
    std::error_code ec;
    require(std::filesystem::is_directory(p, ec), errc::io_error,
            [&] { return "FAIRGATE_DATA_DIR='" + p.string() + "' is not a directory"; });
    return p;
  }
  const std::filesystem::path installed(FAIRGATE_INSTALL_DATA_DIR);
  if (has_adult(installed)) return installed;
  const std::filesystem::path source(FAIRGATE_SOURCE_DATA_DIR);
  if (has_adult(source)) return source;
  throw error(errc::io_error,
              "fairgate's bundled data was not found: FAIRGATE_DATA_DIR is not set, and neither '" +
                  installed.string() + "/adult' nor '" + source.string() +
                  "/adult' has adult.data");
}

adult_dataset load_adult(const std::filesystem::path& dir, const adult_options& options) {
  adult_dataset d;
  d.dir = dir;
  d.train = load_split(dir / "adult.data", options);
  d.test = load_split(dir / "adult.test", options);
  d.sex_names = d.train.table.categorical("sex").categories;
  d.race_names = d.train.table.categorical("race").categories;
  require(d.sex_names.size() <= 256 && d.race_names.size() <= 256, errc::out_of_range,
          "load_adult: more than 256 sex or race categories");
  for (adult_split* s : {&d.train, &d.test}) {
    s->sex = group_codes(s->table, "sex", d.sex_names);
    s->race = group_codes(s->table, "race", d.race_names);
  }
  return d;
}

adult_dataset load_adult(const adult_options& options) {
  return load_adult(data_dir() / "adult", options);
}

}  // namespace io

FAIRGATE_END_NAMESPACE
