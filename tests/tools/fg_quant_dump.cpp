// fg_quant_dump: a small driver for tests/quantize/torch_differential.py.
// Reads raw little-endian float32 tensors, runs fairgate's observers and
// quantizers, and writes the results so the script can compare them with
// PyTorch bit for bit.
//
//   fg_quant_dump observe   <out.txt> <qtype> <rule> <reduce> <axis> <in.f32> <rank> <dims...>
//   fg_quant_dump moving    <out.txt> <qtype> <rule> <reduce> <axis> <batches> <in.f32> <rank>
//   <dims...> fg_quant_dump quantize  <out.i32> <qtype> <axis> <params.txt> <in.f32> <rank>
//   <dims...> fg_quant_dump fakequant <out.f32> <qtype> <axis> <params.txt> <in.f32> <rank>
//   <dims...> fg_quant_dump percentile <out.txt> <p> <mag|two> <axis> <in.f32> <rank> <dims...>
//
// qtype: int8 | uint8; rule: sym | aff; reduce: 0 | 1; axis: -1 for per tensor.
// observe/moving write one line per channel: "<float32 bits of scale> <zero point>".
// params.txt has the same format. percentile writes "<min bits> <max bits>" per channel. For
// `moving`, the file holds `batches` tensors of the given shape, observed in order.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>

namespace fq = fairgate::quantize;

namespace {

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  f.seekg(0, std::ios::end);
  const auto n = static_cast<std::size_t>(f.tellg());
  f.seekg(0);
  std::vector<float> v(n / 4);
  f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

fq::qtype parse_type(const std::string& s) {
  if (s == "int8") return fq::qtype::int8;
  if (s == "uint8") return fq::qtype::uint8;
  throw std::runtime_error("unknown qtype " + s);
}

fq::scale_rule parse_rule(const std::string& s) {
  if (s == "sym") return fq::scale_rule::torch_symmetric;
  if (s == "aff") return fq::scale_rule::affine;
  throw std::runtime_error("unknown rule " + s);
}

std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

void write_params(const std::string& path, const fq::qparams& p) {
  std::ofstream o(path);
  for (std::size_t c = 0; c < p.channels(); ++c)
    o << bits(p.scale[c]) << ' ' << p.zero_point[c] << '\n';
}

fq::qparams read_params(const std::string& path, fq::qtype t, int axis) {
  fq::qparams p = fq::qparams::per_tensor_params(t, 1.0f, 0);
  p.axis = axis;
  p.scale.clear();
  p.zero_point.clear();
  std::ifstream f(path);
  std::uint32_t b;
  std::int32_t z;
  while (f >> b >> z) {
    p.scale.push_back(from_bits(b));
    p.zero_point.push_back(z);
  }
  return p;
}

std::vector<std::int64_t> parse_dims(int argc, char** argv, int at) {
  const int rank = std::stoi(argv[at]);
  if (argc != at + 1 + rank) throw std::runtime_error("wrong number of dims");
  std::vector<std::int64_t> d;
  for (int i = 0; i < rank; ++i) d.push_back(std::stoll(argv[at + 1 + i]));
  return d;
}

int run(int argc, char** argv) {
  if (argc < 3) throw std::runtime_error("usage: see the header of fg_quant_dump.cpp");
  const std::string cmd = argv[1], out = argv[2];
  if (cmd == "observe" || cmd == "moving") {
    const bool moving = cmd == "moving";
    const fq::scheme s{.type = parse_type(argv[3]),
                       .rule = parse_rule(argv[4]),
                       .axis = std::stoi(argv[6]),
                       .reduce_range = std::string(argv[5]) == "1"};
    const int batches = moving ? std::stoi(argv[7]) : 1;
    const int at = moving ? 8 : 7;
    std::vector<float> x = read_f32(argv[at]);
    const auto dims = parse_dims(argc, argv, at + 1);
    std::int64_t per = 1;
    for (auto d : dims) per *= d;
    if (static_cast<std::int64_t>(x.size()) != per * batches)
      throw std::runtime_error("input size mismatch");
    fq::minmax_observer mm(s.axis);
    fq::moving_average_minmax_observer ma(s.axis);
    for (int b = 0; b < batches; ++b) {
      const auto v = fairgate::tensor::view::contiguous(
          x.data() + b * per, fairgate::tensor::dtype::f32, dims.data(), dims.size());
      if (moving)
        ma.observe(v);
      else
        mm.observe(v);
    }
    write_params(out, moving ? ma.calculate_qparams(s) : mm.calculate_qparams(s));
    return 0;
  }
  if (cmd == "quantize" || cmd == "fakequant") {
    const fq::qtype t = parse_type(argv[3]);
    const int axis = std::stoi(argv[4]);
    const fq::qparams p = read_params(argv[5], t, axis);
    std::vector<float> x = read_f32(argv[6]);
    const auto dims = parse_dims(argc, argv, 7);
    const auto v = fairgate::tensor::view::contiguous(x.data(), fairgate::tensor::dtype::f32,
                                                      dims.data(), dims.size());
    std::ofstream o(out, std::ios::binary);
    if (cmd == "quantize") {
      const auto q = fq::quantize(v, p);
      std::vector<std::int32_t> vals(static_cast<std::size_t>(q.numel()));
      for (std::size_t i = 0; i < vals.size(); ++i) vals[i] = q.value(static_cast<std::int64_t>(i));
      o.write(reinterpret_cast<const char*>(vals.data()),
              static_cast<std::streamsize>(vals.size() * 4));
    } else {
      std::vector<float> y(x.size());
      fq::fake_quantize(v, p,
                        fairgate::tensor::view::contiguous(y.data(), fairgate::tensor::dtype::f32,
                                                           dims.data(), dims.size()));
      o.write(reinterpret_cast<const char*>(y.data()), static_cast<std::streamsize>(y.size() * 4));
    }
    return 0;
  }
  if (cmd == "percentile") {
    const double pct = std::stod(argv[3]);
    const auto mode = std::string(argv[4]) == "mag" ? fq::percentile_mode::magnitude
                                                    : fq::percentile_mode::two_sided;
    const int axis = std::stoi(argv[5]);
    std::vector<float> x = read_f32(argv[6]);
    const auto dims = parse_dims(argc, argv, 7);
    const auto v = fairgate::tensor::view::contiguous(x.data(), fairgate::tensor::dtype::f32,
                                                      dims.data(), dims.size());
    std::ofstream o(out);
    for (const auto& r : fq::percentile_range(v, pct, mode, axis))
      o << bits(r.min) << ' ' << bits(r.max) << '\n';
    return 0;
  }
  throw std::runtime_error("unknown command " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "fg_quant_dump: " << e.what() << '\n';
    return 2;
  }
}
