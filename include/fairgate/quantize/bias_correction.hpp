// fairgate/quantize/bias_correction.hpp: empirical bias correction of a
// quantized linear layer (Nagel, van Baalen, Blankevoort, Welling, "Data-Free
// Quantization Through Weight Equalization and Bias Correction", ICCV 2019,
// section 4.2), overall and per demographic group.
//
//   auto b2 = fairgate::quantize::corrected_bias(bias, W, Wq, mean_x);   // b - (Wq - W) E[x]
//
// Quantizing the weights W [out, in] to Wq (dequantized values) shifts the
// expected output of unit j by
//   err_j = sum_i (Wq[j,i] - W[j,i]) E[x_i],
// so b'_j = b_j - err_j restores the float layer's expected output. When only
// output means are known: err_j = E[y_q,j] - E[y_j], same correction.
// Dot products run in double over i = 0 .. in-1 in order (fixed, whatever the
// build). W and Wq are rank-2 views [out, in] (f32/f64/f16/bf16, any strides).
//
// Per group g (E_g[x] or per-group output means) the corrections differ,
// because the error is linear in E[x]. Combination rules for one bias:
//   support_weighted: c_j = sum_g n_g c_gj / sum_g n_g. With E_g[x] the group
//                     means of disjoint rows, this equals the correction from
//                     the pooled mean (linearity), i.e. plain Nagel et al.
//   minimax:          c_j = (min_g c_gj + max_g c_gj) / 2, which minimises the
//                     worst group's residual max_g |c_gj - c_j| (the midrange
//                     is the minimax point of an interval).
//   single_group:     c_j = c_{g*,j} for a chosen group g* (e.g. the worst-off).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace quantize {

namespace detail {

inline void check_finite_span(std::span<const double> v, const char* what) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    require(std::isfinite(v[i]), errc::invalid_value,
            [&] { return std::string(what) + "[" + std::to_string(i) + "] is not finite"; });
  }
}

}  // namespace detail

// err_j = sum_i (Wq[j,i] - W[j,i]) * mean_x[i], in double, i ascending.
inline std::vector<double> expected_output_error(const tensor::view& w, const tensor::view& wq,
                                                 std::span<const double> mean_x) {
  require(w.rank == 2 && wq.rank == 2, errc::invalid_argument,
          "weights must be rank-2 [out, in] views");
  require(w.shape[0] == wq.shape[0] && w.shape[1] == wq.shape[1], errc::length_mismatch,
          "W and Wq have different shapes");
  require(static_cast<std::int64_t>(mean_x.size()) == w.shape[1], errc::length_mismatch, [&] {
    return "mean_x has " + std::to_string(mean_x.size()) + " entries, weights have " +
           std::to_string(w.shape[1]) + " inputs";
  });
  detail::check_finite_span(mean_x, "mean_x");
  const std::int64_t out = w.shape[0], in = w.shape[1];
  std::vector<double> err(static_cast<std::size_t>(out), 0.0);
  for (std::int64_t j = 0; j < out; ++j) {
    double s = 0;
    for (std::int64_t i = 0; i < in; ++i) {
      const double a = tensor::load_as_double(w, j * w.strides[0] + i * w.strides[1]);
      const double b = tensor::load_as_double(wq, j * wq.strides[0] + i * wq.strides[1]);
      require(std::isfinite(a) && std::isfinite(b), errc::invalid_value, [&] {
        return "weight [" + std::to_string(j) + ", " + std::to_string(i) + "] is not finite";
      });
      s += (b - a) * mean_x[static_cast<std::size_t>(i)];
    }
    err[static_cast<std::size_t>(j)] = s;
  }
  return err;
}

// b'_j = b_j - err_j. bias may be empty (a layer without bias): b = 0.
inline std::vector<double> apply_correction(std::span<const double> bias,
                                            std::span<const double> err) {
  require(bias.empty() || bias.size() == err.size(), errc::length_mismatch, [&] {
    return "bias has " + std::to_string(bias.size()) + " entries, correction " +
           std::to_string(err.size());
  });
  detail::check_finite_span(bias, "bias");
  std::vector<double> out(err.size());
  for (std::size_t j = 0; j < err.size(); ++j) out[j] = (bias.empty() ? 0.0 : bias[j]) - err[j];
  return out;
}

// Nagel et al. from E[x]: b - (Wq - W) E[x].
inline std::vector<double> corrected_bias(std::span<const double> bias, const tensor::view& w,
                                          const tensor::view& wq, std::span<const double> mean_x) {
  return apply_correction(bias, expected_output_error(w, wq, mean_x));
}

// From output means: b - (E[y_q] - E[y]).
inline std::vector<double> corrected_bias_from_outputs(std::span<const double> bias,
                                                       std::span<const double> mean_y_float,
                                                       std::span<const double> mean_y_quant) {
  require(mean_y_float.size() == mean_y_quant.size(), errc::length_mismatch,
          "mean_y_float and mean_y_quant differ in length");
  detail::check_finite_span(mean_y_float, "mean_y_float");
  detail::check_finite_span(mean_y_quant, "mean_y_quant");
  std::vector<double> err(mean_y_float.size());
  for (std::size_t j = 0; j < err.size(); ++j) err[j] = mean_y_quant[j] - mean_y_float[j];
  return apply_correction(bias, err);
}

enum class group_combine : std::uint8_t { support_weighted = 0, minimax = 1, single_group = 2 };

