// fg_metrics_dump: runs fairgate's metric accumulation on arrays written by a
// Python test and prints the results as JSON, for differential tests.
//
// Usage: fg_metrics_dump <dir>
// <dir>/meta.txt holds "key value" lines:
//   mode binary|regression      n <rows>     n_groups <G>     threads <T>
//   y <u8|i32|i64|f32|f64>      g <u8|u16|u32>
//   pred scores|labels          p <dtype>    threshold <t>    w none|f32|f64
// and <dir>/{y,p,g,w}.bin the raw little-endian arrays.
// Output: {"groups": [{"counts": [tp,fp,tn,fn], "wcells": [...], "rates": {...},
//          "wrates": {...}, "reg": {...}}, ...]}; rates in sklearn compat mode
// (zero_division = 0), doubles printed with 17 significant digits.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/rates.hpp>

namespace fm = fairgate::metrics;

namespace {

std::vector<char> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

template <class T>
std::span<const T> as(const std::vector<char>& b) {
  return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
}

fm::label_view labels(const std::vector<char>& b, const std::string& t) {
  if (t == "u8") return as<std::uint8_t>(b);
  if (t == "i32") return as<std::int32_t>(b);
  if (t == "i64") return as<std::int64_t>(b);
  throw std::runtime_error("bad label dtype " + t);
}
fm::code_view codes(const std::vector<char>& b, const std::string& t) {
  if (t == "u8") return as<std::uint8_t>(b);
  if (t == "u16") return as<std::uint16_t>(b);
  if (t == "u32") return as<std::uint32_t>(b);
  throw std::runtime_error("bad code dtype " + t);
}
fm::real_view reals(const std::vector<char>& b, const std::string& t) {
  if (t == "f32") return as<float>(b);
  if (t == "f64") return as<double>(b);
  throw std::runtime_error("bad real dtype " + t);
}

std::string num(double v) {
  if (v != v) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fg_metrics_dump <dir>\n";
    return 2;
  }
  try {
    const std::string dir = argv[1];
    std::map<std::string, std::string> meta;
    {
      std::ifstream f(dir + "/meta.txt");
      std::string k, v;
      while (f >> k >> v) meta[k] = v;
    }
    const auto G = static_cast<std::uint32_t>(std::stoul(meta.at("n_groups")));
    const auto T = static_cast<unsigned>(std::stoul(meta.at("threads")));
    const auto yb = read_file(dir + "/y.bin");
    const auto pb = read_file(dir + "/p.bin");
    const auto gb = read_file(dir + "/g.bin");
    std::vector<char> wb;
    std::optional<fm::real_view> w;
    if (meta.at("w") != "none") {
      wb = read_file(dir + "/w.bin");
      w = reals(wb, meta.at("w"));
    }
    fm::group_accumulator acc(G);
    const bool regression = meta.at("mode") == "regression";
    if (regression) {
      fm::regression_inputs in{reals(yb, meta.at("y")), reals(pb, meta.at("p")),
                               codes(gb, meta.at("g")), G, w};
      fm::accumulate(acc, in, {.threads = T});
    } else {
      const auto pred = meta.at("pred") == "scores"
                            ? fm::prediction_view::scores(reals(pb, meta.at("p")),
                                                          std::stod(meta.at("threshold")))
                            : fm::prediction_view::hard(labels(pb, meta.at("p")));
      fm::binary_inputs in{labels(yb, meta.at("y")), pred, codes(gb, meta.at("g")), G, w};
      fm::accumulate(acc, in, {.threads = T});
    }
    const fm::metric rates[] = {fm::metric::selection_rate,
                                fm::metric::base_rate,
                                fm::metric::accuracy,
                                fm::metric::error_rate,
                                fm::metric::balanced_accuracy,
                                fm::metric::true_positive_rate,
                                fm::metric::false_positive_rate,
                                fm::metric::true_negative_rate,
                                fm::metric::false_negative_rate,
                                fm::metric::precision,
                                fm::metric::npv,
                                fm::metric::fdr,
                                fm::metric::false_omission_rate,
                                fm::metric::f1};
    const fm::metric regs[] = {fm::metric::mean_prediction, fm::metric::mae, fm::metric::mse,
                               fm::metric::rmse};
    std::ostringstream out;
    out << "{\"groups\": [";
    for (std::uint32_t g = 0; g < G; ++g) {
      if (g) out << ", ";
      const auto c = acc.counts(g);
      const auto wc = acc.weights(g);
      out << "{\"counts\": [" << c.tp << ", " << c.fp << ", " << c.tn << ", " << c.fn << "], ";
      out << "\"wcells\": [" << num(wc.tp) << ", " << num(wc.fp) << ", " << num(wc.tn) << ", "
          << num(wc.fn) << "], \"total_weight\": " << num(acc.total_weight(g));
      for (int weighted = 0; weighted < 2; ++weighted) {
        out << (weighted ? ", \"wrates\": {" : ", \"rates\": {");
        bool first = true;
        for (auto m : (regression ? std::span<const fm::metric>(regs)
                                  : std::span<const fm::metric>(rates))) {
          const auto r = fm::compute(m, acc, g, weighted != 0, fm::zero_division::zero);
          out << (first ? "" : ", ") << "\"" << fm::metric_name(m) << "\": " << num(r.value);
          first = false;
        }
        out << "}";
      }
      if (regression) {
        const auto r = acc.regression(g);
        out << ", \"reg\": {\"count\": " << r.count << ", \"weight\": " << num(r.weight.value())
            << ", \"sum_pred\": " << num(r.sum_pred.value())
            << ", \"wsum_sq_err\": " << num(r.wsum_sq_err.value()) << "}";
      }
      out << "}";
    }
    out << "]";
    if (!regression) {
      // Disparities with fairgate's defaults (undefined groups skipped), weighted
      // when weights were given; AIF360 split: group 0 vs all others.
      const bool weighted = w.has_value();
      using fm::aggregation;
      using fm::eo_aggregation;
      const fm::disparity_options bg{.weighted = weighted};
      const fm::disparity_options to{.weighted = weighted, .method = aggregation::to_overall};
      const fm::disparity_options bg_mean{.weighted = weighted, .agg = eo_aggregation::mean};
      const fm::disparity_options to_mean{
          .weighted = weighted, .method = aggregation::to_overall, .agg = eo_aggregation::mean};
      auto put = [&](const char* name, const fm::aggregate_value& v, bool first = false) {
        out << (first ? "" : ", ") << "\"" << name << "\": " << num(v.value);
      };
      out << ", \"disparities\": {";
      put("dp_diff", fm::demographic_parity_difference(acc, bg), true);
      put("dp_ratio", fm::demographic_parity_ratio(acc, bg));
      put("dp_diff_overall", fm::demographic_parity_difference(acc, to));
      put("dp_ratio_overall", fm::demographic_parity_ratio(acc, to));
      put("eop_diff", fm::equal_opportunity_difference(acc, bg));
      put("eop_ratio", fm::equal_opportunity_ratio(acc, bg));
      put("eo_diff", fm::equalized_odds_difference(acc, bg));
      put("eo_diff_mean", fm::equalized_odds_difference(acc, bg_mean));
      put("eo_ratio", fm::equalized_odds_ratio(acc, bg));
      put("eo_ratio_mean", fm::equalized_odds_ratio(acc, bg_mean));
      put("eo_diff_overall", fm::equalized_odds_difference(acc, to));
      put("eo_ratio_overall_mean", fm::equalized_odds_ratio(acc, to_mean));
      if (G >= 2) {
        std::vector<std::uint32_t> rest;
        for (std::uint32_t g = 1; g < G; ++g) rest.push_back(g);
        const fm::group_split split{{0}, rest};
        const fm::comparison_options co{.weighted = weighted};
        put("spd", fm::statistical_parity_difference(acc, split, co));
        put("di", fm::disparate_impact(acc, split, co));
        put("aod", fm::average_odds_difference(acc, split, co));
        put("aaod", fm::average_abs_odds_difference(acc, split, co));
        put("eod", fm::aif360_equal_opportunity_difference(acc, split, co));
        put("err_ratio", fm::error_rate_ratio(acc, split, co));
        put("apvd", fm::average_predictive_value_difference(acc, split, co));
      }
      out << "}";
    }
    out << "}\n";
    std::cout << out.str();
  } catch (const std::exception& e) {
    std::cerr << "fg_metrics_dump: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
