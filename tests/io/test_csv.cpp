// CSV reading rules (fairgate/io/csv.hpp), each on a hand-built input.
#include <catch2/catch.hpp>

#include <fairgate/io/csv.hpp>

#include <string>
#include <vector>

#include "io_test_util.hpp"

using namespace fairgate::io;
using Catch::Matchers::Contains;
using fairgate::errc;
using fairgate::io_test::throws_code;

namespace {
std::vector<std::string> row_of(const csv_table& t, std::size_t r) {
  std::vector<std::string> out;
  for (std::size_t c = 0; c < t.columns(); ++c) out.emplace_back(t.cell(r, c));
  return out;
}
}  // namespace

TEST_CASE("a header row names the columns and the records become rows", "[io][csv]") {
  const csv_table t = parse_csv("a,b,c\n1,2,3\n4,5,6\n");
  REQUIRE(t.column_names() == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.rows() == 2);
  CHECK(row_of(t, 0) == std::vector<std::string>{"1", "2", "3"});
  CHECK(row_of(t, 1) == std::vector<std::string>{"4", "5", "6"});
  CHECK(t.line(0) == 2);
  CHECK(t.line(1) == 3);
}

TEST_CASE("quoted fields keep delimiters, doubled quotes and line breaks", "[io][csv]") {
  const csv_table t =
      parse_csv("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"two\nlines\",x\nlast,y\n");
  REQUIRE(t.rows() == 3);
  CHECK(t.cell(0, 0) == "Smith, J");
  CHECK(t.cell(0, 1) == "said \"hi\"");
  CHECK(t.cell(1, 0) == "two\nlines");
  // A record's line is where it starts: the quoted newline pushes "last" to line 5.
  CHECK(t.line(1) == 3);
  CHECK(t.line(2) == 5);
}

TEST_CASE("CRLF, lone CR and LF line ends give the same table", "[io][csv]") {
  const csv_table lf = parse_csv("a,b\n1,2\n3,4\n");
  const csv_table crlf = parse_csv("a,b\r\n1,2\r\n3,4\r\n");
  const csv_table cr = parse_csv("a,b\r1,2\r3,4\r");
  for (const csv_table* t : {&crlf, &cr}) {
    REQUIRE(t->rows() == 2);
    CHECK(row_of(*t, 0) == row_of(lf, 0));
    CHECK(row_of(*t, 1) == row_of(lf, 1));
    CHECK(t->line(1) == 3);
  }
}

TEST_CASE("a UTF-8 byte-order mark before the header is skipped", "[io][csv]") {
  const csv_table t = parse_csv("\xEF\xBB\xBFid,v\n7,x\n");
  CHECK(t.column_names().front() == "id");
  CHECK(t.cell(0, 0) == "7");
}

TEST_CASE("unquoted fields are trimmed, quoted spaces are kept, and trimming can be turned off",
          "[io][csv]") {
  const std::string text = "a, b\n  x ,  \" y \" \n";
  const csv_table t = parse_csv(text);
  CHECK(t.column_names() == std::vector<std::string>{"a", "b"});
  CHECK(t.cell(0, 0) == "x");
  CHECK(t.cell(0, 1) == " y ");
  csv_options keep;
  keep.trim_unquoted = false;
  const csv_table u = parse_csv("a, b\n  x ,z\n", keep);
  CHECK(u.column_names() == std::vector<std::string>{"a", " b"});
  CHECK(u.cell(0, 0) == "  x ");
}

TEST_CASE("'?' and empty cells are missing by default and the markers are configurable",
          "[io][csv]") {
  const csv_table t = parse_csv("a,b,c\n?,,x\n\"?\",\"\",NA\n");
  CHECK(t.missing(0, 0));
  CHECK(t.missing(0, 1));
  CHECK_FALSE(t.missing(0, 2));
  // Markers are compared to the unquoted text: quoting does not protect "?".
  CHECK(t.missing(1, 0));
  CHECK(t.missing(1, 1));
  CHECK_FALSE(t.missing(1, 2));
  csv_options o;
  o.missing_markers = {"NA"};
  const csv_table u = parse_csv("a,b,c\n?,,x\n\"?\",\"\",NA\n", o);
  CHECK_FALSE(u.missing(0, 0));
  CHECK_FALSE(u.missing(0, 1));
  CHECK(u.missing(1, 2));
}

TEST_CASE("blank lines, a trailing empty line and comment lines are skipped", "[io][csv]") {
  csv_options o;
  o.comment = '|';
  const csv_table t = parse_csv("|1x3 Cross validator\na,b\n\n1,2\n   \n|note\n3,4\n\n", o);
  REQUIRE(t.rows() == 2);
  CHECK(t.cell(1, 0) == "3");
  CHECK(t.line(0) == 4);
  CHECK(t.line(1) == 7);
  // Inside a quoted field a '|' at the start of a line is data, not a comment.
  const csv_table q = parse_csv("a,b\n\"x\n|y\",2\n", o);
  CHECK(q.cell(0, 0) == "x\n|y");
  // Without the option, '|' is ordinary text: "|note" is a one-field ragged row.
  REQUIRE_THROWS_WITH(parse_csv("a,b\n|note\n"), Contains("line 2") && Contains("ragged"));
}

