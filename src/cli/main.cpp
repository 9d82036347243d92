// fairgate: the command-line tool. See docs/cli.md for every flag, output key and exit code.
//
//   fairgate audit preds.csv --label y --score p --threshold 0.5 --group sex,race --json
//   fairgate train data.csv --label income --positive '>50K' --out model.json
//   fairgate predict model.json data.csv --out preds.csv
//   fairgate demo                                   # the main job on bundled UCI Adult
//   fairgate compress model.json --policy p.toml --data test.csv --out run/
//   fairgate check --policy p.toml --target server --baseline a.csv --candidate b.csv
//                  --label y --score s --group sex
//   fairgate verify run/manifest.json
//   fairgate report run/
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include <fairgate/io/adult.hpp>

#include <fairgate/error.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/io/sha256.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/report/run_report.hpp>

#include "cli.hpp"

namespace fs = std::filesystem;
using namespace fairgate_cli;
using fairgate::manifest::manifest;

namespace {

struct global_options {
  bool json_output = false;
  bool quiet = false;
};

void stamp(manifest& m) {
  // Unhashed: when and where the run happened (never compared by verify).
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  m.unhashed()["created_at"] = buf;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) m.unhashed()["host"] = host;
  m.set_threads(1);
}

void write_text(const fs::path& p, const std::string& text) {
  fairgate::io::write_file_atomic(p, std::string_view(text));
}

void print_json(const json& j) {
  std::cout << j.dump(2) << "\n";
}

std::string version_text() {
  const auto b = fairgate::manifest::current_build();
  return "fairgate " + b.fairgate_version + " (git " + b.git_describe +
         ")\ncompiler: " + b.compiler + "\ntarget: " + b.target_triple +
         "\nnumeric flags: " + b.numeric_flags;
}

