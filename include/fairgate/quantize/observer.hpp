// fairgate/quantize/observer.hpp: calibration observers that turn observed
// tensors into quantization ranges.
//
//   fairgate::quantize::minmax_observer obs(/*axis=*/0);     // per output channel
//   obs.observe(weights_view);
//   auto qp = obs.calculate_qparams({.type = qtype::int8, .rule = scale_rule::torch_symmetric,
//   .axis = 0});
//
// - minmax_observer: running min and max (PyTorch MinMaxObserver, and
//   PerChannelMinMaxObserver when axis >= 0).
// - moving_average_minmax_observer: PyTorch MovingAverageMinMaxObserver
//   (and its per-channel sibling): the first batch sets [min, max]; each later
//   batch updates, in float32, min = min + c * (batch_min - min) (one rounding
//   per operation, c = float32(averaging_constant), default 0.01).
// - percentile_range: clip to the p-th percentile of |x| or of x.
// - mse_optimal_range: the clip ratio, among `candidates` evenly spaced ones,
//   that minimises the quantization MSE.
// Ranges are float32, as PyTorch's observers keep them: f64 input is observed
// exactly and its min/max rounded to float32 (rounding is monotone, so this is
// the min/max of the rounded values, as PyTorch's x.to(float32) gives).
// NaN or Inf in observed data is an error (invalid_value) naming the flat index.
// A zero extreme is reported as +0 whatever the sign of the zeros seen, so the
// result does not depend on SIMD width or scan order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/quantize/scheme.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace quantize {

// A clipping range [min, max] for one channel (or the whole tensor).
struct clip_range {
  float min = 0;
  float max = 0;
};