struct group_correction_options {
  group_combine rule = group_combine::support_weighted;
  std::span<const double> support{};  // n_g, required for support_weighted (>= 0, positive sum)
  std::size_t group = 0;              // g* for single_group
};

struct group_bias_correction {
  std::vector<std::vector<double>> per_group_error;  // err_g,j (expected output shift per group)
  std::vector<std::vector<double>>
      per_group_bias;                  // b - err_g: the bias each group alone would want
  std::vector<double> combined_error;  // c_j by the chosen rule
  std::vector<double> corrected_bias;  // b - c
  std::vector<double> worst_residual;  // max_g |err_g,j - c_j| after the combined correction
};

// Combines per-group expected output errors (one vector per group, equal
// lengths) into one bias correction.
inline group_bias_correction combine_group_errors(std::span<const double> bias,
                                                  std::vector<std::vector<double>> per_group_error,
                                                  const group_correction_options& opt) {
  const std::size_t G = per_group_error.size();
  require(G > 0, errc::empty_input, "no groups given");
  const std::size_t out = per_group_error[0].size();
  for (std::size_t g = 0; g < G; ++g) {
    require(per_group_error[g].size() == out, errc::length_mismatch, [&] {
      return "group " + std::to_string(g) + " has " + std::to_string(per_group_error[g].size()) +
             " outputs, group 0 has " + std::to_string(out);
    });
    detail::check_finite_span(per_group_error[g], "group error");
  }
  group_bias_correction r;
  r.combined_error.assign(out, 0.0);
  switch (opt.rule) {
    case group_combine::support_weighted: {
      require(opt.support.size() == G, errc::length_mismatch, [&] {
        return "support has " + std::to_string(opt.support.size()) + " entries for " +
               std::to_string(G) + " groups";
      });
      double total = 0;
      for (std::size_t g = 0; g < G; ++g) {
        require(std::isfinite(opt.support[g]) && opt.support[g] >= 0.0, errc::invalid_value,
                [&] { return "support[" + std::to_string(g) + "] must be finite and >= 0"; });
        total += opt.support[g];
      }
      require(total > 0.0, errc::invalid_value, "total group support is zero");
      for (std::size_t j = 0; j < out; ++j) {
        double s = 0;
        for (std::size_t g = 0; g < G; ++g) s += opt.support[g] * per_group_error[g][j];
        r.combined_error[j] = s / total;
      }
      break;
    }
    case group_combine::minimax:
      for (std::size_t j = 0; j < out; ++j) {
        double lo = per_group_error[0][j], hi = lo;
        for (std::size_t g = 1; g < G; ++g) {
          lo = std::min(lo, per_group_error[g][j]);
          hi = std::max(hi, per_group_error[g][j]);
        }
        r.combined_error[j] = lo + (hi - lo) / 2.0;
      }
      break;
    case group_combine::single_group:
      require(opt.group < G, errc::out_of_range, [&] {
        return "group " + std::to_string(opt.group) + " out of range (" + std::to_string(G) +
               " groups)";
      });
      r.combined_error = per_group_error[opt.group];
      break;
  }
  r.corrected_bias = apply_correction(bias, r.combined_error);
  r.worst_residual.assign(out, 0.0);
  for (std::size_t j = 0; j < out; ++j) {
    for (std::size_t g = 0; g < G; ++g) {
      r.worst_residual[j] =
          std::max(r.worst_residual[j], std::fabs(per_group_error[g][j] - r.combined_error[j]));
    }
  }
  r.per_group_bias.reserve(G);
  for (std::size_t g = 0; g < G; ++g)
    r.per_group_bias.push_back(apply_correction(bias, per_group_error[g]));
  r.per_group_error = std::move(per_group_error);
  return r;
}

// Per-group Nagel correction from per-group input means E_g[x].
inline group_bias_correction group_corrected_bias(std::span<const double> bias,
                                                  const tensor::view& w, const tensor::view& wq,
                                                  std::span<const std::vector<double>> group_mean_x,
                                                  const group_correction_options& opt) {
  std::vector<std::vector<double>> errs;
  errs.reserve(group_mean_x.size());
  for (const auto& m : group_mean_x) errs.push_back(expected_output_error(w, wq, m));
  return combine_group_errors(bias, std::move(errs), opt);
}

// Per-group correction from per-group output means E_g[y], E_g[y_q].
inline group_bias_correction group_corrected_bias_from_outputs(
    std::span<const double> bias, std::span<const std::vector<double>> group_mean_y_float,
    std::span<const std::vector<double>> group_mean_y_quant, const group_correction_options& opt) {
  require(group_mean_y_float.size() == group_mean_y_quant.size(), errc::length_mismatch,
          "float and quantized output means have different group counts");
  std::vector<std::vector<double>> errs;
  for (std::size_t g = 0; g < group_mean_y_float.size(); ++g) {
    require(group_mean_y_float[g].size() == group_mean_y_quant[g].size(), errc::length_mismatch,
            [&] {
              return "group " + std::to_string(g) + ": float and quantized means differ in length";
            });
    std::vector<double> e(group_mean_y_float[g].size());
    for (std::size_t j = 0; j < e.size(); ++j)
      e[j] = group_mean_y_quant[g][j] - group_mean_y_float[g][j];
    errs.push_back(std::move(e));
  }
  return combine_group_errors(bias, std::move(errs), opt);
}

}  // namespace quantize

FAIRGATE_END_NAMESPACE
