// fairgate/io/adult.hpp: the bundled UCI Adult data set, loaded the way papers use it.
//
//   auto adult = fairgate::io::load_adult();              // bundled copy, rows with "?" dropped
//   adult.train.table.rows();                             // 30,162
//   adult.train.labels[i];                                // 1 when income is ">50K"
//   adult.sex_names[adult.train.sex[i]];                  // "Female" or "Male"
//
// Becker, B. and Kohavi, R. (1996). Adult. UCI Machine Learning Repository,
// https://doi.org/10.24432/C5XW20, CC BY 4.0 (see data/adult/README.md).
// adult.data is the training split (32,561 rows), adult.test the test split
// (16,281 rows, first line "|1x3 Cross validator" skipped as a comment).
// Both have no header; the 15 columns are named as in adult.names. Labels:
// income ">50K" -> 1, "<=50K" -> 0; adult.test's trailing '.' (">50K.") is
// stripped first. The table keeps the income column's original text.
// Missing values ("?", only in workclass, occupation and native-country):
//  - adult_missing::drop_rows (default): every row with one is dropped and
//    counted (30,162 + 15,060 = 45,222 complete rows of 48,842, the usual
//    figure in the fairness literature);
//  - adult_missing::as_category: "?" is kept as an ordinary category value.
// Group codes for the sensitive features sex and race index into sex_names
// and race_names, sorted byte-wise from the TRAINING rows; a test value not
// seen in training would be an error (it does not happen in Adult).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/io/csv.hpp>
#include <fairgate/io/encoder.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

inline constexpr std::array<std::string_view, 15> adult_columns = {"age",
                                                                   "workclass",
                                                                   "fnlwgt",
                                                                   "education",
                                                                   "education-num",
                                                                   "marital-status",
                                                                   "occupation",
                                                                   "relationship",
                                                                   "race",
                                                                   "sex",
                                                                   "capital-gain",
                                                                   "capital-loss",
                                                                   "hours-per-week",
                                                                   "native-country",
                                                                   "income"};
// The usual feature split (issue 6 / fairlearn's examples): standardise these...
inline constexpr std::array<std::string_view, 6> adult_numeric_columns = {
    "age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"};
// ...and one-hot encode these.
inline constexpr std::array<std::string_view, 8> adult_categorical_columns = {
    "workclass", "education", "marital-status", "occupation", "relationship",
    "race",      "sex",       "native-country"};
inline constexpr std::string_view adult_label_column = "income";

// The usual encoding: standardised numerics, one-hot categoricals (the two
// column lists above, in order), as fairgate's examples and the CLI use it.
inline encoder_options adult_encoder_options() {
  encoder_options o;
  o.numeric.assign(adult_numeric_columns.begin(), adult_numeric_columns.end());
  o.categorical.assign(adult_categorical_columns.begin(), adult_categorical_columns.end());
  return o;
}

enum class adult_missing { drop_rows, as_category };

struct adult_options {
  adult_missing missing = adult_missing::drop_rows;
};

struct adult_split {
  csv_table table;                   // the kept rows, all 15 columns
  std::vector<std::uint8_t> labels;  // income > 50K -> 1
  std::vector<std::uint8_t> sex;     // codes into adult_dataset::sex_names
  std::vector<std::uint8_t> race;    // codes into adult_dataset::race_names
  std::size_t rows_read = 0;         // records in the file
  missing_report missing;            // what drop_rows removed (empty report for as_category)
  std::string sha256;                // of the file as read
};

struct adult_dataset {
  std::filesystem::path dir;
  adult_split train;  // adult.data
  adult_split test;   // adult.test
  std::vector<std::string> sex_names;
  std::vector<std::string> race_names;
};

// Loads adult.data and adult.test from `dir`. Errors name the file and line:
// a missing file (errc::io_error), a ragged row or a label other than
// "<=50K"/">50K" with an optional '.' (errc::parse_error).
[[nodiscard]] adult_dataset load_adult(const std::filesystem::path& dir,
                                       const adult_options& options = {});
// Loads the bundled copy: load_adult(data_dir() / "adult").
[[nodiscard]] adult_dataset load_adult(const adult_options& options = {});

// The directory holding fairgate's bundled data sets (it contains "adult/").
// Looked up in this order, first match wins:
//  1. the environment variable FAIRGATE_DATA_DIR, if set and non-empty (used
//     as is; an invalid value is an error, not a fall-through),
//  2. the install location <CMAKE_INSTALL_PREFIX>/share/fairgate/data, if it
//     has adult/adult.data,
//  3. the source tree's data/ directory this library was built from, if it
//     still has adult/adult.data.
// Nothing found: errc::io_error listing the places tried.
[[nodiscard]] std::filesystem::path data_dir();

}  // namespace io

FAIRGATE_END_NAMESPACE