namespace detail {

inline std::size_t channel_count(const tensor::view& x, int axis) {
  if (axis < 0) return 1;
  require(static_cast<std::size_t>(axis) < x.rank, errc::invalid_argument, [&] {
    return "channel axis " + std::to_string(axis) + " is out of range for a rank-" +
           std::to_string(x.rank) + " tensor";
  });
  return static_cast<std::size_t>(x.shape[static_cast<std::size_t>(axis)]);
}

// Folds the run src[0], src[stride], ... (n elements) into [mn, mx]; returns
// true if it holds a NaN or an infinity. Contiguous f32 runs use 16 lanes of
// SIMD min/max (AVX2 or SSE2), others 16 scalar lanes; min/max are exact, so
// the lane layout cannot change the result (zeros aside: see channel_minmax).
template <class T>
inline bool minmax_run(const T* src, std::int64_t n, std::int64_t stride, T& mn, T& mx) noexcept {
  constexpr int L = 16;
  T lmn[L], lmx[L];
  unsigned bad[L];
  for (int k = 0; k < L; ++k) {
    lmn[k] = mn;
    lmx[k] = mx;
    bad[k] = 0;
  }
  std::int64_t j = 0;
#if FAIRGATE_QUANT_SSE2
  if constexpr (std::is_same_v<T, float>) {
#if FAIRGATE_QUANT_AVX2
    if (stride == 1 && n >= 16 && cpu_has_avx2()) j = avx2_minmax_row(src, n, lmn, lmx, bad[0]);
#endif
    if (stride == 1 && n - j >= 8) {
      // _mm_min_ps(v, m) is exactly v < m ? v : m, the scalar rule below.
      // Lanes 0..7 continue from the AVX2 pass (if any) in the SSE2 registers.
      __m128 mn0 = _mm_loadu_ps(lmn), mn1 = _mm_loadu_ps(lmn + 4), mx0 = _mm_loadu_ps(lmx),
             mx1 = _mm_loadu_ps(lmx + 4);
      __m128 nan = _mm_setzero_ps();
      for (; j + 8 <= n; j += 8) {
        const __m128 a = _mm_loadu_ps(src + j), b = _mm_loadu_ps(src + j + 4);
        mn0 = _mm_min_ps(a, mn0);
        mn1 = _mm_min_ps(b, mn1);
        mx0 = _mm_max_ps(a, mx0);
        mx1 = _mm_max_ps(b, mx1);
        nan = _mm_or_ps(nan, _mm_cmpunord_ps(a, b));
      }
      _mm_storeu_ps(lmn, mn0);
      _mm_storeu_ps(lmn + 4, mn1);
      _mm_storeu_ps(lmx, mx0);
      _mm_storeu_ps(lmx + 4, mx1);
      bad[0] |= static_cast<unsigned>(_mm_movemask_ps(nan));
    }
  }
#endif
  if (stride == 1) {
    for (; j + L <= n; j += L) {
      for (int k = 0; k < L; ++k) {
        const T v = src[j + k];
        lmn[k] = v < lmn[k] ? v : lmn[k];
        lmx[k] = v > lmx[k] ? v : lmx[k];
        bad[k] |= static_cast<unsigned>(v != v);
      }
    }
  }
  for (; j < n; ++j) {
    const T v = src[j * stride];
    lmn[0] = v < lmn[0] ? v : lmn[0];
    lmx[0] = v > lmx[0] ? v : lmx[0];
    bad[0] |= static_cast<unsigned>(v != v);
  }
  unsigned any = 0;
  for (int k = 0; k < L; ++k) {
    mn = lmn[k] < mn ? lmn[k] : mn;
    mx = lmx[k] > mx ? lmx[k] : mx;
    any |= bad[k];
  }
  // Inf shows up in min/max; NaN in the lane flags.
  return any != 0 || nonfinite(mn) || nonfinite(mx);
}

// Per-channel min and max of x in its own type. Rows with a constant channel
// use 16 independent lanes (compiled to packed min/max); NaN and Inf are
// detected in the same pass.
template <class T>
void channel_minmax(const tensor::view& x, int axis, std::vector<T>& mn, std::vector<T>& mx) {
  const std::size_t nch = channel_count(x, axis);
  mn.assign(nch, std::numeric_limits<T>::infinity());
  mx.assign(nch, -std::numeric_limits<T>::infinity());
  const row_plan plan = make_plan(x, axis);
  const bool varies = axis >= 0 && static_cast<std::size_t>(axis) + 1 == x.rank;
  const std::int64_t inner = axis >= 0 ? inner_size(x, axis) : 1;
  const T* base = static_cast<const T*>(x.data);
  for_each_row(plan, [&](std::int64_t off, std::int64_t flat0, std::int64_t n,
                         std::int64_t stride) {
    const T* src = base + off;
    if (varies) {
      for (std::int64_t j = 0; j < n; ++j) {
        const T v = src[j * stride];
        if (nonfinite(v)) throw_nonfinite(v, flat0 + j);
        auto c = static_cast<std::size_t>(j);
        mn[c] = v < mn[c] ? v : mn[c];
        mx[c] = v > mx[c] ? v : mx[c];
        mn[c] = mn[c] + static_cast<T>(0);
        mx[c] = mx[c] + static_cast<T>(0);
      }
      return;
    }
    const auto c =
        static_cast<std::size_t>(axis >= 0 ? (flat0 / inner) % static_cast<std::int64_t>(nch) : 0);
    if (minmax_run(src, n, stride, mn[c], mx[c])) report_row(src, n, stride, flat0);
    // min(-0, +0) depends on which lane saw which zero first; adding +0 turns
    // -0 into +0 (and changes nothing else), so the result is layout-free.
    mn[c] = mn[c] + static_cast<T>(0);
    mx[c] = mx[c] + static_cast<T>(0);
  });
}

inline void observe_into(const tensor::view& x, int axis, std::vector<float>& mn,
                         std::vector<float>& mx) {
  check_float_view(x, "observer input");
  if (x.type == tensor::dtype::f32) {
    channel_minmax<float>(x, axis, mn, mx);
  } else {
    std::vector<double> a, b;
    channel_minmax<double>(x, axis, a, b);
    mn.resize(a.size());
    mx.resize(b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      mn[i] = static_cast<float>(a[i]);
      mx[i] = static_cast<float>(b[i]);
    }
  }
}

inline void check_axis(int observer_axis, const scheme& s) {
  require(s.axis == observer_axis, errc::invalid_argument, [&] {
    return "scheme axis " + std::to_string(s.axis) + " differs from the observer's axis " +
           std::to_string(observer_axis);
  });
}

}  // namespace detail

