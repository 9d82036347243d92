// fairgate/metrics/inputs.hpp: typed, non-owning views of the metric inputs, and their validation.
//
//   std::vector<std::uint8_t> y, g; std::vector<float> s;
//   auto in = fairgate::metrics::binary_inputs{y, fairgate::metrics::prediction_view::scores(s,
//   0.5), g, 8}; fairgate::metrics::accumulate(acc, in);   // see accumulator.hpp
//
// Nothing is copied: the views point at the caller's arrays, which must stay
// alive during the call. Element types are chosen at run time (as they
// arrive through the C ABI or from numpy) and dispatched once per call:
//   labels / y_pred : u8, i32, i64      (values must be 0 or 1)
//   group codes     : u8, u16, u32      (values must be < n_groups)
//   scores, weights : f32, f64
//
// Prediction from scores: y_pred = 1 iff score >= threshold. This is the
// convention of sklearn's roc_curve / precision_recall_curve (a threshold
// counts as positive at equality). For a strict ">" convention pass
// std::nextafter(threshold, +inf). The comparison is exact: for f32 scores
// the threshold is replaced by the smallest float >= threshold, which selects
// exactly the same rows as comparing in double.
//
// Validation (the FIRST bad row, by index, is reported, whatever the thread
// count): a label or y_pred outside {0,1}; a NaN score; a group code >=
// n_groups; a negative, NaN or infinite weight; length mismatches; n_groups
// of 0. Infinite scores are allowed (they compare as expected).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace metrics {

enum class label_type : std::uint8_t { u8, i32, i64 };
enum class code_type : std::uint8_t { u8, u16, u32 };
enum class real_type : std::uint8_t { f32, f64 };

// Labels (y_true) or hard predictions (y_pred): values must be 0 or 1.
struct label_view {
  const void* data = nullptr;
  std::size_t size = 0;
  label_type type = label_type::u8;

  label_view() = default;
  // Any contiguous range of a supported element type (std::vector, std::array, ...).
  template <std::ranges::contiguous_range R>
  requires(!std::is_same_v<std::remove_cvref_t<R>, label_view>)
      label_view(const R& r)  // NOLINT(google-explicit-constructor): a view, like std::span
      : label_view(std::span<const std::ranges::range_value_t<R>>(std::ranges::data(r),
                                                                  std::ranges::size(r))) {}
  label_view(std::span<const std::uint8_t> s)
      : data(s.data()), size(s.size()), type(label_type::u8) {}
  label_view(std::span<const std::int32_t> s)
      : data(s.data()), size(s.size()), type(label_type::i32) {}
  label_view(std::span<const std::int64_t> s)
      : data(s.data()), size(s.size()), type(label_type::i64) {}

  [[nodiscard]] std::int64_t at(std::size_t i) const noexcept {
    switch (type) {
      case label_type::u8:
        return static_cast<const std::uint8_t*>(data)[i];
      case label_type::i32:
        return static_cast<const std::int32_t*>(data)[i];
      case label_type::i64:
        return static_cast<const std::int64_t*>(data)[i];
    }
    return -1;
  }
};

// Group codes in [0, n_groups).
struct code_view {
  const void* data = nullptr;
  std::size_t size = 0;
  code_type type = code_type::u8;

  code_view() = default;
  // Any contiguous range of a supported element type (std::vector, std::array, ...).
  template <std::ranges::contiguous_range R>
  requires(!std::is_same_v<std::remove_cvref_t<R>, code_view>)
      code_view(const R& r)  // NOLINT(google-explicit-constructor): a view, like std::span
      : code_view(std::span<const std::ranges::range_value_t<R>>(std::ranges::data(r),
                                                                 std::ranges::size(r))) {}
  code_view(std::span<const std::uint8_t> s)
      : data(s.data()), size(s.size()), type(code_type::u8) {}
  code_view(std::span<const std::uint16_t> s)
      : data(s.data()), size(s.size()), type(code_type::u16) {}
  code_view(std::span<const std::uint32_t> s)
      : data(s.data()), size(s.size()), type(code_type::u32) {}

