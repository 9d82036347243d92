// One-hot + standardisation encoder; semantics in fairgate/io/encoder.hpp.
#include <fairgate/io/encoder.hpp>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

namespace {

constexpr int encoder_format_version = 1;
constexpr const char* encoder_format_name = "fairgate.feature_encoder";

// Sum in index order with Neumaier's compensation (Neumaier 1974): a fixed
// sequence of IEEE operations, more accurate than a plain loop.
struct neumaier_sum {
  double s = 0.0;
  double c = 0.0;
  void add(double x) {
    const double t = s + x;
    if (std::fabs(s) >= std::fabs(x)) {
      c += (s - t) + x;
    } else {
      c += (x - t) + s;
    }
    s = t;
  }
  [[nodiscard]] double value() const { return s + c; }
};

const char* unseen_name(unseen_category u) {
  return u == unseen_category::error ? "error" : "all_zeros";
}
const char* convention_name(std_convention c) {
  return c == std_convention::population ? "population" : "sample";
}

}  // namespace

void feature_encoder::build_names() {
  names_.clear();
  for (const auto& n : numeric_) names_.push_back(n.name);
  for (const auto& c : categorical_) {
    for (const auto& cat : c.categories) names_.push_back(c.name + "=" + cat);
  }
}

feature_encoder feature_encoder::fit(const csv_table& train, const encoder_options& options) {
  require(!options.numeric.empty() || !options.categorical.empty(), errc::invalid_argument,
          "feature_encoder::fit: no numeric and no categorical columns given");
  std::vector<std::string> all = options.numeric;
  all.insert(all.end(), options.categorical.begin(), options.categorical.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      require(all[i] != all[j], errc::invalid_argument,
              [&] { return "feature_encoder::fit: column '" + all[i] + "' is listed twice"; });
    }
    (void)train.column_index(all[i]);  // unknown column -> error listing the available ones
  }
  require(train.rows() > 0, errc::empty_input,
          [&] { return "feature_encoder::fit: " + train.source() + " has no rows to fit on"; });

  feature_encoder e;
  e.unseen_ = options.unseen;
  e.convention_ = options.convention;
  const double n = static_cast<double>(train.rows());
  for (const auto& name : options.numeric) {
    const std::vector<double> x = train.numeric(name);
    // A constant column is detected exactly (sum / n need not give back the
    // constant, and a rounding-noise scale would blow it up): mean = the
    // value, scale = 1, so it encodes to exact zeros.
    if (std::all_of(x.begin(), x.end(), [&](double v) { return v == x.front(); })) {
      e.numeric_.push_back({name, x.front(), 1.0});
      continue;
    }
    neumaier_sum s;
    for (double v : x) s.add(v);
    const double mean = s.value() / n;
    neumaier_sum q;
    for (double v : x) {
      const double d = v - mean;
      q.add(d * d);
    }
    double scale = 1.0;
    const double denom = options.convention == std_convention::population ? n : n - 1.0;
    if (denom > 0.0) {
      const double sd = std::sqrt(q.value() / denom);
      require(std::isfinite(sd), errc::invalid_value, [&] {
        return "feature_encoder::fit: the standard deviation of column '" + name + "' overflows";
      });
      if (sd > 0.0) scale = sd;
    }
    require(std::isfinite(mean), errc::invalid_value,
            [&] { return "feature_encoder::fit: the mean of column '" + name + "' overflows"; });
    e.numeric_.push_back({name, mean, scale});
  }
  for (const auto& name : options.categorical) {
    categorical_column col = train.categorical(name);
    e.categorical_.push_back({name, std::move(col.categories)});
  }
  e.build_names();
  return e;
}

encoded_matrix feature_encoder::transform(const csv_table& table) const {
  require(!names_.empty(), errc::invalid_argument,
          "feature_encoder::transform: the encoder is not fitted");
  encoded_matrix m;
  m.rows = table.rows();
  m.cols = names_.size();
  m.feature_names = names_;
  m.values.assign(m.rows * m.cols, 0.0);
  std::size_t col = 0;
  for (const auto& f : numeric_) {
    const std::vector<double> x = table.numeric(f.name);
    for (std::size_t r = 0; r < m.rows; ++r) m.values[r * m.cols + col] = (x[r] - f.mean) / f.scale;
    ++col;
  }
  for (const auto& f : categorical_) {
    const std::size_t c = table.column_index(f.name);
    for (std::size_t r = 0; r < m.rows; ++r) {
      require(!table.missing(r, c), errc::parse_error, [&] {
        return table.where(r, c) +
               ": missing value in a categorical column (drop rows with missing values first)";
      });
      const std::string_view v = table.cell(r, c);
      const auto it =
          std::lower_bound(f.categories.begin(), f.categories.end(), v,
                           [](const std::string& a, std::string_view b) { return a < b; });
      if (it != f.categories.end() && *it == v) {
        m.values[r * m.cols + col + static_cast<std::size_t>(it - f.categories.begin())] = 1.0;
      } else {
        require(unseen_ == unseen_category::all_zeros, errc::out_of_range, [&] {
          return table.where(r, c) + ": category \"" + std::string(v) +
                 "\" was not seen when the encoder was fitted (unseen_category::all_zeros encodes "
                 "it as zeros)";
        });
      }
    }
    col += f.categories.size();
  }
  return m;
}