// Running per-channel (or per-tensor) min and max, as PyTorch's
// MinMaxObserver / PerChannelMinMaxObserver. Empty tensors are ignored;
// asking for parameters before any element was observed is an error
// (PyTorch returns scale 1, zero point 0 with a warning instead).
class minmax_observer {
 public:
  explicit minmax_observer(int axis = per_tensor) : axis_(axis) {}

  void observe(const tensor::view& x) {
    if (x.numel() == 0) return;
    std::vector<float> a, b;
    detail::observe_into(x, axis_, a, b);
    if (min_.empty()) {
      min_ = std::move(a);
      max_ = std::move(b);
      return;
    }
    require(a.size() == min_.size(), errc::length_mismatch, [&] {
      return "observer saw " + std::to_string(min_.size()) + " channels before, now " +
             std::to_string(a.size());
    });
    for (std::size_t c = 0; c < a.size(); ++c) {
      min_[c] = std::min(min_[c], a[c]);
      max_[c] = std::max(max_[c], b[c]);
    }
  }

  [[nodiscard]] bool has_data() const noexcept { return !min_.empty(); }
  [[nodiscard]] int axis() const noexcept { return axis_; }
  [[nodiscard]] std::span<const float> min() const noexcept { return min_; }
  [[nodiscard]] std::span<const float> max() const noexcept { return max_; }

  [[nodiscard]] quantize::qparams calculate_qparams(const scheme& s) const {
    require(has_data(), errc::empty_input, "observer has seen no values");
    detail::check_axis(axis_, s);
    return make_qparams(s, min_, max_);
  }

 private:
  int axis_;
  std::vector<float> min_, max_;
};

// PyTorch's MovingAverageMinMaxObserver (axis = per_tensor) and
// MovingAveragePerChannelMinMaxObserver (axis >= 0), float32 update rule.
class moving_average_minmax_observer {
 public:
  explicit moving_average_minmax_observer(int axis = per_tensor, double averaging_constant = 0.01)
      : axis_(axis), c_(static_cast<float>(averaging_constant)) {
    require(averaging_constant > 0.0 && averaging_constant <= 1.0, errc::invalid_argument,
            "averaging_constant must lie in (0, 1]");
  }

  void observe(const tensor::view& x) {
    if (x.numel() == 0) return;
    std::vector<float> a, b;
    detail::observe_into(x, axis_, a, b);
    if (min_.empty()) {
      min_ = std::move(a);
      max_ = std::move(b);
      return;
    }
    require(a.size() == min_.size(), errc::length_mismatch, [&] {
      return "observer saw " + std::to_string(min_.size()) + " channels before, now " +
             std::to_string(a.size());
    });
    for (std::size_t k = 0; k < a.size(); ++k) {
      const float dmin = a[k] - min_[k];
      const float dmax = b[k] - max_[k];
      const float smin = c_ * dmin;
      const float smax = c_ * dmax;
      min_[k] = min_[k] + smin;
      max_[k] = max_[k] + smax;
    }
  }

  [[nodiscard]] bool has_data() const noexcept { return !min_.empty(); }
  [[nodiscard]] std::span<const float> min() const noexcept { return min_; }
  [[nodiscard]] std::span<const float> max() const noexcept { return max_; }

  [[nodiscard]] quantize::qparams calculate_qparams(const scheme& s) const {
    require(has_data(), errc::empty_input, "observer has seen no values");
    detail::check_axis(axis_, s);
    return make_qparams(s, min_, max_);
  }

