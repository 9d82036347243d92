// fairgate/prune/schedule.hpp: the sparsity target at training step t.
//
//   auto s = fairgate::prune::schedule::polynomial(0.0, 0.8, /*t0=*/0, /*t1=*/1000, /*freq=*/100);
//   if (s.updates_at(step)) prune to s.target(step) (see amount_for_target in amount.hpp)
//
// Conventions follow TF-MOT (tensorflow_model_optimization pruning_schedule.py):
//   p(t) = clamp((t - t0) / (t1 - t0), 0, 1)
//   updates_at(t) = t0 <= t <= t1 and (t - t0) % frequency == 0  (TF-MOT
//                   _should_prune_in_step); between updates the mask is unchanged.
//   target(t), by kind, with s_i = initial and s_f = final sparsity:
//     one_shot    : s_f for t >= t0, s_i before (updates only at t0)
//     linear      : s_f + (s_i - s_f) (1 - p)          (polynomial, power 1)
//     polynomial  : s_f + (s_i - s_f) (1 - p)^power    (TF-MOT PolynomialDecay;
//                   default power 3; integer power by repeated multiplication)
//     cubic       : power 3 exactly: the gradual schedule of Zhu & Gupta 2017,
//                   "To prune, or not to prune", eq. (1)
//     exponential : s_f + (s_i - s_f) (e^{-r p} - e^{-r}) / (1 - e^{-r}), rate r > 0:
//                   s_i at p = 0, s_f at p = 1, most pruning early (fairgate's
//                   definition; e^x is fairgate::math::exp, bit-reproducible)
//   in_force(t) = target at the last update step <= t (s_i before t0): the
//                 sparsity the model actually has at step t.
// Every value is a pure function of t computed with + - * / and math::exp, so
// it is bit-identical on every platform.
#pragma once

#include <cstdint>
#include <string>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/math/deterministic.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace prune {

enum class schedule_kind : std::uint8_t { one_shot, linear, polynomial, cubic, exponential };

class schedule {
 public:
  static schedule one_shot(double sparsity, std::int64_t at_step) {
    return make(schedule_kind::one_shot, 0.0, sparsity, at_step, at_step + 1, 1, 1, 1.0);
  }
  static schedule linear(double s_i, double s_f, std::int64_t t0, std::int64_t t1,
                         std::int64_t frequency = 1) {
    return make(schedule_kind::linear, s_i, s_f, t0, t1, frequency, 1, 1.0);
  }
  static schedule polynomial(double s_i, double s_f, std::int64_t t0, std::int64_t t1,
                             std::int64_t frequency = 100, int power = 3) {
    return make(schedule_kind::polynomial, s_i, s_f, t0, t1, frequency, power, 1.0);
  }
  static schedule cubic(double s_i, double s_f, std::int64_t t0, std::int64_t t1,
                        std::int64_t frequency = 100) {
    return make(schedule_kind::cubic, s_i, s_f, t0, t1, frequency, 3, 1.0);
  }
  static schedule exponential(double s_i, double s_f, std::int64_t t0, std::int64_t t1,
                              std::int64_t frequency = 100, double rate = 5.0) {
    return make(schedule_kind::exponential, s_i, s_f, t0, t1, frequency, 1, rate);
  }

  [[nodiscard]] schedule_kind kind() const noexcept { return kind_; }
  [[nodiscard]] double initial() const noexcept { return s_i_; }
  [[nodiscard]] double final_sparsity() const noexcept { return s_f_; }
  [[nodiscard]] std::int64_t begin_step() const noexcept { return t0_; }
  [[nodiscard]] std::int64_t end_step() const noexcept { return t1_; }
  [[nodiscard]] std::int64_t frequency() const noexcept { return freq_; }

  [[nodiscard]] bool updates_at(std::int64_t t) const noexcept {
    if (kind_ == schedule_kind::one_shot) return t == t0_;
    return t >= t0_ && t <= t1_ && (t - t0_) % freq_ == 0;
  }

  [[nodiscard]] double progress(std::int64_t t) const noexcept {
    if (t <= t0_) return 0.0;
    if (t >= t1_) return 1.0;
    return static_cast<double>(t - t0_) / static_cast<double>(t1_ - t0_);
  }

  [[nodiscard]] double target(std::int64_t t) const noexcept {
    if (kind_ == schedule_kind::one_shot) return t >= t0_ ? s_f_ : s_i_;
    const double p = progress(t);
    double decay = 1.0;  // weight of (s_i - s_f), from 1 at p = 0 to 0 at p = 1
    if (kind_ == schedule_kind::exponential) {
      const double e1 = math::exp(-rate_);
      decay = (math::exp(-rate_ * p) - e1) / (1.0 - e1);
      if (p >= 1.0) decay = 0.0;  // exact end point whatever exp's last ulp
    } else {
      const double q = 1.0 - p;
      for (int i = 0; i < power_; ++i) decay *= q;
    }
    return s_f_ + (s_i_ - s_f_) * decay;
  }

  [[nodiscard]] double in_force(std::int64_t t) const noexcept {
    if (t < t0_) return s_i_;
    if (kind_ == schedule_kind::one_shot) return s_f_;
    const std::int64_t last = t >= t1_ ? t1_ : t;
    return target(t0_ + ((last - t0_) / freq_) * freq_);
  }

 private:
  static schedule make(schedule_kind k, double s_i, double s_f, std::int64_t t0, std::int64_t t1,
                       std::int64_t freq, int power, double rate) {
    require(s_i >= 0.0 && s_i <= 1.0 && s_f >= 0.0 && s_f <= 1.0, errc::invalid_argument, [&] {
      return "schedule sparsities must be in [0, 1] (initial " + std::to_string(s_i) + ", final " +
             std::to_string(s_f) + ")";
    });
    require(t1 > t0, errc::invalid_argument, [&] {
      return "schedule end step " + std::to_string(t1) + " must be after the begin step " +
             std::to_string(t0);
    });
    require(freq >= 1, errc::invalid_argument, "schedule frequency must be >= 1");
    require(power >= 1 && power <= 64, errc::invalid_argument,
            "schedule power must be an integer in [1, 64]");
    require(rate > 0.0 && rate <= 700.0, errc::invalid_argument,
            "exponential schedule rate must be in (0, 700]");
    schedule s;
    s.kind_ = k;
    s.s_i_ = s_i;
    s.s_f_ = s_f;
    s.t0_ = t0;
    s.t1_ = t1;
    s.freq_ = freq;
    s.power_ = power;
    s.rate_ = rate;
    return s;
  }

  schedule_kind kind_ = schedule_kind::polynomial;
  double s_i_ = 0.0, s_f_ = 0.0;
  std::int64_t t0_ = 0, t1_ = 1, freq_ = 1;
  int power_ = 3;
  double rate_ = 1.0;
};

}  // namespace prune

FAIRGATE_END_NAMESPACE