std::string feature_encoder::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = encoder_format_name;
  j["version"] = encoder_format_version;
  j["unseen"] = unseen_name(unseen_);
  j["std"] = convention_name(convention_);
  j["numeric"] = nlohmann::ordered_json::array();
  for (const auto& f : numeric_) {
    j["numeric"].push_back({{"name", f.name}, {"mean", f.mean}, {"scale", f.scale}});
  }
  j["categorical"] = nlohmann::ordered_json::array();
  for (const auto& f : categorical_) {
    j["categorical"].push_back({{"name", f.name}, {"categories", f.categories}});
  }
  try {
    return j.dump(2) + "\n";
  } catch (const nlohmann::json::exception&) {
    // JSON strings are Unicode; CSV cells are bytes. Refuse rather than
    // replace bytes, which would break the exact round trip.
    throw error(errc::invalid_value,
                "feature_encoder::to_json: a column name or category is not valid UTF-8, so JSON "
                "cannot hold it");
  }
}

feature_encoder feature_encoder::from_json(std::string_view text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& ex) {
    throw error(errc::parse_error,
                std::string("feature_encoder::from_json: not valid JSON: ") + ex.what());
  }
  auto field = [&](const nlohmann::json& obj, const char* key,
                   const char* where) -> const nlohmann::json& {
    require(obj.is_object() && obj.contains(key), errc::parse_error, [&] {
      return std::string("feature_encoder::from_json: ") + where + " has no \"" + key + "\"";
    });
    return obj.at(key);
  };
  auto string_of = [&](const nlohmann::json& v, const std::string& where) {
    require(v.is_string(), errc::parse_error,
            [&] { return "feature_encoder::from_json: " + where + " must be a string"; });
    return v.get<std::string>();
  };
  const auto& fmt = field(j, "format", "the document");
  require(fmt.is_string() && fmt.get<std::string>() == encoder_format_name, errc::parse_error,
          "feature_encoder::from_json: \"format\" is not \"fairgate.feature_encoder\"");
  const auto& ver = field(j, "version", "the document");
  require(ver.is_number_integer() && ver.get<long long>() >= 1, errc::parse_error,
          "feature_encoder::from_json: \"version\" must be a positive integer");
  require(ver.get<long long>() <= encoder_format_version, errc::unsupported, [&] {
    return "feature_encoder::from_json: format version " + std::to_string(ver.get<long long>()) +
           " is newer than this build understands (" + std::to_string(encoder_format_version) + ")";
  });
  feature_encoder e;
  const std::string unseen = string_of(field(j, "unseen", "the document"), "\"unseen\"");
  require(unseen == "error" || unseen == "all_zeros", errc::parse_error,
          "feature_encoder::from_json: \"unseen\" must be \"error\" or \"all_zeros\"");
  e.unseen_ = unseen == "error" ? unseen_category::error : unseen_category::all_zeros;
  const std::string conv = string_of(field(j, "std", "the document"), "\"std\"");
  require(conv == "population" || conv == "sample", errc::parse_error,
          "feature_encoder::from_json: \"std\" must be \"population\" or \"sample\"");
  e.convention_ = conv == "population" ? std_convention::population : std_convention::sample;

  const auto& num = field(j, "numeric", "the document");
  require(num.is_array(), errc::parse_error,
          "feature_encoder::from_json: \"numeric\" must be an array");
  for (std::size_t i = 0; i < num.size(); ++i) {
    const std::string where = "numeric[" + std::to_string(i) + "]";
    numeric_feature f;
    f.name = string_of(field(num[i], "name", where.c_str()), where + ".name");
    const auto& mean = field(num[i], "mean", where.c_str());
    const auto& scale = field(num[i], "scale", where.c_str());
    require(mean.is_number() && scale.is_number(), errc::parse_error, [&] {
      return "feature_encoder::from_json: " + where + ".mean and .scale must be numbers";
    });
    f.mean = mean.get<double>();
    f.scale = scale.get<double>();
    require(std::isfinite(f.mean) && std::isfinite(f.scale) && f.scale > 0.0, errc::parse_error,
            [&] {
              return "feature_encoder::from_json: " + where +
                     " needs a finite mean and a finite positive scale";
            });
    e.numeric_.push_back(std::move(f));
  }
  const auto& cat = field(j, "categorical", "the document");
  require(cat.is_array(), errc::parse_error,
          "feature_encoder::from_json: \"categorical\" must be an array");
  for (std::size_t i = 0; i < cat.size(); ++i) {
    const std::string where = "categorical[" + std::to_string(i) + "]";
    categorical_feature f;
    f.name = string_of(field(cat[i], "name", where.c_str()), where + ".name");
    const auto& cats = field(cat[i], "categories", where.c_str());
    require(cats.is_array(), errc::parse_error, [&] {
      return "feature_encoder::from_json: " + where + ".categories must be an array";
    });
    for (std::size_t k = 0; k < cats.size(); ++k) {
      f.categories.push_back(string_of(cats[k], where + ".categories[" + std::to_string(k) + "]"));
      require(k == 0 || f.categories[k - 1] < f.categories[k], errc::parse_error, [&] {
        return "feature_encoder::from_json: " + where + ".categories must be sorted and unique";
      });
    }
    e.categorical_.push_back(std::move(f));
  }
  require(!e.numeric_.empty() || !e.categorical_.empty(), errc::parse_error,
          "feature_encoder::from_json: no numeric and no categorical columns");
  std::vector<std::string> seen;
  for (const auto& f : e.numeric_) seen.push_back(f.name);
  for (const auto& f : e.categorical_) seen.push_back(f.name);
  std::sort(seen.begin(), seen.end());
  require(std::adjacent_find(seen.begin(), seen.end()) == seen.end(), errc::parse_error,
          "feature_encoder::from_json: a column is listed twice");
  e.build_names();
  return e;
}

}  // namespace io

FAIRGATE_END_NAMESPACE