 private:
  int axis_;
  float c_;
  std::vector<float> min_, max_;
};

enum class percentile_mode : std::uint8_t {
  magnitude = 0,  // v = P_p(|x|); range [-v, v]
  two_sided = 1,  // range [P_(100-p)(x), P_p(x)]
};

namespace detail {

// Copies each channel's values (in flat order) into its own vector.
template <class T>
std::vector<std::vector<T>> gather_channels(const tensor::view& x, int axis) {
  const std::size_t nch = channel_count(x, axis);
  std::vector<std::vector<T>> out(nch);
  const std::int64_t n = x.numel();
  const std::int64_t inner = axis >= 0 ? inner_size(x, axis) : 1;
  for (auto& v : out)
    v.reserve(
        static_cast<std::size_t>(n / static_cast<std::int64_t>(std::max<std::size_t>(nch, 1))));
  const T* base = static_cast<const T*>(x.data);
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = base[x.offset_of(i)];
    if (nonfinite(v)) throw_nonfinite(v, i);
    out[static_cast<std::size_t>(axis >= 0 ? (i / inner) % static_cast<std::int64_t>(nch) : 0)]
        .push_back(v);
  }
  return out;
}

// numpy.percentile(a, p) with the default 'linear' method (numpy 1.24
// _lerp): r = p/100 * (n-1), i = floor(r), t = r - i,
//   value = a[i] + (a[i+1] - a[i]) * t         if t <  0.5
//   value = a[i+1] - (a[i+1] - a[i]) * (1 - t)  if t >= 0.5
// over the sorted a, in double. Reorders `a`.
inline double percentile_linear(std::vector<double>& a, double p) {
  const double r = p / 100.0 * static_cast<double>(a.size() - 1);
  const double fi = std::floor(r);
  const auto i = static_cast<std::size_t>(fi);
  const double t = r - fi;
  std::nth_element(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
  const double lo = a[i];
  if (i + 1 >= a.size()) return lo;
  const double hi = *std::min_element(a.begin() + static_cast<std::ptrdiff_t>(i) + 1, a.end());
  const double diff = hi - lo;
  return t < 0.5 ? lo + diff * t : hi - diff * (1.0 - t);
}

template <class T>
std::vector<clip_range> percentile_impl(const tensor::view& x, int axis, double p,
                                        percentile_mode m) {
  auto ch = gather_channels<T>(x, axis);
  std::vector<clip_range> out(ch.size());
  for (std::size_t c = 0; c < ch.size(); ++c) {
    require(!ch[c].empty(), errc::empty_input,
            [&] { return "channel " + std::to_string(c) + " is empty"; });
    std::vector<double> a(ch[c].begin(), ch[c].end());
    if (m == percentile_mode::magnitude) {
      for (double& v : a) v = std::fabs(v);
      const auto v = static_cast<float>(percentile_linear(a, p));
      out[c] = {-v, v};
    } else {
      std::vector<double> b = a;
      out[c] = {static_cast<float>(percentile_linear(a, 100.0 - p)),
                static_cast<float>(percentile_linear(b, p))};
    }
  }
  return out;
}

}  // namespace detail

// Clip ranges at the p-th percentile (p in [50, 100]) per channel of `axis`
// (or of the whole tensor for per_tensor), with numpy's default linear
// interpolation (see percentile_linear), computed in double and rounded to
// float32. Copies the tensor's values (calibration-sized data).
inline std::vector<clip_range> percentile_range(const tensor::view& x, double p,
                                                percentile_mode m = percentile_mode::magnitude,
                                                int axis = per_tensor) {
  detail::check_float_view(x, "percentile_range input");
  require(p >= 50.0 && p <= 100.0, errc::invalid_argument,
          [&] { return "percentile p = " + std::to_string(p) + " must lie in [50, 100]"; });
  require(x.numel() > 0, errc::empty_input, "percentile_range of an empty tensor is undefined");
  if (x.type == tensor::dtype::f32) return detail::percentile_impl<float>(x, axis, p, m);
  return detail::percentile_impl<double>(x, axis, p, m);
}

