// The Adult loader, the feature encoder, schemas and column digests.
#include <catch2/catch.hpp>

#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/schema.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "io_test_util.hpp"

using namespace fairgate::io;
using Catch::Matchers::Contains;
using fairgate::errc;
using fairgate::io_test::temp_dir;
using fairgate::io_test::throws_code;
namespace fs = std::filesystem;

namespace {

const adult_dataset& adult() {
  static const adult_dataset d = load_adult(FAIRGATE_TEST_ADULT_DIR);
  return d;
}

template <class A>
std::vector<std::string> strings(const A& a) {
  return {a.begin(), a.end()};
}

std::map<std::string, std::size_t> tally(const std::vector<std::uint8_t>& codes,
                                         const std::vector<std::string>& names) {
  std::map<std::string, std::size_t> m;
  for (auto c : codes) ++m[names.at(c)];
  return m;
}

const char* tiny_csv =
    "age,color,city\n"
    "1,red,x\n"
    "2,blue,y\n"
    "3,red,x\n"
    "6,green,y\n";

}  // namespace

// Expected counts computed independently with grep/awk on the raw files:
//   grep -v '^|' F | grep ',' | wc -l                   -> records
//   ... | grep -v '?' | wc -l                           -> complete records
//   ... | awk -F', ' '{l=$15; sub(/\.$/,"",l); c[l]++}'  -> labels (likewise $10 sex)
TEST_CASE("the Adult loader reads 32,561 + 16,281 records and keeps 30,162 + 15,060 complete ones",
          "[io][adult]") {
  const adult_dataset& d = adult();
  CHECK(d.train.rows_read == 32561);
  CHECK(d.test.rows_read == 16281);
  CHECK(d.train.table.rows() == 30162);
  CHECK(d.test.table.rows() == 15060);
  CHECK(d.train.table.rows() + d.test.table.rows() == 45222);
  CHECK(d.train.missing.dropped() == 2399);
  CHECK(d.test.missing.dropped() == 1221);
  CHECK(d.train.table.column_names() == strings(adult_columns));
  // adult.test's first data record is on line 2 (line 1 is "|1x3 Cross validator").
  CHECK(d.test.table.line(0) == 2);
}

TEST_CASE("Adult reports missing cells per column: workclass, occupation, native-country",
          "[io][adult]") {
  std::map<std::string, std::size_t> m;
  for (const auto& [name, n] : adult().train.missing.missing_by_column) {
    if (n > 0) m[name] = n;
  }
  CHECK(m == std::map<std::string, std::size_t>{
                 {"workclass", 1836}, {"occupation", 1843}, {"native-country", 583}});
  CHECK_THAT(adult().train.missing.summary(), Contains("dropped 2,399 of 32,561 rows"));
}

TEST_CASE("Adult labels are income >50K, with adult.test's trailing period stripped",
          "[io][adult]") {
  const adult_dataset& d = adult();
  std::size_t pos_train = 0, pos_test = 0;
  for (auto l : d.train.labels) pos_train += l;
  for (auto l : d.test.labels) pos_test += l;
  CHECK(pos_train == 7508);
  CHECK(pos_test == 3700);
  CHECK(d.test.table.cell(0, 14) == "<=50K.");  // the table keeps the original text
}

TEST_CASE("Adult sex and race are group codes into sorted names", "[io][adult]") {
  const adult_dataset& d = adult();
  CHECK(d.sex_names == std::vector<std::string>{"Female", "Male"});
  CHECK(d.race_names == std::vector<std::string>{"Amer-Indian-Eskimo", "Asian-Pac-Islander",
                                                 "Black", "Other", "White"});
  CHECK(tally(d.train.sex, d.sex_names) ==
        std::map<std::string, std::size_t>{{"Female", 9782}, {"Male", 20380}});
  CHECK(tally(d.test.sex, d.sex_names) ==
        std::map<std::string, std::size_t>{{"Female", 4913}, {"Male", 10147}});
  CHECK(tally(d.train.race, d.race_names) ==
        std::map<std::string, std::size_t>{{"Amer-Indian-Eskimo", 286},
                                           {"Asian-Pac-Islander", 895},
                                           {"Black", 2817},
                                           {"Other", 231},
                                           {"White", 25933}});
}

TEST_CASE("Adult with missing values kept as a category keeps every record", "[io][adult]") {
  const adult_dataset d = load_adult(FAIRGATE_TEST_ADULT_DIR, {adult_missing::as_category});
  CHECK(d.train.table.rows() == 32561);
  CHECK(d.test.table.rows() == 16281);
  const auto wc = d.train.table.categorical("workclass");
  CHECK(wc.categories.front() == "?");  // '?' (0x3F) sorts before letters
}