  [[nodiscard]] std::uint64_t at(std::size_t i) const noexcept {
    switch (type) {
      case code_type::u8:
        return static_cast<const std::uint8_t*>(data)[i];
      case code_type::u16:
        return static_cast<const std::uint16_t*>(data)[i];
      case code_type::u32:
        return static_cast<const std::uint32_t*>(data)[i];
    }
    return ~std::uint64_t{0};
  }
};

// Scores, regression values or sample weights.
struct real_view {
  const void* data = nullptr;
  std::size_t size = 0;
  real_type type = real_type::f64;

  real_view() = default;
  // Any contiguous range of a supported element type (std::vector, std::array, ...).
  template <std::ranges::contiguous_range R>
  requires(!std::is_same_v<std::remove_cvref_t<R>, real_view>)
      real_view(const R& r)  // NOLINT(google-explicit-constructor): a view, like std::span
      : real_view(std::span<const std::ranges::range_value_t<R>>(std::ranges::data(r),
                                                                 std::ranges::size(r))) {}
  real_view(std::span<const float> s) : data(s.data()), size(s.size()), type(real_type::f32) {}
  real_view(std::span<const double> s) : data(s.data()), size(s.size()), type(real_type::f64) {}

  [[nodiscard]] double at(std::size_t i) const noexcept {
    return type == real_type::f32 ? static_cast<double>(static_cast<const float*>(data)[i])
                                  : static_cast<const double*>(data)[i];
  }
};

// Where the binary prediction comes from: hard labels, or scores + threshold.
struct prediction_view {
  bool from_scores = false;
  label_view labels{};  // when !from_scores
  real_view score{};    // when from_scores
  double threshold = 0.5;

  static prediction_view hard(label_view y_pred) {
    prediction_view p;
    p.labels = y_pred;
    return p;
  }
  static prediction_view scores(real_view s, double threshold) {
    prediction_view p;
    p.from_scores = true;
    p.score = s;
    p.threshold = threshold;
    return p;
  }
  [[nodiscard]] std::size_t size() const noexcept { return from_scores ? score.size : labels.size; }
};

// Inputs of the binary-classification pass.
struct binary_inputs {
  label_view y_true;
  prediction_view y_pred;
  code_view groups;
  std::uint32_t n_groups = 1;
  std::optional<real_view> weights{};
};

// Inputs of the regression pass (mean prediction, MAE, MSE, RMSE): real
// targets and predictions, both must be finite.
struct regression_inputs {
  real_view y_true;
  real_view y_pred;
  code_view groups;
  std::uint32_t n_groups = 1;
  std::optional<real_view> weights{};
};

