// fg_prune_dump: runs fairgate's pruning passes on raw f32 tensors for the
// Python differential tests (tests/prune/torch_differential.py).
//
//   fg_prune_dump l1     OUT STEPS FILE RANK D0 .. Dr-1
//   fg_prune_dump ln     OUT STEPS FILE RANK D0 .. Dr-1      (step = AMOUNT/N/DIM, N in 1,2,inf)
//   fg_prune_dump global OUT STEPS NT { FILE RANK D0 .. Dr-1 } x NT
//
// FILE: C-contiguous little-endian f32. STEPS: comma-separated amounts applied
// one after the other on the previous mask ("f0.3" = fraction, "c5" = count),
// as repeated torch.nn.utils.prune calls do. OUT receives the final mask(s),
// one byte (0/1) per weight, tensors concatenated in order. stdout gets one
// line per step and tensor: "step S tensor T eligible E pruned_new P".
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/structured.hpp>

namespace fp = fairgate::prune;
using fairgate::tensor::mask;
using fairgate::tensor::view;

namespace {

struct tensor_in {
  std::vector<float> data;
  std::vector<std::int64_t> dims;
  view v;
};

tensor_in read_tensor(char** argv, int& i) {
  tensor_in t;
  const std::string file = argv[i++];
  const int rank = std::atoi(argv[i++]);
  std::int64_t n = 1;
  for (int d = 0; d < rank; ++d) {
    t.dims.push_back(std::atoll(argv[i++]));
    n *= t.dims.back();
  }
  t.data.resize(static_cast<std::size_t>(n));
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(t.data.data()), static_cast<std::streamsize>(n * 4));
  if (!in) throw std::runtime_error("cannot read " + std::to_string(n) + " f32 from " + file);
  t.v = view::contiguous(static_cast<void*>(t.data.data()), fairgate::tensor::dtype::f32,
                         t.dims.data(), t.dims.size());
  return t;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

fp::amount parse_amount(const std::string& s) {
  if (s.empty()) throw std::runtime_error("empty amount");
  if (s[0] == 'f') return fp::amount::fraction(std::stod(s.substr(1)));
  if (s[0] == 'c') return fp::amount::count(std::stoll(s.substr(1)));
  throw std::runtime_error("amount must start with f or c: " + s);
}

void write_masks(const std::string& out, const std::vector<mask>& masks) {
  std::ofstream o(out, std::ios::binary);
  for (const auto& m : masks) {
    for (std::int64_t i = 0; i < m.numel(); ++i) o.put(m.kept(i) ? 1 : 0);
  }
}

void log(std::size_t step, std::size_t t, const fp::record& r) {
  std::printf("step %zu tensor %zu eligible %lld pruned_new %lld\n", step, t,
              static_cast<long long>(r.eligible), static_cast<long long>(r.pruned_new));
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::fprintf(stderr, "usage: fg_prune_dump l1|ln|global OUT STEPS ...\n");
    return 2;
  }
  const std::string op = argv[1], out = argv[2];
  const std::vector<std::string> steps = split(argv[3], ',');
  int i = 4;
  if (op == "l1" || op == "ln") {
    tensor_in t = read_tensor(argv, i);
    mask m = mask::like(t.v);
    for (std::size_t s = 0; s < steps.size(); ++s) {
      const auto parts = split(steps[s], '/');
      fp::result r;
      if (op == "l1") {
        r = fp::l1_unstructured(t.v, parse_amount(parts[0]), &m);
      } else {
        if (parts.size() != 3)
          throw std::runtime_error("ln step must be AMOUNT/N/DIM: " + steps[s]);
        const fp::norm n = parts[1] == "1"   ? fp::norm::l1
                           : parts[1] == "2" ? fp::norm::l2
                                             : fp::norm::linf;
        r = fp::ln_structured(t.v, parse_amount(parts[0]), n,
                              static_cast<std::size_t>(std::stoul(parts[2])), &m);
      }
      log(s, 0, r.rec);
      m = r.mask;
    }
    write_masks(out, {m});
  } else if (op == "global") {
    const int nt = std::atoi(argv[i++]);
    std::vector<tensor_in> ts;
    ts.reserve(static_cast<std::size_t>(nt));
    for (int t = 0; t < nt; ++t) ts.push_back(read_tensor(argv, i));
    std::vector<view> views;
    std::vector<mask> masks;
    for (auto& t : ts) {
      views.push_back(t.v);
      masks.push_back(mask::like(t.v));
    }
    for (std::size_t s = 0; s < steps.size(); ++s) {
      auto g = fp::global_l1_unstructured(views, parse_amount(steps[s]), masks);
      for (std::size_t t = 0; t < g.records.size(); ++t) log(s, t, g.records[t]);
      masks = g.masks;
    }
    write_masks(out, masks);
  } else {
    std::fprintf(stderr, "unknown op %s\n", op.c_str());
    return 2;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fg_prune_dump: %s\n", e.what());
  return 1;
}