TEST_CASE("a bad Adult label is an error naming the file and line", "[io][adult]") {
  temp_dir t;
  const std::string row =
      "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, "
      "Male, 2174, 0, 40, United-States, ";
  write_file_atomic(t.path() / "adult.data", row + "<=50K\n" + row + "maybe\n");
  write_file_atomic(t.path() / "adult.test", "|1x3 Cross validator\n" + row + ">50K.\n");
  REQUIRE_THROWS_WITH(load_adult(t.path()),
                      Contains("adult.data: line 2, column 15") && Contains("\"maybe\""));
  CHECK(throws_code([&] { (void)load_adult(t.path() / "nowhere"); }, errc::io_error));
}

TEST_CASE("data_dir honours FAIRGATE_DATA_DIR and rejects a bad value", "[io][adult]") {
  const char* old = std::getenv("FAIRGATE_DATA_DIR");
  const std::string saved = old ? old : "";
  ::setenv("FAIRGATE_DATA_DIR", fs::path(FAIRGATE_TEST_ADULT_DIR).parent_path().c_str(), 1);
  CHECK(data_dir() == fs::path(FAIRGATE_TEST_ADULT_DIR).parent_path());
  ::setenv("FAIRGATE_DATA_DIR", "/nonexistent/fairgate-data", 1);
  CHECK(throws_code([] { (void)data_dir(); }, errc::io_error));
  if (old) {
    ::setenv("FAIRGATE_DATA_DIR", saved.c_str(), 1);
  } else {
    ::unsetenv("FAIRGATE_DATA_DIR");
  }
  // Unset: the build's install or source-tree copy is found.
  if (!old) CHECK(fs::exists(data_dir() / "adult" / "adult.data"));
}

// Hand computation for age = {1, 2, 3, 6}: mean = 12 / 4 = 3; squared
// deviations 4, 1, 0, 9 sum to 14; population variance 14 / 4 = 3.5, sample
// variance 14 / 3. Every intermediate is exact, so the expected values are
// the same IEEE operations as the encoder's: (x - 3) / sqrt(3.5).
TEST_CASE("standardisation uses the training mean and population standard deviation",
          "[io][encoder]") {
  const csv_table t = parse_csv(tiny_csv);
  const feature_encoder e = feature_encoder::fit(t, {.numeric = {"age"}, .categorical = {}});
  REQUIRE(e.numeric().size() == 1);
  CHECK(e.numeric()[0].mean == 3.0);
  CHECK(e.numeric()[0].scale == std::sqrt(3.5));
  const encoded_matrix m = e.transform(t);
  REQUIRE(m.cols == 1);
  CHECK(m.values == std::vector<double>{-2.0 / std::sqrt(3.5), -1.0 / std::sqrt(3.5), 0.0,
                                        3.0 / std::sqrt(3.5)});
  const feature_encoder s = feature_encoder::fit(
      t, {.numeric = {"age"}, .categorical = {}, .convention = std_convention::sample});
  CHECK(s.numeric()[0].scale == std::sqrt(14.0 / 3.0));
}

// color's sorted categories are blue, green, red, so red -> [0,0,1],
// blue -> [1,0,0], green -> [0,1,0].
TEST_CASE("one-hot columns follow the numeric ones, with sorted categories", "[io][encoder]") {
  const csv_table t = parse_csv(tiny_csv);
  const feature_encoder e =
      feature_encoder::fit(t, {.numeric = {"age"}, .categorical = {"color", "city"}});
  CHECK(e.feature_names() == std::vector<std::string>{"age", "color=blue", "color=green",
                                                      "color=red", "city=x", "city=y"});
  const encoded_matrix m = e.transform(t);
  REQUIRE(m.rows == 4);
  REQUIRE(m.cols == 6);
  const double z = 1.0 / std::sqrt(3.5);
  CHECK(m.values == std::vector<double>{-2 * z, 0, 0, 1, 1, 0,  //
                                        -1 * z, 1, 0, 0, 0, 1,  //
                                        0,      0, 0, 1, 1, 0,  //
                                        3 * z,  0, 1, 0, 0, 1});
}