// The smallest float f with (double)f >= t, so that for every float s:
// s >= f  <=>  (double)s >= t. NaN thresholds are rejected by check_shape.
inline float float_threshold(double t) noexcept {
  if (t > static_cast<double>(std::numeric_limits<float>::max())) {
    return std::numeric_limits<float>::infinity();
  }
  if (t < -static_cast<double>(std::numeric_limits<float>::max())) {
    // Every finite float is >= t; -inf is >= t only if t is -inf.
    return t == -std::numeric_limits<double>::infinity() ? -std::numeric_limits<float>::infinity()
                                                         : -std::numeric_limits<float>::max();
  }
  auto f = static_cast<float>(t);
  if (static_cast<double>(f) < t) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

namespace inputs_detail {
inline std::string row_msg(const char* what, std::size_t row, const std::string& v,
                           const char* why) {
  return std::string(what) + "[" + std::to_string(row) + "] = " + v + ": " + why;
}
inline std::string num(double v) {
  if (v != v) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = std::to_string(v);
  return s;
}
inline void check_weights_shape(const std::optional<real_view>& w, std::size_t n) {
  if (w) {
    require(w->size == n, errc::length_mismatch, [&] {
      return "weights has " + std::to_string(w->size) + " rows but y_true has " + std::to_string(n);
    });
  }
}
inline void check_weight_row(const std::optional<real_view>& w, std::size_t i) {
  if (!w) return;
  const double x = w->at(i);
  require(!(x != x) && !std::isinf(x) && x >= 0.0, errc::invalid_value,
          [&] { return row_msg("weights", i, num(x), "weights must be finite and >= 0"); });
}
inline void check_code_row(const code_view& g, std::uint32_t n_groups, std::size_t i) {
  const std::uint64_t c = g.at(i);
  require(c < n_groups, errc::out_of_range, [&] {
    return row_msg("groups", i, std::to_string(c),
                   ("group codes must be < n_groups = " + std::to_string(n_groups)).c_str());
  });
}
}  // namespace inputs_detail

// Shape checks done once per call, before any row is read.
inline void check_shape(const binary_inputs& in) {
  const std::size_t n = in.y_true.size;
  require(in.n_groups > 0, errc::invalid_argument, "n_groups must be at least 1");
  require(in.y_pred.size() == n, errc::length_mismatch, [&] {
    return std::string(in.y_pred.from_scores ? "scores" : "y_pred") + " has " +
           std::to_string(in.y_pred.size()) + " rows but y_true has " + std::to_string(n);
  });
  require(in.groups.size == n, errc::length_mismatch, [&] {
    return "groups has " + std::to_string(in.groups.size) + " rows but y_true has " +
           std::to_string(n);
  });
  inputs_detail::check_weights_shape(in.weights, n);
  require(!(in.y_pred.threshold != in.y_pred.threshold), errc::invalid_argument,
          "threshold is NaN");
}

inline void check_shape(const regression_inputs& in) {
  const std::size_t n = in.y_true.size;
  require(in.n_groups > 0, errc::invalid_argument, "n_groups must be at least 1");
  require(in.y_pred.size == n, errc::length_mismatch, [&] {
    return "y_pred has " + std::to_string(in.y_pred.size) + " rows but y_true has " +
           std::to_string(n);
  });
  require(in.groups.size == n, errc::length_mismatch, [&] {
    return "groups has " + std::to_string(in.groups.size) + " rows but y_true has " +
           std::to_string(n);
  });
  inputs_detail::check_weights_shape(in.weights, n);
}

// Throws the error describing row i if it is invalid; returns if it is valid.
// The accumulation kernels only find the first bad row; this names the problem.
inline void check_row(const binary_inputs& in, std::size_t i) {
  const std::int64_t y = in.y_true.at(i);
  require(y == 0 || y == 1, errc::out_of_range, [&] {
    return inputs_detail::row_msg("y_true", i, std::to_string(y), "labels must be 0 or 1");
  });
  if (in.y_pred.from_scores) {
    const double s = in.y_pred.score.at(i);
    require(!(s != s), errc::invalid_value,
            [&] { return inputs_detail::row_msg("scores", i, "nan", "scores must not be NaN"); });
  } else {
    const std::int64_t p = in.y_pred.labels.at(i);
    require(p == 0 || p == 1, errc::out_of_range, [&] {
      return inputs_detail::row_msg("y_pred", i, std::to_string(p), "predictions must be 0 or 1");
    });
  }
  inputs_detail::check_code_row(in.groups, in.n_groups, i);
  inputs_detail::check_weight_row(in.weights, i);
}

inline void check_row(const regression_inputs& in, std::size_t i) {
  const double y = in.y_true.at(i);
  require(std::isfinite(y), errc::invalid_value, [&] {
    return inputs_detail::row_msg("y_true", i, inputs_detail::num(y),
                                  "regression targets must be finite");
  });
  const double p = in.y_pred.at(i);
  require(std::isfinite(p), errc::invalid_value, [&] {
    return inputs_detail::row_msg("y_pred", i, inputs_detail::num(p), "predictions must be finite");
  });
  inputs_detail::check_code_row(in.groups, in.n_groups, i);
  inputs_detail::check_weight_row(in.weights, i);
}

}  // namespace metrics

FAIRGATE_END_NAMESPACE
