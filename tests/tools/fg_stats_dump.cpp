// fg_stats_dump: evaluates fairgate's special functions, intervals, tests,
// quantiles and samplers for tests/uncertainty/scipy_differential.py.
//
// Reads one command per line on stdin and writes one result line per command
// on stdout, numbers printed with %.17g (round-trip exact):
//   norm_cdf x | norm_sf x | norm_ppf p | erfc x | gammaln x | logfact n
//   wilson x n confidence cc(0|1)            -> lower upper
//   wilson_w success_w total_w total_w2 conf -> lower upper
//   ztest x1 n1 x2 n2 alt(two|less|greater)  -> z p (nan when undefined)
//   fisher a b c d alt                       -> odds_ratio p
//   mcnemar b c                              -> p
//   holm|bh alpha k p_1 .. p_k               -> adjusted_1..k reject_1..k
//   quantile q k v_1 .. v_k                  -> value
//   binom seed n p count                     -> count draws
//   multinom seed n k w_1..w_k count         -> count lines of k counts, flattened
//   boot seed B poisson|stratified conf k (tp fp tn fn) x k
//        metric = TPR(group 0) - TPR(group 1) (TPR(group 0) when k = 1)
//                                            -> lower upper n_undefined value_1..B
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fairgate/math/special.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/uncertainty/binomial_sampler.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/mcnemar.hpp>
#include <fairgate/uncertainty/multiple_comparisons.hpp>
#include <fairgate/uncertainty/percentile.hpp>
#include <fairgate/uncertainty/proportion_tests.hpp>
#include <fairgate/uncertainty/wilson.hpp>

namespace u = fairgate::uncertainty;
namespace m = fairgate::math;

namespace {

void put(double v) {
  std::printf("%.17g ", v);
}

u::alternative parse_alt(const std::string& s) {
  if (s == "less") return u::alternative::less;
  if (s == "greater") return u::alternative::greater;
  return u::alternative::two_sided;
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd.empty()) continue;
    if (cmd == "norm_cdf" || cmd == "norm_sf" || cmd == "norm_ppf" || cmd == "erfc" ||
        cmd == "gammaln") {
      double x = 0;
      in >> x;
      if (cmd == "norm_cdf") put(m::normal_cdf(x));
      if (cmd == "norm_sf") put(m::normal_sf(x));
      if (cmd == "norm_ppf") put(m::normal_quantile(x));
      if (cmd == "erfc") put(m::erfc(x));
      if (cmd == "gammaln") put(m::log_gamma(x));
    } else if (cmd == "logfact") {
      std::uint64_t n = 0;
      in >> n;
      put(m::log_factorial(n));
    } else if (cmd == "wilson") {
      std::uint64_t x = 0, n = 0;
      double conf = 0;
      int cc = 0;
      in >> x >> n >> conf >> cc;
      u::wilson_options o;
      o.confidence = conf;
      o.continuity_correction = cc != 0;
      const auto r = u::wilson_interval(x, n, o);
      put(r.lower);
      put(r.upper);
    } else if (cmd == "wilson_w") {
      double sw = 0, tw = 0, tw2 = 0, conf = 0;
      in >> sw >> tw >> tw2 >> conf;
      u::wilson_options o;
      o.confidence = conf;
      const auto r = u::wilson_interval_weighted(sw, tw, tw2, o);
      put(r.lower);
      put(r.upper);
    } else if (cmd == "ztest") {
      std::uint64_t x1 = 0, n1 = 0, x2 = 0, n2 = 0;
      std::string alt;
      in >> x1 >> n1 >> x2 >> n2 >> alt;
      const auto r = u::two_proportion_z_test(x1, n1, x2, n2, parse_alt(alt));
      put(r.z);
      put(r.p_value);
    } else if (cmd == "fisher") {
      std::uint64_t a = 0, b = 0, c = 0, d = 0;
      std::string alt;
      in >> a >> b >> c >> d >> alt;
      const auto r = u::fisher_exact(a, b, c, d, parse_alt(alt));
      put(r.odds_ratio);
      put(r.p_value);
    } else if (cmd == "mcnemar") {
      std::uint64_t b = 0, c = 0;
      in >> b >> c;
      put(u::mcnemar_exact(b, c).p_value);
    } else if (cmd == "holm" || cmd == "bh") {
      double alpha = 0;
      std::size_t k = 0;
      in >> alpha >> k;
      std::vector<double> p(k);
      for (auto& v : p) in >> v;
      const auto r = u::adjust(
          p, cmd == "holm" ? u::adjustment::holm : u::adjustment::benjamini_hochberg, alpha);
      for (double v : r.adjusted) put(v);
      for (bool v : r.reject) std::printf("%d ", v ? 1 : 0);
    } else if (cmd == "quantile") {
      double q = 0;
      std::size_t k = 0;
      in >> q >> k;
      std::vector<double> v(k);
      for (auto& x : v) in >> x;
      put(u::quantile(v, q));
    } else if (cmd == "binom") {
      std::uint64_t seed = 0, n = 0, count = 0;
      double p = 0;
      in >> seed >> n >> p >> count;
      fairgate::rng::stream s(seed, fairgate::rng::purposes::test, 0);
      for (std::uint64_t i = 0; i < count; ++i) {
        std::printf("%llu ", static_cast<unsigned long long>(u::binomial(s, n, p)));
      }
    } else if (cmd == "multinom") {
      std::uint64_t seed = 0, n = 0, count = 0;
      std::size_t k = 0;
      in >> seed >> n >> k;
      std::vector<std::uint64_t> w(k), out(k);
      for (auto& x : w) in >> x;
      in >> count;
      fairgate::rng::stream s(seed, fairgate::rng::purposes::test, 1);
      for (std::uint64_t i = 0; i < count; ++i) {
        u::multinomial_counts(s, n, w, out);
        for (auto x : out) std::printf("%llu ", static_cast<unsigned long long>(x));
      }
    } else if (cmd == "boot") {
      u::bootstrap_options o;
      std::string method;
      std::size_t k = 0;
      in >> o.seed >> o.replicates >> method >> o.confidence >> k;
      o.method = method == "stratified" ? u::resampling::stratified : u::resampling::poisson;
      std::vector<fairgate::metrics::confusion_counts> g(k);
      for (auto& c : g) in >> c.tp >> c.fp >> c.tn >> c.fn;
      const auto metric = [](std::span<const fairgate::metrics::confusion_counts> t) {
        const double a = u::rate_of(t[0], u::rate::tpr);
        return t.size() > 1 ? a - u::rate_of(t[1], u::rate::tpr) : a;
      };
      const auto r =
          u::bootstrap_counts(std::span<const fairgate::metrics::confusion_counts>(g), metric, o);
      put(r.ci.lower);
      put(r.ci.upper);
      put(static_cast<double>(r.n_undefined));
      for (double v : r.values) put(v);
    } else {
      std::fprintf(stderr, "fg_stats_dump: unknown command '%s'\n", cmd.c_str());
      return 2;
    }
    std::printf("\n");
  }
  return 0;
}