namespace detail {

template <class T>
std::vector<clip_range> mse_impl(const tensor::view& x, const scheme& s, int candidates) {
  auto ch = gather_channels<T>(x, s.axis);
  const qrange r = range_of(s.type, s.reduce_range, s.narrow_range);
  std::vector<clip_range> out(ch.size());
  for (std::size_t c = 0; c < ch.size(); ++c) {
    const std::vector<T>& v = ch[c];
    require(!v.empty(), errc::empty_input,
            [&] { return "channel " + std::to_string(c) + " is empty"; });
    T lo = v[0], hi = v[0];
    for (T a : v) {
      lo = a < lo ? a : lo;
      hi = a > hi ? a : hi;
    }
    const auto fmin = static_cast<float>(lo), fmax = static_cast<float>(hi);
    double best = std::numeric_limits<double>::infinity();
    clip_range best_range{fmin, fmax};
    for (int k = candidates; k >= 1; --k) {
      // alpha = k / candidates; ties keep the larger alpha (less clipping).
      const double alpha = static_cast<double>(k) / static_cast<double>(candidates);
      const clip_range cr{static_cast<float>(alpha * static_cast<double>(fmin)),
                          static_cast<float>(alpha * static_cast<double>(fmax))};
      float sc = 1.0f;
      std::int32_t zp = 0;
      channel_qparams(s, r, cr.min, cr.max, sc, zp);
      const chan<T> cp{static_cast<T>(1) / static_cast<T>(sc), static_cast<T>(r.qmin - zp),
                       static_cast<T>(r.qmax - zp), static_cast<T>(sc), zp};
      double se = 0;
      for (T a : v) {
        const double e =
            static_cast<double>(qminus_zp<T, rounding::half_to_even>(a, cp, 0u) * cp.scale) -
            static_cast<double>(a);
        se += e * e;
      }
      if (se < best) {
        best = se;
        best_range = cr;
      }
    }
    out[c] = best_range;
  }
  return out;
}

}  // namespace detail

// MSE-optimal clipping: for each channel of s.axis (or the tensor), with
// observed [min, max], try alpha = k / candidates for k = candidates .. 1, form
// the range [float(alpha*min), float(alpha*max)], derive (scale, zero_point)
// with s's rule, fake-quantize the channel with half-to-even rounding and sum
// the squared error in double in flat order; return the range with the
// smallest sum (ties: the larger alpha). make_qparams(s, ranges) then
// reproduces the winning parameters exactly. Cost: candidates passes over a
// copy of the data.
inline std::vector<clip_range> mse_optimal_range(const tensor::view& x, const scheme& s,
                                                 int candidates = 100) {
  detail::check_float_view(x, "mse_optimal_range input");
  require(candidates >= 1, errc::invalid_argument,
          "mse_optimal_range needs at least one candidate");
  require(x.numel() > 0, errc::empty_input, "mse_optimal_range of an empty tensor is undefined");
  require(!(s.rule == scale_rule::narrow_symmetric && !is_signed(s.type)), errc::invalid_argument,
          "narrow_symmetric needs a signed target (int8 or int4)");
  if (x.type == tensor::dtype::f32) return detail::mse_impl<float>(x, s, candidates);
  return detail::mse_impl<double>(x, s, candidates);
}

// Parameters from clip ranges (one per channel of s.axis, or one).
inline qparams make_qparams(const scheme& s, std::span<const clip_range> ranges) {
  std::vector<float> a(ranges.size()), b(ranges.size());
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    a[i] = ranges[i].min;
    b[i] = ranges[i].max;
  }
  return make_qparams(s, std::span<const float>(a), std::span<const float>(b));
}

}  // namespace quantize

FAIRGATE_END_NAMESPACE
