// libtorch_adult: a LibTorch trainer with a fairgate penalty, pruned under a fairness policy.
//
//   build/examples/libtorch/libtorch_adult [--check] [--out DIR]
//
// 1. Loads UCI Adult (fairgate::io::load_adult, one-hot + standardised with
//    adult_encoder_options(), as examples/compress_adult does) into torch
//    tensors; the sensitive feature is sex.
// 2. Trains a torch::nn MLP (108 -> 32 -> 1, ReLU) twice with the same seed:
//    plain binary cross-entropy, and BCE + lambda * the equalized-odds
//    penalty of fairgate::objectives (sigmoid relaxation, worst case of the
//    TPR and FPR gaps between the sex groups). fairgate computes the penalty
//    and its gradient dV/dlogit on each mini-batch; it enters autograd as the
//    surrogate lambda * sum(logits * g) with g detached, whose gradient with
//    respect to the logits is exactly lambda * g.
// 3. Gates a global magnitude pruning schedule (0.1 ... 0.9, 0.95) of the
//    penalised model with fairgate::gate::controller under
//    examples/libtorch/policy.toml: the two weight matrices are registered as
//    f32 views of the torch parameters' own memory, and the evaluate callback
//    runs the torch model on the test rows. The best passing state is
//    restored from the run's manifest into the parameters.
// 4. Saves the pruned model (torch::save) and its masks (weight != 0) to
//    DIR/pruned_model.pt and DIR/masks.pt, reloads the model and compares.
// --check exits 1 unless: the penalty (lambda = 0.5 by default, --lambda L)
// lowered both the relaxed and the hard equalized-odds difference on the
// test rows at an accuracy cost below 0.02, the controller found a passing state with sparsity > 0,
// the restored state has the recorded digest, and the reloaded model's
// logits equal the pruned model's bit for bit.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <torch/torch.h>

#include <fairgate/gate/controller.hpp>
#include <fairgate/gate/record.hpp>
#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/policy/parse.hpp>
#include <fairgate/tensor/view.hpp>

namespace fg = fairgate;
namespace fs = std::filesystem;
namespace fo = fairgate::objectives;

