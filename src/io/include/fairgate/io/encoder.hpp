// fairgate/io/encoder.hpp: CSV columns -> a dense numeric feature matrix.
//
//   fairgate::io::encoder_options o{.numeric = {"age", "hours-per-week"},
//                                   .categorical = {"workclass", "sex"}};
//   auto enc = fairgate::io::feature_encoder::fit(train_table, o);
//   fairgate::io::encoded_matrix X = enc.transform(test_table);   // row-major doubles
//
// Equivalent to scikit-learn's
//   ColumnTransformer([("num", StandardScaler(), numeric),
//                      ("cat", OneHotEncoder(handle_unknown=...), categorical)])
// (checked against it on Adult in tests/io/diff_sklearn.py):
//  - Output columns: every numeric column first, in the order given, then the
//    one-hot columns of each categorical column in the order given, one per
//    category, categories sorted byte-wise (as OneHotEncoder's
//    categories='auto', which sorts with np.unique).
//  - Numeric: z = (x - mean) / scale with mean and scale from the TRAINING
//    rows. scale is the population standard deviation (ddof = 0, as
//    StandardScaler) by default, or the sample one (ddof = 1) on request.
//    A constant column (all training values equal; this includes a single
//    training row) gets mean = that value and scale = 1, so it encodes to
//    exact zeros on the training rows (StandardScaler also uses scale 1 for
//    a zero variance; it detects it with a rounding tolerance, fairgate
//    exactly). A non-finite standard deviation is an error.
//  - Determinism: the mean is sum(x) / n and the variance sum((x - mean)^2) / d
//    with each sum taken in row order with Neumaier compensation; a fixed
//    sequence of IEEE operations, so every platform gets the same bits.
//    (scikit-learn's pairwise summation can differ in the last bits.)
//  - Categorical: one 1.0 in the column of the row's category, 0.0 elsewhere.
//    A category not seen at fit time is an error by default
//    (unseen_category::error, like handle_unknown='error'), or encodes as all
//    zeros (unseen_category::all_zeros, like handle_unknown='ignore').
//  - Missing cells (per the table's missing markers) are errors at fit and
//    transform time: drop or impute them first (drop_missing_rows()).
// Feature names: the numeric column's name; "<column>=<category>" for one-hot.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/io/csv.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

enum class unseen_category { error, all_zeros };
enum class std_convention { population, sample };

struct encoder_options {
  std::vector<std::string> numeric;
  std::vector<std::string> categorical;
  unseen_category unseen = unseen_category::error;
  std_convention convention = std_convention::population;
};

struct encoded_matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  // row-major: values[r * cols + c]
  std::vector<std::string> feature_names;
  [[nodiscard]] double at(std::size_t r, std::size_t c) const { return values[r * cols + c]; }
};

struct numeric_feature {
  std::string name;
  double mean = 0.0;
  double scale = 1.0;
  friend bool operator==(const numeric_feature&, const numeric_feature&) = default;
};

struct categorical_feature {
  std::string name;
  std::vector<std::string> categories;  // sorted byte-wise
  friend bool operator==(const categorical_feature&, const categorical_feature&) = default;
};

class feature_encoder {
 public:
  feature_encoder() = default;

  // Learns means, scales and category lists from `train`. Errors: a column
  // named twice or in both lists (errc::invalid_argument), no columns at all
  // (errc::invalid_argument), zero rows (errc::empty_input), unknown columns,
  // missing or non-numeric cells (the csv_table errors).
  [[nodiscard]] static feature_encoder fit(const csv_table& train, const encoder_options& options);

  // Encodes any table that has the fitted columns (extra columns are ignored).
  [[nodiscard]] encoded_matrix transform(const csv_table& table) const;

  [[nodiscard]] std::size_t n_features() const noexcept { return names_.size(); }
  [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept { return names_; }
  [[nodiscard]] const std::vector<numeric_feature>& numeric() const noexcept { return numeric_; }
  [[nodiscard]] const std::vector<categorical_feature>& categorical() const noexcept {
    return categorical_;
  }
  [[nodiscard]] unseen_category unseen() const noexcept { return unseen_; }
  [[nodiscard]] std_convention convention() const noexcept { return convention_; }

  // A versioned JSON document (nlohmann-json), e.g.
  //   {"format":"fairgate.feature_encoder","version":1,"unseen":"error",
  //    "std":"population","numeric":[{"name":"age","mean":38.4,"scale":13.1}],
  //    "categorical":[{"name":"sex","categories":["Female","Male"]}]}
  // Doubles are written with enough digits to round-trip exactly (nlohmann's
  // shortest round-trip output, read back with a correctly rounded parser), so
  // from_json(to_json()) == *this bit for bit. A name or category that is
  // not valid UTF-8 cannot be a JSON string: errc::invalid_value.
  [[nodiscard]] std::string to_json() const;
  // Errors: malformed JSON or a missing/mistyped field (errc::parse_error), a
  // different "format" (errc::parse_error), a version newer than this build
  // understands (errc::unsupported), non-finite or non-positive scales,
  // unsorted categories (errc::parse_error).
  [[nodiscard]] static feature_encoder from_json(std::string_view text);

  friend bool operator==(const feature_encoder&, const feature_encoder&) = default;

 private:
  void build_names();
  std::vector<numeric_feature> numeric_;
  std::vector<categorical_feature> categorical_;
  unseen_category unseen_ = unseen_category::error;
  std_convention convention_ = std_convention::population;
  std::vector<std::string> names_;
};

}  // namespace io

FAIRGATE_END_NAMESPACE
