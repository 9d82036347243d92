// fairgate/metrics/groups.hpp: intersectional groups from several sensitive features.
//
//   fairgate::metrics::group_encoder enc({{"sex", {"F", "M"}}, {"race", {"a", "b", "c"}}});
//   std::uint32_t g = enc.encode({1, 2});   // (1 * 3) + 2 = 5
//   enc.name(g);                            // "M|c"
//
// The code is a mixed-radix number with the FIRST feature most significant,
// like a row-major index into an array of shape (n_0, n_1, ..., n_{k-1}):
//   code = ((c_0 * n_1 + c_1) * n_2 + c_2) ... * n_{k-1} + c_{k-1}
// so codes enumerate combinations in lexicographic order of the features.
// Names join the category names with '|' in feature order ("sex|race" ->
// "M|c"). Every combination has a code, including those with no rows: they
// are reported with count 0 and undefined rates, never dropped (Fairlearn's
// MetricFrame drops empty combinations; fairgate keeps them visible).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

// One sensitive feature and the names of its categories (category c has name categories[c]).
struct sensitive_feature {
  std::string name;
  std::vector<std::string> categories;
};

class group_encoder {
 public:
  group_encoder() = default;
  explicit group_encoder(std::vector<sensitive_feature> features) : features_(std::move(features)) {
    require(!features_.empty(), errc::invalid_argument,
            "group_encoder: at least one feature is needed");
    std::uint64_t n = 1;
    for (std::size_t f = 0; f < features_.size(); ++f) {
      const std::size_t k = features_[f].categories.size();
      require(k > 0, errc::invalid_argument, [&] {
        return "group_encoder: feature " + std::to_string(f) + " ('" + features_[f].name +
               "') has no categories";
      });
      n *= k;
      require(n <= std::numeric_limits<std::uint32_t>::max(), errc::invalid_argument,
              "group_encoder: the number of combinations exceeds 2^32 - 1");
    }
    n_groups_ = static_cast<std::uint32_t>(n);
  }
  group_encoder(std::initializer_list<sensitive_feature> features)
      : group_encoder(std::vector<sensitive_feature>(features)) {}

  [[nodiscard]] std::uint32_t n_groups() const noexcept { return n_groups_; }
  [[nodiscard]] std::size_t n_features() const noexcept { return features_.size(); }
  [[nodiscard]] const std::vector<sensitive_feature>& features() const noexcept {
    return features_;
  }

  // code of one combination of category indices (one per feature, in feature order).
  [[nodiscard]] std::uint32_t encode(std::span<const std::uint32_t> categories) const {
    require(categories.size() == features_.size(), errc::length_mismatch, [&] {
      return "group_encoder::encode: " + std::to_string(categories.size()) +
             " categories given for " + std::to_string(features_.size()) + " features";
    });
    std::uint64_t code = 0;
    for (std::size_t f = 0; f < features_.size(); ++f) {
      const std::size_t k = features_[f].categories.size();
      require(categories[f] < k, errc::out_of_range, [&] {
        return "group_encoder::encode: category " + std::to_string(categories[f]) + " of feature " +
               std::to_string(f) + " ('" + features_[f].name + "') must be < " + std::to_string(k);
      });
      code = code * k + categories[f];
    }
    return static_cast<std::uint32_t>(code);
  }
  [[nodiscard]] std::uint32_t encode(std::initializer_list<std::uint32_t> categories) const {
    return encode(std::span<const std::uint32_t>(categories.begin(), categories.size()));
  }

  // Category indices of a code, in feature order.
  [[nodiscard]] std::vector<std::uint32_t> decode(std::uint32_t code) const {
    require(code < n_groups_, errc::out_of_range, [&] {
      return "group_encoder::decode: code " + std::to_string(code) + " must be < " +
             std::to_string(n_groups_);
    });
    std::vector<std::uint32_t> out(features_.size());
    std::uint32_t rest = code;
    for (std::size_t f = features_.size(); f-- > 0;) {
      const auto k = static_cast<std::uint32_t>(features_[f].categories.size());
      out[f] = rest % k;
      rest /= k;
    }
    return out;
  }

  // "M|c": category names joined with '|' in feature order.
  [[nodiscard]] std::string name(std::uint32_t code) const {
    const auto cats = decode(code);
    std::string s;
    for (std::size_t f = 0; f < cats.size(); ++f) {
      if (f) s += '|';
      s += features_[f].categories[cats[f]];
    }
    return s;
  }

  // "sex|race": the feature names joined the same way.
  [[nodiscard]] std::string feature_label() const {
    std::string s;
    for (std::size_t f = 0; f < features_.size(); ++f) {
      if (f) s += '|';
      s += features_[f].name;
    }
    return s;
  }

  // Names of all n_groups() combinations, indexed by code.
  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(n_groups_);
    for (std::uint32_t c = 0; c < n_groups_; ++c) out.push_back(name(c));
    return out;
  }

  // Row-wise encoding of per-feature code columns (each column holds one
  // feature's category index per row) into `out`. Validates every value and
  // names the first bad (feature, row).
  template <class Code>
  void encode_rows(std::span<const std::span<const Code>> columns,
                   std::span<std::uint32_t> out) const {
    require(columns.size() == features_.size(), errc::length_mismatch, [&] {
      return "group_encoder::encode_rows: " + std::to_string(columns.size()) + " columns for " +
             std::to_string(features_.size()) + " features";
    });
    for (std::size_t f = 0; f < columns.size(); ++f) {
      require(columns[f].size() == out.size(), errc::length_mismatch, [&] {
        return "group_encoder::encode_rows: column " + std::to_string(f) + " has " +
               std::to_string(columns[f].size()) + " rows, output has " +
               std::to_string(out.size());
      });
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      std::uint64_t code = 0;
      for (std::size_t f = 0; f < columns.size(); ++f) {
        const auto k = features_[f].categories.size();
        const auto c = static_cast<std::uint64_t>(columns[f][i]);
        require(c < k, errc::out_of_range, [&] {
          return features_[f].name + "[" + std::to_string(i) + "] = " + std::to_string(c) +
                 ": category codes must be < " + std::to_string(k);
        });
        code = code * k + c;
      }
      out[i] = static_cast<std::uint32_t>(code);
    }
  }

 private:
  std::vector<sensitive_feature> features_;
  std::uint32_t n_groups_ = 0;
};

}  // namespace metrics

FAIRGATE_END_NAMESPACE
