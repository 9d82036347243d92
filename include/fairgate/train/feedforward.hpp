// fairgate/train/feedforward.hpp: the reference model — logistic regression or a small MLP.
//
//   train::feedforward model(/*inputs=*/104, /*hidden=*/{});   // logistic regression
//   train::feedforward mlp(104, {32});                         // one ReLU layer of 32
//   model.initialize(seed);
//   model.predict_logits(data, logits);
//
// Layers are dense, y = W x + b with W stored out × in row-major (as
// torch.nn.Linear), ReLU between layers, one output logit. Every sum runs in a
// fixed order over plain loops (no BLAS, no reassociation), so the same seed
// and data give the same bits on every compiler and CPU. Weight tensors are
// exposed as named tensor views, so pruning and quantization passes and the
// controller work on them in place.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>
#include <fairgate/tensor/view.hpp>
#include <fairgate/train/dataset.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace train {

// Σ_j w[j]·x[j] with four partial sums (j mod 4) added as ((s0 + s1) + (s2 + s3)):
// a fixed order written in the code, so every compiler and CPU computes the
// same bits, while the four independent chains run ~4× faster than one.
inline double fixed_order_dot(const double* w, const double* x, std::size_t n) noexcept {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += w[j] * x[j];
    s1 += w[j + 1] * x[j + 1];
    s2 += w[j + 2] * x[j + 2];
    s3 += w[j + 3] * x[j + 3];
  }
  for (; j < n; ++j) s0 += w[j] * x[j];
  return (s0 + s1) + (s2 + s3);
}

struct named_parameter {
  std::string name;
  tensor::view view;
};

struct dense_layer {
  std::size_t in = 0;
  std::size_t out = 0;
  std::vector<double> weight;  // out × in
  std::vector<double> bias;    // out
};

// Gradients (or any per-parameter quantity) in the model's own layout.
struct parameter_gradients {
  std::vector<std::vector<double>> weight;  // per layer, out × in
  std::vector<std::vector<double>> bias;    // per layer, out
};

class feedforward {
 public:
  feedforward() = default;
  feedforward(std::size_t inputs, const std::vector<std::size_t>& hidden) {
    require(inputs > 0, errc::invalid_argument, "a model needs at least one input feature");
    std::size_t in = inputs;
    for (std::size_t h : hidden) {
      require(h > 0, errc::invalid_argument, "hidden layers need at least one unit");
      layers_.push_back(make_layer(in, h));
      in = h;
    }
    layers_.push_back(make_layer(in, 1));
  }