TEST_CASE("an unseen category is an error by default and all zeros on request", "[io][encoder]") {
  const csv_table train = parse_csv(tiny_csv);
  csv_options o;
  o.source_name = "test.csv";
  const csv_table test = parse_csv("age,color,city\n4,purple,x\n", o);
  const feature_encoder strict =
      feature_encoder::fit(train, {.numeric = {}, .categorical = {"color"}});
  REQUIRE_THROWS_WITH(strict.transform(test),
                      Contains("test.csv: line 2, column 2") && Contains("\"purple\""));
  const feature_encoder lenient = feature_encoder::fit(
      train, {.numeric = {"age"}, .categorical = {"color"}, .unseen = unseen_category::all_zeros});
  const encoded_matrix m = lenient.transform(test);
  // age 4: (4 - 3) / sqrt(3.5); color: no category matches.
  CHECK(m.values == std::vector<double>{1.0 / std::sqrt(3.5), 0, 0, 0});
}

TEST_CASE("a constant numeric column gets scale 1 and encodes to zeros", "[io][encoder]") {
  const csv_table t = parse_csv("k,v\n0.1,1\n0.1,2\n0.1,3\n");
  const feature_encoder e = feature_encoder::fit(t, {.numeric = {"k"}, .categorical = {}});
  CHECK(e.numeric()[0].mean == 0.1);
  CHECK(e.numeric()[0].scale == 1.0);
  CHECK(e.transform(t).values == std::vector<double>{0, 0, 0});
}

TEST_CASE("fit rejects bad column lists, empty tables and missing or non-numeric cells",
          "[io][encoder]") {
  const csv_table t = parse_csv(tiny_csv);
  CHECK(throws_code([&] { (void)feature_encoder::fit(t, {}); }, errc::invalid_argument));
  CHECK(throws_code(
      [&] { (void)feature_encoder::fit(t, {.numeric = {"age"}, .categorical = {"age"}}); },
      errc::invalid_argument));
  REQUIRE_THROWS_WITH(feature_encoder::fit(t, {.numeric = {"height"}, .categorical = {}}),
                      Contains("unknown column \"height\""));
  CHECK(
      throws_code([&] { (void)feature_encoder::fit(t, {.numeric = {"color"}, .categorical = {}}); },
                  errc::parse_error));
  CHECK(throws_code(
      [&] {
        (void)feature_encoder::fit(parse_csv("age\n"), {.numeric = {"age"}, .categorical = {}});
      },
      errc::empty_input));
  CHECK(throws_code(
      [&] {
        (void)feature_encoder::fit(parse_csv("age\n1\n?\n"),
                                   {.numeric = {"age"}, .categorical = {}});
      },
      errc::parse_error));
  CHECK(throws_code([&] { (void)feature_encoder().transform(t); }, errc::invalid_argument));
}

TEST_CASE("an encoder fitted on Adult survives a JSON round trip bit for bit", "[io][encoder]") {
  const adult_dataset& d = adult();
  encoder_options o;
  o.numeric = strings(adult_numeric_columns);
  o.categorical = strings(adult_categorical_columns);
  const feature_encoder e = feature_encoder::fit(d.train.table, o);
  const std::string json = e.to_json();
  const feature_encoder back = feature_encoder::from_json(json);
  CHECK(back == e);
  CHECK(back.to_json() == json);
  const encoded_matrix a = e.transform(d.test.table);
  const encoded_matrix b = back.transform(d.test.table);
  CHECK(a.values == b.values);
  // 6 numeric + one-hot widths 7 + 16 + 7 + 14 + 6 + 5 + 2 + 41 (categories
  // counted with awk over the complete training rows).
  CHECK(a.cols == 104);
}

TEST_CASE("from_json rejects malformed, foreign, future and inconsistent documents",
          "[io][encoder]") {
  const feature_encoder e =
      feature_encoder::fit(parse_csv(tiny_csv), {.numeric = {"age"}, .categorical = {"color"}});
  std::string json = e.to_json();
  CHECK(throws_code([&] { (void)feature_encoder::from_json(json.substr(0, json.size() / 2)); },
                    errc::parse_error));
  CHECK(throws_code([] { (void)feature_encoder::from_json("[]"); }, errc::parse_error));
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = json;
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
    return s;
  };
  CHECK(throws_code(
      [&] { (void)feature_encoder::from_json(replaced("\"version\": 1", "\"version\": 2")); },
      errc::unsupported));
  CHECK(throws_code(
      [&] { (void)feature_encoder::from_json(replaced("fairgate.feature_encoder", "other")); },
      errc::parse_error));
  CHECK(throws_code([&] { (void)feature_encoder::from_json(replaced("\"blue\"", "\"zzz\"")); },
                    errc::parse_error));
  CHECK(throws_code(
      [&] { (void)feature_encoder::from_json(replaced("\"scale\": ", "\"scale\": -")); },
      errc::parse_error));
}