namespace {

struct NetImpl : torch::nn::Module {
  explicit NetImpl(std::int64_t d)
      : fc1(register_module("fc1", torch::nn::Linear(d, 32))),
        fc2(register_module("fc2", torch::nn::Linear(32, 1))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    return fc2->forward(torch::relu(fc1->forward(x))).squeeze(1);
  }
  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Net);

struct split {
  torch::Tensor x;                  // [rows, cols] f32
  torch::Tensor y;                  // [rows] f32 0/1
  std::vector<std::uint8_t> label;  // the same labels for fairgate
  std::vector<std::uint8_t> sex;    // group codes
};

split make_split(const fg::io::adult_split& s, const fg::io::feature_encoder& enc) {
  const auto m = enc.transform(s.table);
  split out;
  out.x = torch::empty({static_cast<std::int64_t>(m.rows), static_cast<std::int64_t>(m.cols)},
                       torch::kFloat32);
  float* px = out.x.data_ptr<float>();
  for (std::size_t i = 0; i < m.values.size(); ++i) px[i] = static_cast<float>(m.values[i]);
  out.label = s.labels;
  out.sex = s.sex;
  out.y = torch::empty({static_cast<std::int64_t>(m.rows)}, torch::kFloat32);
  float* py = out.y.data_ptr<float>();
  for (std::size_t i = 0; i < m.rows; ++i) py[i] = static_cast<float>(s.labels[i]);
  return out;
}

fo::penalty_inputs<float, std::uint8_t> penalty_rows(const torch::Tensor& logits,
                                                     std::span<const std::uint8_t> labels,
                                                     std::span<const std::uint8_t> groups) {
  const auto n = static_cast<std::size_t>(logits.numel());
  return {std::span<const float>(logits.data_ptr<float>(), n), labels, groups, {}, 2};
}

// Trains with BCE + lambda * equalized-odds penalty; lambda = 0 is plain BCE.
Net train(const split& tr, double lambda, const fo::penalty_options& popt) {
  torch::manual_seed(20261123);
  Net net(tr.x.size(1));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(2e-3));
  const std::int64_t n = tr.x.size(0), batch = 512;
  std::vector<std::uint8_t> yb, gb;
  std::vector<float> grad;
  for (int epoch = 0; epoch < 6; ++epoch) {
    const torch::Tensor perm = torch::randperm(n, torch::kInt64);
    const std::int64_t* p = perm.data_ptr<std::int64_t>();
    for (std::int64_t at = 0; at < n; at += batch) {
      const std::int64_t m = std::min(batch, n - at);
      const torch::Tensor idx = perm.slice(0, at, at + m);
      const torch::Tensor logits = net->forward(tr.x.index_select(0, idx));
      torch::Tensor loss =
          torch::binary_cross_entropy_with_logits(logits, tr.y.index_select(0, idx));
      if (lambda > 0.0) {
        yb.resize(static_cast<std::size_t>(m));
        gb.resize(static_cast<std::size_t>(m));
        grad.resize(static_cast<std::size_t>(m));
        for (std::int64_t i = 0; i < m; ++i) {
          const auto r = static_cast<std::size_t>(p[at + i]);
          yb[static_cast<std::size_t>(i)] = tr.label[r];
          gb[static_cast<std::size_t>(i)] = tr.sex[r];
        }
        const torch::Tensor z = logits.detach().contiguous();
        (void)fo::equalized_odds(penalty_rows(z, yb, gb), popt, fo::odds_aggregate::worst_case,
                                 std::span<float>(grad));
        const torch::Tensor g = torch::from_blob(grad.data(), {m}, torch::kFloat32);
        // d/dlogits of sum(logits * g) is g: fairgate's gradient enters autograd as is.
        loss = loss + static_cast<float>(lambda) * (logits * g).sum();
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
    }
  }
  return net;
}

std::vector<double> test_logits(Net& net, const split& te) {
  torch::NoGradGuard no_grad;
  const torch::Tensor z = net->forward(te.x).contiguous();
  const float* p = z.data_ptr<float>();
  return std::vector<double>(p, p + z.numel());
}

// The relaxed equalized-odds gap (what the penalty optimises) and the hard
// equalized-odds difference (what the policy judges) on the test rows.
struct fairness {
  double relaxed = 0.0, hard = 0.0, accuracy = 0.0;
};
fairness measure(Net& net, const split& te, const fo::penalty_options& popt) {
  const std::vector<double> z = test_logits(net, te);
  std::vector<double> grad(z.size());
  const fo::penalty_inputs<double, std::uint8_t> in{z, te.label, te.sex, {}, 2};
  fairness f;
  f.relaxed =
      fo::equalized_odds(in, popt, fo::odds_aggregate::worst_case, std::span<double>(grad)).value;
  fg::metrics::group_accumulator acc(2);
  auto& cells = acc.mutable_counts();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const bool pred = z[i] >= 0.0, pos = te.label[i] == 1;
    auto& c = cells[te.sex[i]];
    (pos ? (pred ? c.tp : c.fn) : (pred ? c.fp : c.tn)) += 1;
    correct += pred == pos ? 1u : 0u;
  }
  f.hard = fg::metrics::equalized_odds_difference(acc).value;
  f.accuracy = static_cast<double>(correct) / static_cast<double>(z.size());
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  bool check = false;
  fs::path out = "libtorch_run";
  double lambda = 0.5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--check") == 0)
      check = true;
    else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc)
      out = argv[++i];
    else if (std::strcmp(argv[i], "--lambda") == 0 && i + 1 < argc)
      lambda = std::strtod(argv[++i], nullptr);
    else {
      std::fprintf(stderr, "usage: libtorch_adult [--check] [--out DIR] [--lambda L]\n");
      return 2;
    }
  }
  try {
    fs::remove_all(out);
    fs::create_directories(out);
    torch::set_num_threads(1);  // one thread: the same float sums every run

    fg::io::adult_options ao;
    ao.missing = fg::io::adult_missing::as_category;
    const auto adult = fg::io::load_adult(ao);
    const auto enc =
        fg::io::feature_encoder::fit(adult.train.table, fg::io::adult_encoder_options());
    const split tr = make_split(adult.train, enc);
    const split te = make_split(adult.test, enc);
    std::printf("Adult: %lld training rows, %lld test rows, %lld features; torch MLP %lld-32-1\n",
                static_cast<long long>(tr.x.size(0)), static_cast<long long>(te.x.size(0)),
                static_cast<long long>(tr.x.size(1)), static_cast<long long>(tr.x.size(1)));

    // 1. Training: plain, and with the fairgate penalty.
    fo::penalty_options popt;  // sigmoid relaxation, max - min over groups
    Net plain = train(tr, 0.0, popt);
    Net net = train(tr, lambda, popt);
    const fairness f0 = measure(plain, te, popt), f1 = measure(net, te, popt);
    std::printf("plain BCE:               accuracy %.4f, EO difference %.4f, relaxed EO gap %.4f\n",
                f0.accuracy, f0.hard, f0.relaxed);
    std::printf("BCE + %-4g * EO penalty: accuracy %.4f, EO difference %.4f, relaxed EO gap %.4f\n",
                lambda, f1.accuracy, f1.hard, f1.relaxed);

    // 2. The controller over the torch parameters' memory.
    fg::gate::evaluation_rows rows;
    rows.labels = te.label;
    rows.groups.assign(te.sex.begin(), te.sex.end());
    rows.group_names = adult.sex_names;
    rows.sensitive_features = {"sex"};
    rows.threshold = 0.0;  // logits
    fg::gate::controller_options copt;
    copt.directory = out / "controller";
    copt.manifest_path = out / "manifest.json";
    const auto policy = fg::policy::parse_policy_file(FAIRGATE_LIBTORCH_POLICY);
    fg::gate::controller c(policy, rows, copt);
    torch::Tensor w1 = net->fc1->weight, w2 = net->fc2->weight;
    {
      torch::NoGradGuard no_grad;
      c.add_tensor("fc1.weight",
                   fg::tensor::view::contiguous(w1.data_ptr<float>(), {w1.size(0), w1.size(1)}), 0);
      c.add_tensor("fc2.weight",
                   fg::tensor::view::contiguous(w2.data_ptr<float>(), {w2.size(0), w2.size(1)}), 0);
    }
    c.on_evaluate([&] { return test_logits(net, te); });
    auto plan = fg::gate::prune_steps(0.1, 0.9, 0.1);
    fg::gate::milestone last;
    last.sparsity = 0.95;
    plan.push_back(last);
    const fg::gate::run_result res = c.run(plan);
    const auto& best = res.targets.at(0).best;
    std::printf("controller: %s, sparsity %.4f (fc1 %.4f, fc2 %.4f), %llu evaluations\n",
                best.pass ? "PASS" : "FAIL", best.sparsity, best.tensor_sparsity.at(0),
                best.tensor_sparsity.at(1),
                static_cast<unsigned long long>(res.targets.at(0).steps));

    // 3. The best state into the torch parameters, from the run's manifest.
    const auto m = fg::manifest::manifest::read(copt.manifest_path);
    const auto restored = fg::gate::restore(c, m, "libtorch");
    const bool digest_ok = restored.state_digest == best.state_digest;
    const double zeros = (w1.eq(0).sum().item<double>() + w2.eq(0).sum().item<double>()) /
                         static_cast<double>(w1.numel() + w2.numel());
    std::printf("restored checkpoint %llu: sparsity %.4f, zero weights %.4f, digest %s\n",
                static_cast<unsigned long long>(restored.checkpoint), restored.sparsity, zeros,
                digest_ok ? "matches" : "DIFFERS");

    // 4. Save the pruned model and its masks; reload and compare.
    torch::save(net, (out / "pruned_model.pt").string());
    torch::save(std::vector<torch::Tensor>{w1.ne(0), w2.ne(0)}, (out / "masks.pt").string());
    Net back(tr.x.size(1));
    torch::load(back, (out / "pruned_model.pt").string());
    const std::vector<double> a = test_logits(net, te), b = test_logits(back, te);
    const bool same = a == b;
    const fairness fp = measure(net, te, popt);
    std::printf("pruned model: accuracy %.4f, EO difference %.4f; saved to %s (reload %s)\n",
                fp.accuracy, fp.hard, (out / "pruned_model.pt").c_str(),
                same ? "identical" : "DIFFERS");

    const bool ok = f1.relaxed < f0.relaxed && f1.hard < f0.hard &&
                    f1.accuracy > f0.accuracy - 0.02 && best.pass && best.sparsity > 0.0 &&
                    digest_ok && std::abs(zeros - best.sparsity) < 1e-12 && same;
    std::printf(
        "claims (penalty lowers the EO gap at < 0.02 accuracy cost; passing pruned state restored "
        "and saved): %s\n",
        ok ? "hold" : "DO NOT HOLD");
    return check && !ok ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "libtorch_adult: %s\n", e.what());
    return 1;
  }
}