  // torch.nn.Linear's default: U(−1/√fan_in, 1/√fan_in) for weights and biases,
  // drawn from stream(seed, "train.init", layer index) in row-major order.
  void initialize(std::uint64_t seed) {
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      rng::stream s(seed, rng::purposes::init, static_cast<std::uint32_t>(l));
      const double bound = 1.0 / std::sqrt(static_cast<double>(layers_[l].in));
      for (double& w : layers_[l].weight) w = bound * (2.0 * rng::uniform_double(s) - 1.0);
      for (double& b : layers_[l].bias) b = bound * (2.0 * rng::uniform_double(s) - 1.0);
    }
  }

  [[nodiscard]] std::size_t inputs() const noexcept { return layers_.empty() ? 0 : layers_[0].in; }
  [[nodiscard]] std::vector<dense_layer>& layers() noexcept { return layers_; }
  [[nodiscard]] const std::vector<dense_layer>& layers() const noexcept { return layers_; }

  [[nodiscard]] std::size_t parameter_count() const noexcept {
    std::size_t n = 0;
    for (const auto& l : layers_) n += l.weight.size() + l.bias.size();
    return n;
  }

  // "layer<k>.weight" (out × in) and "layer<k>.bias" (out), in layer order.
  [[nodiscard]] std::vector<named_parameter> parameters() {
    std::vector<named_parameter> out;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      auto& L = layers_[l];
      const std::int64_t w_dims[2] = {static_cast<std::int64_t>(L.out),
                                      static_cast<std::int64_t>(L.in)};
      const std::int64_t b_dims[1] = {static_cast<std::int64_t>(L.out)};
      out.push_back({"layer" + std::to_string(l) + ".weight",
                     tensor::view::contiguous(L.weight.data(), tensor::dtype::f64, w_dims, 2)});
      out.push_back({"layer" + std::to_string(l) + ".bias",
                     tensor::view::contiguous(L.bias.data(), tensor::dtype::f64, b_dims, 1)});
    }
    return out;
  }

  [[nodiscard]] parameter_gradients zero_gradients() const {
    parameter_gradients g;
    for (const auto& l : layers_) {
      g.weight.emplace_back(l.weight.size(), 0.0);
      g.bias.emplace_back(l.bias.size(), 0.0);
    }
    return g;
  }

  // The logit for one feature row (length inputs()). `scratch` avoids allocation.
  double logit(const double* x, std::vector<std::vector<double>>& activations) const {
    forward(x, activations);
    return activations.back()[0];
  }

  void predict_logits(const dataset_view& d, std::span<double> out) const {
    require(d.cols == inputs(), errc::length_mismatch, [&] {
      return "data has " + std::to_string(d.cols) + " features but the model expects " +
             std::to_string(inputs());
    });
    require(out.size() == d.rows, errc::length_mismatch, "output span must have one entry per row");
    std::vector<std::vector<double>> act;
    for (std::size_t i = 0; i < d.rows; ++i) out[i] = logit(d.row(i), act);
  }

  // Adds Σ_r dlogit[k] · ∂logit(row_k)/∂θ to `grad`, rows in the given order.
  void backward(const dataset_view& d, std::span<const std::size_t> rows,
                std::span<const double> dlogit, parameter_gradients& grad) const {
    std::vector<std::vector<double>> act;
    std::vector<double> delta, delta_prev;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      if (dlogit[k] == 0.0) continue;
      const double* x = d.row(rows[k]);
      // Hidden layers need this row's activations; a single layer only needs x.
      if (layers_.size() > 1) forward(x, act);
      delta.assign(1, dlogit[k]);
      for (std::size_t l = layers_.size(); l-- > 0;) {
        const auto& L = layers_[l];
        const double* a_in = l == 0 ? x : act[l - 1].data();
        auto& gw = grad.weight[l];
        auto& gb = grad.bias[l];
        for (std::size_t o = 0; o < L.out; ++o) {
          const double dl = delta[o];
          if (dl == 0.0) continue;
          double* row = gw.data() + o * L.in;
          for (std::size_t j = 0; j < L.in; ++j) row[j] += dl * a_in[j];
          gb[o] += dl;
        }
        if (l == 0) break;
        // δ_prev = Wᵀ δ ⊙ relu'(z_prev); relu'(z) = 1 where the activation is > 0.
        delta_prev.assign(L.in, 0.0);
        for (std::size_t o = 0; o < L.out; ++o) {
          const double dl = delta[o];
          if (dl == 0.0) continue;
          const double* wrow = L.weight.data() + o * L.in;
          for (std::size_t j = 0; j < L.in; ++j) delta_prev[j] += wrow[j] * dl;
        }
        for (std::size_t j = 0; j < L.in; ++j) {
          if (!(act[l - 1][j] > 0.0)) delta_prev[j] = 0.0;
        }
        delta.swap(delta_prev);
      }
    }
  }

 private:
  static dense_layer make_layer(std::size_t in, std::size_t out) {
    return {in, out, std::vector<double>(in * out, 0.0), std::vector<double>(out, 0.0)};
  }

  // act[l] = output of layer l (ReLU applied except on the last layer).
  void forward(const double* x, std::vector<std::vector<double>>& act) const {
    act.resize(layers_.size());
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const auto& L = layers_[l];
      const double* a_in = l == 0 ? x : act[l - 1].data();
      auto& a_out = act[l];
      a_out.resize(L.out);
      const bool last = l + 1 == layers_.size();
      for (std::size_t o = 0; o < L.out; ++o) {
        const double z = L.bias[o] + fixed_order_dot(L.weight.data() + o * L.in, a_in, L.in);
        a_out[o] = last || z > 0.0 ? z : 0.0;
      }
    }
  }

  std::vector<dense_layer> layers_;
};

}  // namespace train

FAIRGATE_END_NAMESPACE