TEST_CASE("encoding the same input twice gives identical bytes", "[io][encoder][determinism]") {
  const csv_table t1 = read_csv(fs::path(FAIRGATE_TEST_ADULT_DIR) / "adult.data",
                                {.header = false, .column_names = strings(adult_columns)});
  const csv_table t2 = read_csv(fs::path(FAIRGATE_TEST_ADULT_DIR) / "adult.data",
                                {.header = false, .column_names = strings(adult_columns)});
  const encoder_options o{.numeric = strings(adult_numeric_columns), .categorical = {"sex"}};
  const auto a = feature_encoder::fit(t1, o);
  const auto b = feature_encoder::fit(t2, o);
  CHECK(a.to_json() == b.to_json());
  CHECK(a.transform(t1).values == b.transform(t2).values);
}

TEST_CASE("the schema infers numeric and categorical columns", "[io][schema]") {
  const csv_table t = parse_csv("n,c,mixed,empty\n1,b,1,?\n2.5,a,x,\n?,b,2,?\n");
  const auto s = table_schema(t);
  REQUIRE(s.size() == 4);
  CHECK(s[0] == column_schema{"n", column_type::numeric, {}});
  CHECK(s[1] == column_schema{"c", column_type::categorical, {"a", "b"}});
  CHECK(s[2] == column_schema{"mixed", column_type::categorical, {"1", "2", "x"}});
  CHECK(s[3] == column_schema{"empty", column_type::categorical, {}});
  const auto d = column_digests(t);
  CHECK(d[0].missing == 1);
  CHECK(d[3].missing == 3);
  CHECK(d[0].rows == 3);
}

TEST_CASE(
    "column digests are deterministic, and permuting rows keeps the schema but changes digests",
    "[io][schema][determinism]") {
  const std::string text = "age,sex,k\n30,F,1\n41,M,1\n25,F,1\n";
  const auto a = column_digests(parse_csv(text));
  const auto b = column_digests(parse_csv(text));
  const auto p = column_digests(parse_csv("age,sex,k\n25,F,1\n30,F,1\n41,M,1\n"));
  REQUIRE(a.size() == 3);
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(a[c].sha256 == b[c].sha256);
    CHECK(a[c].schema == p[c].schema);
  }
  CHECK(a[0].sha256 != p[0].sha256);
  CHECK(a[1].sha256 != p[1].sha256);
  CHECK(a[2].sha256 == p[2].sha256);  // a constant column is unchanged by any permutation
}

TEST_CASE("numeric digests hash values, not spellings", "[io][schema]") {
  const auto a = column_digests(parse_csv("x\n1\n0\n2.50\n"));
  const auto b = column_digests(parse_csv("x\n1.0\n-0\n2.5\n"));
  CHECK(a[0].sha256 == b[0].sha256);
  const auto c = column_digests(parse_csv("x\n1.0\n-0\n2.51\n"));
  CHECK(a[0].sha256 != c[0].sha256);
}

// What is guaranteed when the training rows are permuted: the same features
// and categories exactly (sorted, not first-seen); means and scales equal up
// to rounding, since the sums run in row order (bounded here by 1e-15
// relative; Neumaier summation keeps the error near one ulp).
TEST_CASE(
    "fitting on permuted training rows gives the same features and nearly the same statistics",
    "[io][encoder][determinism]") {
  const csv_table& train = adult().train.table;
  std::vector<std::size_t> perm(train.rows());
  for (std::size_t i = 0; i < perm.size(); ++i)
    perm[i] = (i * 7919) % perm.size();  // 7919 is prime, coprime to 30162
  const csv_table shuffled = train.select_rows(perm);
  REQUIRE(shuffled.cell(1, 0) == train.cell(7919, 0));
  const encoder_options o{.numeric = strings(adult_numeric_columns),
                          .categorical = strings(adult_categorical_columns)};
  const feature_encoder a = feature_encoder::fit(train, o);
  const feature_encoder b = feature_encoder::fit(shuffled, o);
  CHECK(a.feature_names() == b.feature_names());
  CHECK(a.categorical() == b.categorical());
  for (std::size_t k = 0; k < a.numeric().size(); ++k) {
    CHECK(std::fabs(a.numeric()[k].mean - b.numeric()[k].mean) <=
          1e-15 * std::fabs(a.numeric()[k].mean));
    CHECK(std::fabs(a.numeric()[k].scale - b.numeric()[k].scale) <= 1e-15 * a.numeric()[k].scale);
  }
}
