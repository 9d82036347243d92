// src/cli/cli.hpp: the pieces of the `fairgate` command-line tool shared by its subcommands.
//
// Each subcommand is a plain function from a config struct to JSON results,
// so `fairgate verify` can rerun exactly what a manifest's "config" records
// (config_from_json(manifest.config) -> run -> compare). Printing and file
// writing happen in the command handlers, not in the run functions.
// Exit codes (docs/cli.md): 0 ok, 1 a gate or verification failed, 2 usage
// error, 3 bad input.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/io/encoder.hpp>
#include <fairgate/manifest/manifest.hpp>
#include <fairgate/train/feedforward.hpp>

namespace fairgate_cli {

using json = nlohmann::json;

enum exit_code : int { exit_ok = 0, exit_failed = 1, exit_usage = 2, exit_bad_input = 3 };

// A usage error found after parsing (a flag combination CLI11 cannot express).
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Terminal behaviour: colour only on a TTY and never with NO_COLOR set
// (https://no-color.org); progress only on a TTY stderr and without --quiet.
struct terminal {
  bool colour_stdout = false;
  bool colour_stderr = false;
  bool progress = false;
  static terminal detect(bool quiet);
  [[nodiscard]] std::string paint(bool on, const char* sgr, const std::string& text) const;
};

// A one-line progress bar on stderr, shown only once the step has taken
// longer than ~1 s, redrawn at most 10 times a second, erased when done.
class progress_bar {
 public:
  progress_bar(const terminal& t, std::string label, std::uint64_t total);
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  void update(std::uint64_t done);
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point start_, last_;
};

// "fairgate: error: FILE:LINE:COL: message" when the message carries a
// location ("FILE: line L, column C ('name'): ..."), else "fairgate: error: message".
[[nodiscard]] std::string format_error(const std::string& message);

// JSON number for a metric value: null when undefined or not finite.
[[nodiscard]] json jnum(double v, bool undefined = false);

// ----------------------------------------------------------------- audit
struct audit_config {
  std::string input;
  std::string label;
  std::string pred;  // exactly one of pred / score
  std::string score;
  double threshold = 0.5;
  std::vector<std::string> groups;
  std::string weight;
  std::optional<std::string> positive;
  std::optional<std::string> reference;
  std::uint32_t bootstrap = 0;  // replicates; 0 = none
  std::uint64_t seed = 0;
  double confidence = 0.95;
  std::uint64_t min_support = 0;
  std::uint32_t calibration_bins = 10;
};
[[nodiscard]] json to_json(const audit_config& c);
[[nodiscard]] audit_config audit_config_from_json(const json& j);
// Runs the audit; records inputs, tables, seed, streams, config and results in `m`.
[[nodiscard]] json run_audit(const audit_config& c, const terminal& t,
                             fairgate::manifest::manifest& m);
void print_audit_table(const json& results, const terminal& t);

// ----------------------------------------------------------------- train / predict
struct train_config {
  std::string input;
  std::string label;
  std::optional<std::string> positive;
  std::vector<std::string> categorical;
  std::vector<std::string> numeric;
  std::string sensitive;
  std::string penalty = "none";  // none | dp | eo
  double lambda = 1.0;
  std::vector<std::size_t> hidden;
  std::size_t epochs = 10;
  std::size_t batch_size = 256;
  double learning_rate = 0.005;
  double l2 = 1e-5;
  std::uint64_t seed = 0;
  std::string out;
};
[[nodiscard]] json to_json(const train_config& c);
[[nodiscard]] train_config train_config_from_json(const json& j);
struct train_output {
  std::string model_text;  // the model document (docs/cli.md, "Model file")
  json results;
};
[[nodiscard]] train_output run_train(const train_config& c, const terminal& t,
                                     fairgate::manifest::manifest& m);

struct predict_config {
  std::string model;
  std::string input;
  std::string out;
  std::string score_column = "score";
  std::string pred_column = "pred";
  double threshold = 0.5;
};
// Returns the output CSV text and a short summary.
[[nodiscard]] std::pair<std::string, json> run_predict(const predict_config& c);

// A model file written by `fairgate train` (docs/cli.md, "Model file").
struct loaded_model {
  fairgate::train::feedforward model;
  fairgate::io::feature_encoder encoder;
  std::string label;
  std::optional<std::string> positive;
};
// Errors name the file: parse_error (not JSON, not a model, wrong shapes),
// unsupported (a newer format version), io_error (missing file).
[[nodiscard]] loaded_model load_model(const std::string& path);

// ----------------------------------------------------------------- compress / demo / check
struct compress_config {
  std::string model;
  std::string policy;
  std::vector<std::string> targets;  // empty: every target of the policy
  std::string data;
  std::string label;                    // empty: the model's label
  std::optional<std::string> positive;  // unset: the model's
  double threshold = 0.5;               // on sigmoid(logit)
  std::vector<double> sparsities;       // empty: 0.1 ... 0.9, 0.95
  bool remedies = true;
  std::string out = "fairgate-compress";
};
[[nodiscard]] json to_json(const compress_config& c);
[[nodiscard]] compress_config compress_config_from_json(const json& j);
// Runs the controller into `dir` (checkpoints/, changelog); records inputs,
// policy, streams, config, results and artifact hashes in `m`. `dir` is
// separate from c.out so that verify can rerun into a scratch directory.
[[nodiscard]] json run_compress(const compress_config& c, const std::string& dir, const terminal& t,
                                fairgate::manifest::manifest& m);

struct demo_config {
  std::string data;    // directory with adult.data and adult.test
  std::string policy;  // the two-target policy (server, device)
  std::uint64_t seed = 20261123;
  std::uint32_t bootstrap = 200;
  std::string out = "fairgate-out";
};
[[nodiscard]] json to_json(const demo_config& c);
[[nodiscard]] demo_config demo_config_from_json(const json& j);
[[nodiscard]] json run_demo(const demo_config& c, const std::string& dir, const terminal& t,
                            fairgate::manifest::manifest& m);
void print_compress_summary(const json& results, const std::string& out_dir, const terminal& t);

// Records the files `include` (names relative to `dir`; a directory means
// every file under it) as artifacts of `m`, sorted by name, '/' separators.
void add_directory_artifacts(fairgate::manifest::manifest& m, const std::string& dir,
                             const std::vector<std::string>& include);

struct check_config {
  std::string policy;
  std::string target;
  std::string baseline;   // CSV of the baseline model's predictions
  std::string candidate;  // CSV of the candidate's predictions: the same rows in the same order
  std::string label;
  std::string score;  // exactly one of score / pred, read from both files
  std::string pred;
  std::vector<std::string> groups;
  std::string weight;
  std::optional<std::string> positive;
  double threshold = 0.5;
  std::optional<std::uint64_t> seed;
};
// The gate verdict as JSON (gate::verdict::to_json, parsed).
[[nodiscard]] json run_check(const check_config& c);

// The label binarisation shared by audit and train: {0,1}, {-1,1} or
// {false,true} (any case) map naturally; otherwise --positive names the
// positive value (compared numerically when both parse as numbers).
class label_mapper {
 public:
  explicit label_mapper(std::optional<std::string> positive) : positive_(std::move(positive)) {}
  // Checks the distinct values of a label column (sorted) and fixes the mapping.
  void fit(const std::vector<std::string>& distinct, const std::string& where_column);
  // 0/1 for one cell; nullopt when the text is not one of the two classes.
  [[nodiscard]] std::optional<std::uint8_t> map(std::string_view text) const;
  [[nodiscard]] const std::optional<std::string>& positive() const noexcept { return positive_; }

 private:
  std::optional<std::string> positive_;
};

}  // namespace fairgate_cli
