// `fairgate check`: the fairness gate on two prediction CSVs (baseline and
// candidate model, the same rows in the same order) for one policy target.
#include <cmath>

#include <fairgate/error.hpp>
#include <fairgate/gate/gate.hpp>
#include <fairgate/io/csv.hpp>
#include <fairgate/io/file.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/policy/parse.hpp>

#include "cli.hpp"

namespace fairgate_cli {

namespace fio = fairgate::io;
namespace fm = fairgate::metrics;
namespace fg = fairgate::gate;
using fairgate::errc;

namespace {

struct side {
  fio::csv_table table;
  std::vector<std::uint8_t> y;
  std::vector<double> scores;
  std::vector<std::uint8_t> pred;
  std::vector<double> weights;
};

}  // namespace

json run_check(const check_config& c) {
  require(c.score.empty() != c.pred.empty(), errc::invalid_argument,
          "give exactly one of --score and --pred");
  require(!c.groups.empty(), errc::invalid_argument, "--group needs at least one column");
  const fairgate::policy::policy policy =
      fairgate::policy::parse_policy_string(fio::read_text_file(c.policy), c.policy);

  std::vector<std::string> used{c.label, c.score.empty() ? c.pred : c.score};
  for (const auto& g : c.groups) used.push_back(g);
  if (!c.weight.empty()) used.push_back(c.weight);

  // Rows with a missing value in either file are dropped from both (so that
  // the two models are judged on the same rows).
  fio::csv_table raw[2] = {fio::read_csv(c.baseline), fio::read_csv(c.candidate)};
  const std::string* path[2] = {&c.baseline, &c.candidate};
  for (int k = 0; k < 2; ++k) {
    require(raw[k].rows() > 0, errc::empty_input,
            [&] { return *path[k] + ": no data rows after the header"; });
    for (const auto& u : used) (void)raw[k].column_index(u);
  }
  require(raw[0].rows() == raw[1].rows(), errc::length_mismatch, [&] {
    return c.candidate + ": " + std::to_string(raw[1].rows()) + " rows, but " + c.baseline +
           " has " + std::to_string(raw[0].rows()) + ": the two files must hold the same rows";
  });
  std::vector<std::size_t> keep;
  for (std::size_t r = 0; r < raw[0].rows(); ++r) {
    bool ok = true;
    for (int k = 0; k < 2 && ok; ++k)
      for (const auto& u : used) ok = ok && !raw[k].missing(r, raw[k].column_index(u));
    if (ok) keep.push_back(r);
  }
  require(!keep.empty(), errc::empty_input,
          "every row has a missing label, prediction, group or weight");
  side s[2] = {{raw[0].select_rows(keep), {}, {}, {}, {}},
               {raw[1].select_rows(keep), {}, {}, {}, {}}};
  label_mapper lm(c.positive);
  lm.fit(s[0].table.categorical(c.label).categories,
         c.baseline + ": label column '" + c.label + "'");
  for (int k = 0; k < 2; ++k) {
    auto& t = s[k].table;
    const std::size_t lc = t.column_index(c.label);
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto v = lm.map(t.cell(r, lc));
      require(v.has_value(), errc::invalid_value, [&] {
        return t.where(r, lc) + ": label '" + std::string(t.cell(r, lc)) +
               "' is not one of the baseline's label classes";
      });
      s[k].y.push_back(*v);
    }
    if (!c.score.empty()) {
      s[k].scores = t.numeric(c.score);  // non-numeric: parse_error naming file, line, column
    } else {
      const std::size_t pc = t.column_index(c.pred);
      for (std::size_t r = 0; r < t.rows(); ++r) {
        const auto v = lm.map(t.cell(r, pc));
        require(v.has_value(), errc::invalid_value, [&] {
          return t.where(r, pc) + ": prediction '" + std::string(t.cell(r, pc)) +
                 "' is not one of the label's classes";
        });
        s[k].pred.push_back(*v);
      }
    }
    if (!c.weight.empty()) s[k].weights = t.numeric(c.weight);
  }
  // The candidate file must describe the same rows: labels and groups agree.
  for (std::size_t r = 0; r < s[0].y.size(); ++r) {
    require(s[0].y[r] == s[1].y[r], errc::invalid_value, [&] {
      return s[1].table.where(r, s[1].table.column_index(c.label)) +
             ": the label differs from the baseline's row: the two files must hold the same rows";
    });
    for (const auto& g : c.groups) {
      const std::size_t a = s[0].table.column_index(g), b = s[1].table.column_index(g);
      require(s[0].table.cell(r, a) == s[1].table.cell(r, b), errc::invalid_value, [&] {
        return s[1].table.where(r, b) + ": group value '" + std::string(s[1].table.cell(r, b)) +
               "' differs from the baseline's '" + std::string(s[0].table.cell(r, a)) + "'";
      });
    }
  }

  std::vector<fm::sensitive_feature> sf;
  std::vector<std::vector<std::uint32_t>> codes;
  for (const auto& g : c.groups) {
    auto col = s[0].table.categorical(g);
    sf.push_back({g, col.categories});
    codes.push_back(std::move(col.codes));
  }
  const fm::group_encoder enc(sf);
  const std::size_t n = s[0].y.size();
  std::vector<std::uint32_t> gcodes(n), cats(c.groups.size());
  std::vector<std::uint64_t> count(enc.n_groups(), 0);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t f = 0; f < c.groups.size(); ++f) cats[f] = codes[f][r];
    gcodes[r] = enc.encode(std::span<const std::uint32_t>(cats));
    ++count[gcodes[r]];
  }
  std::size_t nonempty = 0;
  for (auto k : count) nonempty += k > 0 ? 1 : 0;
  require(nonempty >= 2, errc::invalid_argument, [&] {
    return c.baseline + ": all " + std::to_string(n) + " rows are in one group of " +
           enc.feature_label() + ": a fairness gate needs at least two groups";
  });
  require(std::isfinite(c.threshold), errc::invalid_argument, "--threshold must be finite");

  fg::gate_inputs in;
  in.labels = fm::label_view(s[0].y);
  if (!c.score.empty()) {
    in.baseline = fm::prediction_view::scores(fm::real_view(s[0].scores), c.threshold);
    in.candidate = fm::prediction_view::scores(fm::real_view(s[1].scores), c.threshold);
  } else {
    in.baseline = fm::prediction_view::hard(fm::label_view(s[0].pred));
    in.candidate = fm::prediction_view::hard(fm::label_view(s[1].pred));
  }
  in.groups = fm::code_view(gcodes);
  in.group_names = enc.names();
  in.sensitive_features = c.groups;
  if (!c.weight.empty()) in.weights = fm::real_view(s[0].weights);
  in.seed = c.seed;
  const fg::verdict v = fg::evaluate(policy, c.target, in);
  json out = json::parse(v.to_json(2));
  out["table"] = v.to_table();
  return out;
}

}  // namespace fairgate_cli
