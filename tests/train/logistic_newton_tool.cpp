// Test tool for tests/train/logistic_newton_vs_sklearn.py: fits
// train::fit_logistic_newton and prints the model.
//
//   logistic_newton_tool fit <dir> <rows> <cols> <C> <fit_intercept 0|1>
//       reads <dir>/X.f64 (row-major), <dir>/y.u8 and <dir>/w.f64 (raw, native
//       byte order)
//   logistic_newton_tool adult <dir>
//       writes Adult's encoded training matrix (as examples/adult_mitigation
//       encodes it) to <dir>/X.f64 and <dir>/y.u8, then fits it with C = 1
// Prints "<converged> <iterations> <milliseconds>" and then one coefficient
// per line (%.17g), the intercept last.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fairgate/io/adult.hpp>
#include <fairgate/io/encoder.hpp>
#include <fairgate/train/logistic_newton.hpp>

namespace fg = fairgate;

namespace {

template <class T>
std::vector<T> read_raw(const std::string& path, std::size_t n) {
  std::vector<T> v(n);
  std::ifstream f(path, std::ios::binary);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
  if (!f) {
    std::fprintf(stderr, "cannot read %zu values from %s\n", n, path.c_str());
    std::exit(2);
  }
  return v;
}

template <class T>
void write_raw(const std::string& path, const std::vector<T>& v) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()),
          static_cast<std::streamsize>(v.size() * sizeof(T)));
}

void fit_and_print(const fg::train::dataset_view& d, const fg::train::newton_options& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = fg::train::fit_logistic_newton(d, opt);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%d %zu %.3f\n", r.converged ? 1 : 0, r.iterations, ms);
  for (double c : r.model.coef) std::printf("%.17g\n", c);
  std::printf("%.17g\n", r.model.intercept);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 7 && std::strcmp(argv[1], "fit") == 0) {
      const std::string dir = argv[2];
      const std::size_t rows = std::strtoull(argv[3], nullptr, 10);
      const std::size_t cols = std::strtoull(argv[4], nullptr, 10);
      fg::train::newton_options opt;
      opt.C = std::strtod(argv[5], nullptr);
      opt.fit_intercept = std::strcmp(argv[6], "1") == 0;
      const auto x = read_raw<double>(dir + "/X.f64", rows * cols);
      const auto y = read_raw<std::uint8_t>(dir + "/y.u8", rows);
      const auto w = read_raw<double>(dir + "/w.f64", rows);
      fit_and_print({x, rows, cols, y, w, {}, 0}, opt);
      return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "adult") == 0) {
      const std::string dir = argv[2];
      fg::io::adult_options ao;
      ao.missing = fg::io::adult_missing::as_category;
      const auto adult = fg::io::load_adult(ao);
      const auto enc =
          fg::io::feature_encoder::fit(adult.train.table, fg::io::adult_encoder_options());
      const auto m = enc.transform(adult.train.table);
      write_raw(dir + "/X.f64", m.values);
      write_raw(dir + "/y.u8", adult.train.labels);
      std::fprintf(stderr, "adult: %zu x %zu\n", m.rows, m.cols);
      fit_and_print({m.values, m.rows, m.cols, adult.train.labels, {}, {}, 0}, {});
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: logistic_newton_tool fit <dir> <rows> <cols> <C> <0|1>\n"
               "       logistic_newton_tool adult <dir>\n");
  return 2;
}