TEST_CASE("a file without a final line break still ends its last record", "[io][csv]") {
  const csv_table t = parse_csv("a,b\n1,2\n3,\"4\"");
  REQUIRE(t.rows() == 2);
  CHECK(t.cell(1, 1) == "4");
}

TEST_CASE("without a header the given column names are used", "[io][csv]") {
  csv_options o;
  o.header = false;
  o.column_names = {"x", "y"};
  const csv_table t = parse_csv("1,2\n3,4\n", o);
  CHECK(t.rows() == 2);
  CHECK(t.line(0) == 1);
  CHECK(t.numeric("y") == std::vector<double>{2.0, 4.0});
  o.column_names.clear();
  CHECK(throws_code([&] { (void)parse_csv("1,2\n", o); }, errc::invalid_argument));
}

TEST_CASE("a ragged row is an error naming the file, the line and the column", "[io][csv]") {
  csv_options o;
  o.source_name = "preds.csv";
  // Too few: record 2 on line 3 has 2 fields; the first absent column is 3.
  REQUIRE_THROWS_WITH(
      parse_csv("a,b,c\n1,2,3\n4,5\n", o),
      Contains("preds.csv: line 3, column 3: ragged row: 2 fields, but the header has 3"));
  // Too many: the first extra field is column 4.
  REQUIRE_THROWS_WITH(parse_csv("a,b,c\n1,2,3,4\n", o), Contains("line 2, column 4"));
  CHECK(throws_code([&] { (void)parse_csv("a,b\n1\n", o); }, errc::parse_error));
}

TEST_CASE("malformed quoting is a parse error naming the line", "[io][csv]") {
  // A quote inside an unquoted field (strict RFC 4180).
  REQUIRE_THROWS_WITH(parse_csv("a,b\n1,x\"y\n"),
                      Contains("line 2") && Contains("malformed quoting"));
  // Text after a closing quote.
  CHECK(throws_code([&] { (void)parse_csv("a,b\n\"x\"y,2\n"); }, errc::parse_error));
  // The input ends inside quotes: the message names the record's first line.
  REQUIRE_THROWS_WITH(parse_csv("a,b\n1,2\n3,\"open\nmore\n"),
                      Contains("line 3") && Contains("unterminated quoted field"));
}

TEST_CASE("an empty input is an empty_input error; a header alone gives zero rows", "[io][csv]") {
  CHECK(throws_code([] { (void)parse_csv(""); }, errc::empty_input));
  CHECK(throws_code([] { (void)parse_csv("\xEF\xBB\xBF\n\n"); }, errc::empty_input));
  csv_options o;
  o.header = false;
  o.column_names = {"x"};
  CHECK(throws_code([&] { (void)parse_csv("\n", o); }, errc::empty_input));
  const csv_table t = parse_csv("a,b\n");
  CHECK(t.rows() == 0);
  CHECK(t.columns() == 2);
}

TEST_CASE("empty and duplicate header names are rejected", "[io][csv]") {
  REQUIRE_THROWS_WITH(parse_csv("a,,c\n1,2,3\n"), Contains("column 2: empty column name"));
  REQUIRE_THROWS_WITH(parse_csv("a,b,a\n1,2,3\n"),
                      Contains("column 3: duplicate column name \"a\""));
}

TEST_CASE("an unknown column is an error naming it and listing the available ones", "[io][csv]") {
  csv_options o;
  o.source_name = "p.csv";
  const csv_table t = parse_csv("label,score\n1,0.5\n", o);
  REQUIRE_THROWS_WITH(t.column_index("group"),
                      Contains("unknown column \"group\"; available columns: label, score"));
  CHECK(throws_code([&] { (void)t.numeric("group"); }, errc::invalid_argument));
}

TEST_CASE("numeric columns parse with from_chars and reject other text with line and column",
          "[io][csv]") {
  csv_options o;
  o.source_name = "s.csv";
  const csv_table t = parse_csv("id,score\na,0.1\nb,+2.5e-1\nc,-0\nd,1E3\ne,.5\n", o);
  const std::vector<double> v = t.numeric("score");
  // Correct rounding: the text "0.1" must give the double nearest to 1/10,
  // which is also what the compiler's literal 0.1 is.
  CHECK(v == std::vector<double>{0.1, 0.25, -0.0, 1000.0, 0.5});
  const csv_table bad = parse_csv("id,score\na,0.1\nb,1.2.3\n", o);
  REQUIRE_THROWS_WITH(
      bad.numeric("score"),
      Contains("s.csv: line 3, column 2 (\"score\"): \"1.2.3\" is not a finite number"));
  const csv_table miss = parse_csv("id,score\na,?\n", o);
  REQUIRE_THROWS_WITH(miss.numeric("score"),
                      Contains("line 2, column 2") && Contains("missing value"));
}