// ------------------------------------------------------------------ audit
int cmd_audit(const audit_config& c, const std::string& out_dir, const global_options& g,
              const terminal& t) {
  manifest m;
  const json res = run_audit(c, t, m);
  if (g.json_output)
    print_json(res);
  else
    print_audit_table(res, t);
  if (!out_dir.empty()) {
    const fs::path dir(out_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      throw fairgate::error(fairgate::errc::io_error,
                            out_dir + ": cannot create the directory (" + ec.message() + ")");
    const std::string results_text = res.dump(2) + "\n";
    write_text(dir / "results.json", results_text);
    m.add_artifact("results.json",
                   std::as_bytes(std::span<const char>(results_text.data(), results_text.size())));
    stamp(m);
    // The report is rendered from the manifest, so its hash can only be
    // recorded outside the hashed sections.
    const std::string html = fairgate::report::render_run(res, json::parse(m.to_json()));
    m.unhashed()["report_html_bytes"] = html.size();
    write_text(dir / "report.html", html);
    m.write(dir / "manifest.json");
    if (!g.quiet)
      std::fprintf(stderr, "fairgate: wrote %s/{results.json,manifest.json,report.html}\n",
                   out_dir.c_str());
  }
  return exit_ok;
}

// ------------------------------------------------------------------ train / predict
std::string default_manifest_path(const std::string& model_out) {
  fs::path p(model_out);
  return (p.parent_path() / (p.stem().string() + ".manifest.json")).string();
}

int cmd_train(const train_config& c, std::string manifest_path, const global_options& g,
              const terminal& t) {
  manifest m;
  const train_output out = run_train(c, t, m);
  write_text(c.out, out.model_text);
  stamp(m);
  if (manifest_path.empty()) manifest_path = default_manifest_path(c.out);
  m.write(manifest_path);
  if (g.json_output) {
    json j = out.results;
    j["model_path"] = c.out;
    j["manifest_path"] = manifest_path;
    print_json(j);
  } else {
    const json& r = out.results;
    std::printf("trained %s on %s rows (%s excluded: missing values), %s features\n", c.out.c_str(),
                r.at("rows_used").dump().c_str(), r.at("rows_excluded").dump().c_str(),
                r.at("features").dump().c_str());
    std::printf("final training loss %s, training accuracy %s\nmanifest: %s\n",
                r.at("epoch_loss").empty() ? "-" : r.at("epoch_loss").back().dump().c_str(),
                r.at("train_accuracy").dump().c_str(), manifest_path.c_str());
  }
  return exit_ok;
}

int cmd_predict(const predict_config& c, const global_options& g) {
  const auto [csv, summary] = run_predict(c);
  write_text(c.out, csv);
  if (g.json_output) {
    json j = summary;
    j["out"] = c.out;
    print_json(j);
  } else {
    std::printf("wrote %s: %s rows, %s scored, %s without a score (missing feature values)\n",
                c.out.c_str(), summary.at("rows").dump().c_str(),
                summary.at("scored").dump().c_str(),
                summary.at("unscored_missing_features").dump().c_str());
  }
  return exit_ok;
}

// ------------------------------------------------------------------ compress / demo
// The files of a compress or demo run directory that the manifest hashes
// (besides results.json): the changelog, the checkpoint heads and store, and
// the demo's predictions.
const std::vector<std::string> run_artifacts = {"changelog.jsonl", "heads", "predictions.csv",
                                                "store"};

void record_run_files(manifest& m, const std::string& dir, const std::string& results_text) {
  add_directory_artifacts(m, dir, run_artifacts);
  m.add_artifact("results.json",
                 std::as_bytes(std::span<const char>(results_text.data(), results_text.size())));
}

void write_run(const json& res, manifest& m, const std::string& dir, const global_options& g) {
  const std::string results_text = res.dump(2) + "\n";
  write_text(fs::path(dir) / "results.json", results_text);
  record_run_files(m, dir, results_text);
  stamp(m);
  // The report is rendered from the manifest, so its hash is recorded unhashed.
  const std::string html = fairgate::report::render_run(res, json::parse(m.to_json()));
  m.unhashed()["report_html_bytes"] = html.size();
  m.unhashed()["report_html_sha256"] = fairgate::io::sha256_hex(html);
  write_text(fs::path(dir) / "report.html", html);
  m.write(fs::path(dir) / "manifest.json");
  if (!g.quiet && !g.json_output)
    std::fprintf(stderr,
                 "fairgate: wrote %s/{manifest.json,results.json,report.html,changelog.jsonl,"
                 "heads/,store/}\n",
                 dir.c_str());
}

void make_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw fairgate::error(fairgate::errc::io_error,
                          dir + ": cannot create the directory (" + ec.message() + ")");
}

int cmd_compress(const compress_config& c, const global_options& g, const terminal& t) {
  make_dir(c.out);
  manifest m;
  const json res = run_compress(c, c.out, t, m);
  write_run(res, m, c.out, g);
  bool pass = true;
  for (const auto& x : res.at("targets")) pass = pass && x.at("pass").get<bool>();
  if (g.json_output)
    print_json(res);
  else
    print_compress_summary(res, c.out, t);
  // A target without any passing compressed state is a failed gate.
  return pass ? exit_ok : exit_failed;
}

int cmd_demo(const demo_config& c, const global_options& g, const terminal& t) {
  const auto start = std::chrono::steady_clock::now();
  make_dir(c.out);
  manifest m;
  const json res = run_demo(c, c.out, t, m);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.unhashed()["duration_seconds"] = seconds;
  write_run(res, m, c.out, g);
  if (g.json_output) {
    print_json(res);
  } else {
    std::printf("fairgate demo: UCI Adult, %s training rows, %s test rows, groups sex x race\n",
                res.at("split").at("train_rows").dump().c_str(),
                res.at("split").at("test_rows").dump().c_str());
    print_compress_summary(res, c.out, t);
    std::printf("manifest: %s (check it with: fairgate verify %s)\n",
                (fs::path(c.out) / "manifest.json").string().c_str(),
                (fs::path(c.out) / "manifest.json").string().c_str());
    std::printf("finished in %.1f s\n", seconds);
  }
  return exit_ok;
}

