// io_dump: prints what fairgate::io reads and encodes, for the Python oracles.
//
//   io_dump csv FILE            -> JSON {columns, rows, missing, lines} on stdout
//   io_dump adult DIR OUT_DIR   -> OUT_DIR/{train_X.f64, test_X.f64, meta.json}
//
// On a fairgate::error it prints "ERROR <code> <message>" to stderr and exits 3.
#include <fairgate/io/adult.hpp>
#include <fairgate/io/csv.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/schema.hpp>

#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace io = fairgate::io;
using json = nlohmann::ordered_json;

namespace {

std::string f64_le(const std::vector<double>& v) {
  std::string out;
  out.reserve(v.size() * 8);
  for (double d : v) {
    const auto u = std::bit_cast<std::uint64_t>(d);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xFFu));
  }
  return out;
}

int dump_csv(const std::string& path) {
  const io::csv_table t = io::read_csv(path);
  json j;
  j["columns"] = t.column_names();
  j["rows"] = json::array();
  j["missing"] = json::array();
  j["lines"] = json::array();
  for (std::size_t r = 0; r < t.rows(); ++r) {
    json row = json::array();
    json miss = json::array();
    for (std::size_t c = 0; c < t.columns(); ++c) {
      row.push_back(std::string(t.cell(r, c)));
      miss.push_back(t.missing(r, c));
    }
    j["rows"].push_back(std::move(row));
    j["missing"].push_back(std::move(miss));
    j["lines"].push_back(t.line(r));
  }
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

int dump_adult(const std::string& dir, const std::string& out) {
  using clock = std::chrono::steady_clock;
  // Wall time and CPU time (the CPU time is less disturbed by a busy machine).
  const auto t0 = clock::now();
  const std::clock_t c0 = std::clock();
  const io::adult_dataset d = io::load_adult(dir);
  const auto t1 = clock::now();
  const std::clock_t c1 = std::clock();
  io::encoder_options o;
  o.numeric.assign(io::adult_numeric_columns.begin(), io::adult_numeric_columns.end());
  o.categorical.assign(io::adult_categorical_columns.begin(), io::adult_categorical_columns.end());
  const io::feature_encoder e = io::feature_encoder::fit(d.train.table, o);
  const io::encoded_matrix xtr = e.transform(d.train.table);
  const io::encoded_matrix xte = e.transform(d.test.table);
  const auto t2 = clock::now();
  const std::clock_t c2 = std::clock();
  io::write_file_atomic(out + "/train_X.f64", f64_le(xtr.values));
  io::write_file_atomic(out + "/test_X.f64", f64_le(xte.values));
  json j;
  j["load_ms"] = std::chrono::duration<double, std::milli>(t1 - t0).count();
  j["encode_ms"] = std::chrono::duration<double, std::milli>(t2 - t1).count();
  j["load_cpu_ms"] = 1000.0 * static_cast<double>(c1 - c0) / CLOCKS_PER_SEC;
  j["encode_cpu_ms"] = 1000.0 * static_cast<double>(c2 - c1) / CLOCKS_PER_SEC;
  j["feature_names"] = xtr.feature_names;
  j["train_rows"] = xtr.rows;
  j["test_rows"] = xte.rows;
  j["cols"] = xtr.cols;
  j["train_rows_read"] = d.train.rows_read;
  j["test_rows_read"] = d.test.rows_read;
  j["train_labels"] = d.train.labels;
  j["test_labels"] = d.test.labels;
  j["sex_names"] = d.sex_names;
  j["train_sex"] = d.train.sex;
  j["encoder"] = json::parse(e.to_json());
  j["train_sha256"] = d.train.sha256;
  j["column_digests"] = json::array();
  for (const auto& c : io::column_digests(d.train.table)) {
    j["column_digests"].push_back({{"name", c.schema.name},
                                   {"type", io::column_type_name(c.schema.type)},
                                   {"categories", c.schema.categories},
                                   {"missing", c.missing},
                                   {"sha256", c.sha256}});
  }
  io::write_file_atomic(out + "/meta.json", j.dump(1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 2 && a[0] == "csv") return dump_csv(a[1]);
    if (a.size() == 3 && a[0] == "adult") return dump_adult(a[1], a[2]);
    std::cerr << "usage: io_dump csv FILE | io_dump adult DIR OUT_DIR\n";
    return 2;
  } catch (const fairgate::error& e) {
    std::cerr << "ERROR " << fairgate::errc_name(e.code()) << " " << e.what() << "\n";
    return 3;
  }
}