TEST_CASE("parse_number accepts from_chars' general format and rejects the rest", "[io][csv]") {
  CHECK(parse_number("12") == 12.0);
  CHECK(parse_number("+7") == 7.0);
  CHECK(parse_number("5.") == 5.0);
  // 2^-1074, the smallest subnormal, is representable: accepted.
  CHECK(parse_number("4.9406564584124654e-324") == 0x1p-1074);
  for (const char* s : {"", " 1", "1 ", "+", "+-1", "++1", "0x10", "nan", "inf", "-inf", "1e400",
                        "1e-400", "1,5", "abc", "1e"}) {
    INFO(s);
    CHECK_FALSE(parse_number(s).has_value());
  }
}

TEST_CASE("categorical columns use byte-wise sorted categories, independent of row order",
          "[io][csv]") {
  const csv_table t = parse_csv("g\nb\nB\na\nb\n");
  const categorical_column c = t.categorical("g");
  // Byte order: 'B' (0x42) < 'a' (0x61) < 'b' (0x62).
  CHECK(c.categories == std::vector<std::string>{"B", "a", "b"});
  CHECK(c.codes == std::vector<std::uint32_t>{2, 0, 1, 2});
  const csv_table u = parse_csv("g\na\nb\nB\nb\n");
  CHECK(u.categorical("g").categories == c.categories);
}

TEST_CASE("categorical codes against a given list reject values outside it", "[io][csv]") {
  const csv_table t = parse_csv("g\nx\nz\n");
  const std::vector<std::string> known{"x", "y"};
  REQUIRE_THROWS_WITH(t.categorical("g", known),
                      Contains("line 3") && Contains("\"z\" is not one of the 2"));
  const std::vector<std::string> unsorted{"y", "x"};
  CHECK(throws_code([&] { (void)t.categorical("g", unsorted); }, errc::invalid_argument));
}

TEST_CASE("drop_missing_rows removes and reports the rows with a missing value", "[io][csv]") {
  const csv_table t = parse_csv("label,pred,group\n1,1,a\n?,0,b\n0,,a\n1,0,?\n0,0,b\n");
  // Only label and pred checked: rows 1 ('?' label) and 2 (empty pred) go.
  const filtered_table f = drop_missing_rows(t, {"label", "pred"});
  CHECK(f.table.rows() == 3);
  CHECK(f.report.rows_before == 5);
  CHECK(f.report.dropped() == 2);
  CHECK(f.report.dropped_rows == std::vector<std::size_t>{1, 2});
  CHECK(f.report.dropped_lines == std::vector<std::size_t>{3, 4});
  CHECK(f.report.missing_by_column ==
        std::vector<std::pair<std::string, std::size_t>>{{"label", 1}, {"pred", 1}});
  CHECK(f.table.cell(2, 2) == "b");
  CHECK(f.table.line(2) == 6);
  // All columns: row 3 ('?' group) goes too.
  const filtered_table g = drop_missing_rows(t);
  CHECK(g.table.rows() == 2);
  CHECK(g.report.summary() ==
        "dropped 3 of 5 rows with a missing value (missing cells: label 1, pred 1, group 1)");
  CHECK(throws_code([&] { (void)drop_missing_rows(t, {"nope"}); }, errc::invalid_argument));
}

TEST_CASE("read_csv names the path when the file is missing", "[io][csv]") {
  REQUIRE_THROWS_WITH(
      read_csv("/nonexistent/dir/x.csv"),
      Contains("'/nonexistent/dir/x.csv'") && Contains("No such file or directory"));
  CHECK(throws_code([] { (void)read_csv("/nonexistent/dir/x.csv"); }, errc::io_error));
}

TEST_CASE("options that cannot work are rejected", "[io][csv]") {
  csv_options o;
  o.quote = ',';
  CHECK(throws_code([&] { (void)parse_csv("a\n", o); }, errc::invalid_argument));
  csv_options p;
  p.header = false;
  p.column_names = {"a", "a"};
  CHECK(throws_code([&] { (void)parse_csv("1,2\n", p); }, errc::invalid_argument));
}

TEST_CASE("select_rows keeps cells, missing flags and lines of the chosen rows", "[io][csv]") {
  const csv_table t = parse_csv("a,b\n1,?\n2,y\n3,z\n");
  const std::vector<std::size_t> pick{2, 0, 2};
  const csv_table s = t.select_rows(pick);
  REQUIRE(s.rows() == 3);
  CHECK(s.cell(0, 0) == "3");
  CHECK(s.missing(1, 1));
  CHECK(s.line(2) == 4);
  CHECK(throws_code([&] { (void)t.cell(3, 0); }, errc::out_of_range));
}

TEST_CASE("other delimiters and quote characters work the same way", "[io][csv]") {
  csv_options o;
  o.delimiter = ';';
  o.quote = '\'';
  const csv_table t = parse_csv("a;b\n'x;y';'it''s'\n", o);
  CHECK(t.cell(0, 0) == "x;y");
  CHECK(t.cell(0, 1) == "it's");
  csv_options tab;
  tab.delimiter = '\t';
  // With a tab delimiter, tabs are separators; only spaces are trimmed.
  const csv_table u = parse_csv("a\tb\n 1 \t\n", tab);
  CHECK(u.cell(0, 0) == "1");
  CHECK(u.missing(0, 1));
}