int cmd_check(check_config c, const global_options& g, const terminal& t) {
  json v = run_check(c);
  const std::string table = v.at("table").get<std::string>();
  v.erase("table");
  const bool pass = v.at("pass").get<bool>();
  if (g.json_output) {
    print_json(v);
  } else {
    std::cout << table;
    if (!table.empty() && table.back() != '\n') std::cout << "\n";
    std::cout << (pass ? t.paint(t.colour_stdout, "32", "gate: PASS")
                       : t.paint(t.colour_stdout, "31", "gate: FAIL"))
              << "\n";
  }
  return pass ? exit_ok : exit_failed;
}

// A scratch directory for a verify rerun (removed afterwards).
struct scratch_dir {
  std::string path;
  scratch_dir() {
    std::string tmpl = (fs::temp_directory_path() / "fairgate-verify-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw fairgate::error(fairgate::errc::io_error, "cannot create a scratch directory");
    path = tmpl;
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
};

// ------------------------------------------------------------------ verify
int cmd_verify(const std::string& path, const global_options& g, const terminal& t) {
  const manifest recorded = manifest::read(path);
  const json& cfg = recorded.computation().at("config");
  const std::string command = cfg.value("command", "");
  if (command != "audit" && command != "train" && command != "compress" && command != "demo") {
    throw fairgate::error(fairgate::errc::unsupported,
                          path + ": cannot rerun a '" + command +
                              "' run (this fairgate reruns audit, train, compress and demo)");
  }
  // Inputs first: a changed input is named even when the rerun cannot parse it.
  std::vector<std::string> changed;
  for (const auto& in : recorded.computation().at("inputs")) {
    if (!in.contains("path")) continue;
    const std::string p = in.at("path").get<std::string>();
    const std::string now = fairgate::io::sha256_file(p);  // missing file: io_error, exit 3
    if (now != in.at("sha256").get<std::string>()) {
      changed.push_back("input '" + in.at("role").get<std::string>() + "' (" + p +
                        ") changed: sha256 " + in.at("sha256").get<std::string>().substr(0, 12) +
                        "... -> " + now.substr(0, 12) + "...");
    }
  }
  manifest rerun;
  try {
    if (command == "audit") {
      (void)run_audit(audit_config_from_json(cfg), t, rerun);
      // The audit recorded results.json when it wrote a run directory.
      for (const auto& a : recorded.computation().at("artifacts")) {
        if (a.at("name") == "results.json") {
          const std::string text = rerun.results().dump(2) + "\n";
          rerun.add_artifact("results.json",
                             std::as_bytes(std::span<const char>(text.data(), text.size())));
        }
      }
    } else if (command == "train") {
      (void)run_train(train_config_from_json(cfg), t, rerun);
    } else {
      // compress / demo: rerun into a scratch directory, hash the same files.
      const scratch_dir dir;
      const json res = command == "demo"
                           ? run_demo(demo_config_from_json(cfg), dir.path, t, rerun)
                           : run_compress(compress_config_from_json(cfg), dir.path, t, rerun);
      record_run_files(rerun, dir.path, res.dump(2) + "\n");
    }
  } catch (const fairgate::error& e) {
    if (changed.empty()) throw;
    if (g.json_output) {
      print_json({{"identical", false},
                  {"differences", json::array()},
                  {"causes", changed},
                  {"rerun_error", e.what()}});
    } else {
      for (const auto& c : changed) std::cout << "cause: " << c << "\n";
      std::cout << "the rerun failed on the changed input: " << e.what() << "\n"
                << t.paint(t.colour_stdout, "31", "verify: DIFFERENT") << "\n";
    }
    return exit_failed;
  }
  const auto rep = fairgate::manifest::compare(recorded, rerun);
  const std::string text = rep.to_text();
  if (g.json_output) {
    json d = json::array();
    for (const auto& x : rep.differences)
      d.push_back({{"where", x.where}, {"recorded", x.recorded}, {"rerun", x.rerun}});
    print_json({{"identical", rep.identical},
                {"differences", d},
                {"causes", rep.causes},
                {"notes", rep.notes}});
  } else {
    std::cout << text;
    if (!text.empty() && text.back() != '\n') std::cout << "\n";
    std::cout << (rep.identical ? t.paint(t.colour_stdout, "32", "verify: identical")
                                : t.paint(t.colour_stdout, "31", "verify: DIFFERENT"))
              << "\n";
  }
  return rep.identical ? exit_ok : exit_failed;
}

// ------------------------------------------------------------------ report
int cmd_report(const std::string& run, std::string out, const global_options& g) {
  fs::path mp(run);
  if (fs::is_directory(mp)) mp /= "manifest.json";
  const manifest m = manifest::read(mp);
  const std::string html =
      fairgate::report::render_run(m.computation().at("results"), json::parse(m.to_json()));
  if (out.empty()) out = (mp.parent_path() / "report.html").string();
  write_text(out, html);
  if (g.json_output)
    print_json({{"report", out}, {"bytes", html.size()}});
  else
    std::printf("wrote %s\n", out.c_str());
  return exit_ok;
}

// The bundled Adult copy: FAIRGATE_DATA_DIR / the install / the source tree
// (io::data_dir), else the source tree this binary was built from.
std::string default_adult_dir() {
  try {
    return (fairgate::io::data_dir() / "adult").string();
  } catch (const fairgate::error&) {
    return FAIRGATE_DEMO_DATA_DIR;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "fairgate: check that fairness constraints hold for a model's predictions.\n"
      "Exit codes: 0 ok, 1 verification failed, 2 usage error, 3 bad input (docs/cli.md)."};
  app.name("fairgate");
  app.set_version_flag("--version", version_text());
  app.require_subcommand(1);
  app.fallthrough();
  global_options g;
  app.add_flag("--json", g.json_output, "Machine-readable JSON on stdout");
  app.add_flag("-q,--quiet", g.quiet, "No progress bar or notes on stderr");

  // audit
  audit_config ac;
  std::string audit_out, groups_arg;
  auto* audit = app.add_subcommand(
      "audit", "Per-group metrics, overall metrics and disparities of a predictions CSV");
  audit->add_option("predictions", ac.input, "CSV with a header row")->required();
  audit->add_option("--label", ac.label, "Column with the true label")->required();
  auto* o_pred = audit->add_option("--pred", ac.pred,
                                   "Column with the hard prediction (same classes as the label)");
  auto* o_score = audit->add_option("--score", ac.score,
                                    "Column with a score; prediction = score >= --threshold");
  o_pred->excludes(o_score);
  auto* o_thr =
      audit->add_option("--threshold", ac.threshold, "Threshold for --score (default 0.5)");
  o_thr->needs(o_score);
  audit
      ->add_option("--group", ac.groups,
                   "Sensitive column(s), comma-separated; several = intersectional groups")
      ->required()
      ->delimiter(',');
  audit->add_option("--weight", ac.weight, "Column with non-negative sample weights");
  audit->add_option("--positive", ac.positive,
                    "The label value that counts as positive (others are negative)");
  audit->add_option("--reference", ac.reference,
                    "The privileged group for AIF360-style disparities");
  audit->add_option("--bootstrap", ac.bootstrap, "Bootstrap replicates for intervals (0 = none)");
  audit->add_option("--seed", ac.seed, "Root seed of the bootstrap (default 0)");
  audit->add_option("--confidence", ac.confidence, "Interval confidence (default 0.95)")
      ->check(CLI::Range(0.5, 0.999999));
  audit->add_option("--min-support", ac.min_support, "Flag groups with fewer rows than this");
  audit->add_option("--bins", ac.calibration_bins, "Calibration bins (default 10)")
      ->check(CLI::Range(1, 1000));
  audit->add_option("--out", audit_out,
                    "Run directory: writes results.json, manifest.json and report.html");

  // train
  train_config tc;
  std::string train_manifest;
  auto* train = app.add_subcommand(
      "train", "Fit the reference model (logistic regression or a small MLP) on a CSV");
  train->add_option("data", tc.input, "CSV with a header row")->required();
  train->add_option("--label", tc.label, "Column with the label")->required();
  train->add_option("--positive", tc.positive, "The label value that counts as positive");
  train->add_option("--categorical", tc.categorical, "One-hot encoded columns, comma-separated")
      ->delimiter(',');
  train->add_option("--numeric", tc.numeric, "Standardised numeric columns, comma-separated")
      ->delimiter(',');
  train->add_option("--sensitive", tc.sensitive, "Sensitive column for the fairness penalty");
  train
      ->add_option("--penalty", tc.penalty,
                   "Fairness penalty: none, dp (demographic parity), eo (equalized odds)")
      ->check(CLI::IsMember({"none", "dp", "eo"}));
  train->add_option("--lambda", tc.lambda, "Weight of the fairness penalty (default 1)");
  train
      ->add_option("--hidden", tc.hidden,
                   "Hidden layer sizes, comma-separated (default none: logistic regression)")
      ->delimiter(',');
  train->add_option("--epochs", tc.epochs, "Training epochs (default 10)")
      ->check(CLI::Range(1, 100000));
  train->add_option("--batch-size", tc.batch_size, "Mini-batch size (default 256)")
      ->check(CLI::Range(1, 1 << 24));
  train->add_option("--learning-rate", tc.learning_rate, "Adam learning rate (default 0.005)");
  train->add_option("--l2", tc.l2, "Weight decay on weights (default 1e-5)");
  train->add_option("--seed", tc.seed,
                    "Seed of the initial weights and the batch order (default 0)");
  train->add_option("--out", tc.out, "Model file to write (JSON)")->required();
  train->add_option("--manifest", train_manifest,
                    "Manifest path (default: <model stem>.manifest.json beside the model)");

  // predict
  predict_config pc;
  auto* predict = app.add_subcommand(
      "predict", "Score a CSV with a saved model; writes the CSV plus score and pred columns");
  predict->add_option("model", pc.model, "Model file from fairgate train")->required();
  predict->add_option("data", pc.input, "CSV with the model's feature columns")->required();
  predict->add_option("--out", pc.out, "Output CSV")->required();
  predict->add_option("--threshold", pc.threshold, "pred = score >= threshold (default 0.5)");
  predict->add_option("--score-column", pc.score_column,
                      "Name of the score column (default score)");
  predict->add_option("--pred-column", pc.pred_column,
                      "Name of the prediction column (default pred)");

  // verify
  std::string verify_path;
  auto* verify = app.add_subcommand(
      "verify", "Rerun a recorded audit or training run and compare with its manifest");
  verify->add_option("manifest", verify_path, "manifest.json of the run")->required();

  // report
  std::string report_run, report_out;
  auto* report = app.add_subcommand(
      "report", "Render report.html from a run directory (or its manifest.json)");
  report->add_option("run", report_run, "Run directory or manifest file")->required();
  report->add_option("--out", report_out,
                     "Output file (default: report.html in the run directory)");

  // compress
  compress_config cc;
  auto* compress = app.add_subcommand(
      "compress",
      "Run the constraint-aware compression controller on a saved model against a policy");
  compress->add_option("model", cc.model, "Model file from fairgate train")->required();
  compress->add_option("--policy", cc.policy, "Policy file (TOML, docs/policy.md)")->required();
  compress->add_option("--target", cc.targets, "Target(s) of the policy (default: all)")
      ->delimiter(',');
  compress
      ->add_option("--data", cc.data, "CSV of evaluation rows (features, label, sensitive columns)")
      ->required();
  compress->add_option("--label", cc.label, "Label column (default: the model's)");
  compress->add_option("--positive", cc.positive, "Positive label value (default: the model's)");
  compress->add_option("--threshold", cc.threshold,
                       "pred = sigmoid(logit) >= threshold (default 0.5)");
  compress
      ->add_option("--sparsity", cc.sparsities,
                   "Prune steps, comma-separated (default 0.1,0.2,...,0.9,0.95)")
      ->delimiter(',');
  bool no_remedies = false;
  compress->add_flag("--no-remedies", no_remedies,
                     "Plain gate-and-rollback: no bisect, restore or revert remedies");
  compress->add_option("--out", cc.out, "Run directory (default fairgate-compress)");

  // demo
  demo_config dc;
  dc.policy = FAIRGATE_DEMO_POLICY;
  auto* demo = app.add_subcommand(
      "demo",
      "The main job on bundled UCI Adult: split, train, audit, mitigate, compress for two "
      "targets under policy gates, write fairgate-out/");
  demo->add_option("--out", dc.out, "Output directory (default fairgate-out)");
  demo->add_option("--data", dc.data,
                   "Directory with adult.data and adult.test (default: the bundled copy)");
  demo->add_option("--seed", dc.seed, "Root seed of the split, training and bootstrap");
  demo->add_option("--policy", dc.policy, "Policy with targets server and device");
  demo->add_option("--bootstrap", dc.bootstrap, "Audit bootstrap replicates (default 200)")
      ->check(CLI::Range(0, 100000));

  // check
  check_config kc;
  std::optional<std::uint64_t> check_seed;
  auto* check = app.add_subcommand(
      "check", "Gate a candidate model's predictions against a baseline's under a policy target");
  check->add_option("--policy", kc.policy, "Policy file (TOML)")->required();
  check->add_option("--target", kc.target, "Target of the policy")->required();
  check->add_option("--baseline", kc.baseline, "CSV of the baseline model's predictions")
      ->required();
  check
      ->add_option("--candidate", kc.candidate,
                   "CSV of the candidate's predictions (the same rows in the same order)")
      ->required();
  check->add_option("--label", kc.label, "Label column (in both files)")->required();
  auto* k_score = check->add_option("--score", kc.score, "Score column (in both files)");
  auto* k_pred = check->add_option("--pred", kc.pred, "Hard prediction column (in both files)");
  k_score->excludes(k_pred);
  check
      ->add_option("--group", kc.groups,
                   "Sensitive column(s), comma-separated, as the target's sensitive_features")
      ->required()
      ->delimiter(',');
  check->add_option("--weight", kc.weight, "Sample weight column (point evidence only)");
  check->add_option("--positive", kc.positive, "The label value that counts as positive");
  check->add_option("--threshold", kc.threshold, "pred = score >= threshold (default 0.5)")
      ->needs(k_score);
  check->add_option("--seed", check_seed, "Seed of the gate's bootstrap (default: the policy's)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);
    return exit_usage;
  }

  const terminal t = terminal::detect(g.quiet);
  try {
    if (*audit) {
      if (ac.pred.empty() == ac.score.empty())
        throw usage_error("audit: give exactly one of --pred COL and --score COL");
      return cmd_audit(ac, audit_out, g, t);
    }
    if (*train) {
      if (tc.penalty != "none" && tc.sensitive.empty())
        throw usage_error("train: --penalty dp|eo needs --sensitive COL");
      return cmd_train(tc, train_manifest, g, t);
    }
    if (*predict) return cmd_predict(pc, g);
    if (*compress) {
      cc.remedies = !no_remedies;
      return cmd_compress(cc, g, t);
    }
    if (*demo) {
      if (dc.data.empty()) dc.data = default_adult_dir();
      return cmd_demo(dc, g, t);
    }
    if (*check) {
      if (kc.score.empty() == kc.pred.empty())
        throw usage_error("check: give exactly one of --score COL and --pred COL");
      kc.seed = check_seed;
      return cmd_check(kc, g, t);
    }
    if (*verify) return cmd_verify(verify_path, g, t);
    if (*report) return cmd_report(report_run, report_out, g);
  } catch (const usage_error& e) {
    std::fprintf(stderr, "fairgate: usage error: %s\nRun with --help for more information.\n",
                 e.what());
    return exit_usage;
  } catch (const fairgate::error& e) {
    std::fprintf(stderr, "%s\n", t.paint(t.colour_stderr, "31", format_error(e.what())).c_str());
    return exit_bad_input;
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "%s\n",
                 format_error(std::string("malformed JSON document: ") + e.what()).c_str());
    return exit_bad_input;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fairgate: error: %s\n", e.what());
    return exit_bad_input;
  }
  return exit_usage;
}
