// libFuzzer target: drives every C entry point with arbitrary sizes, strings
// and NULLs. Any crash, sanitizer report or leak is a bug: the C ABI promises
// a status for every input. Grows with the C ABI (add each new entry point).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>

// Policy, gate, controller and manifest entry points (fuzz_capi_gate.cpp).
void fuzz_capi_gate(const std::uint8_t* data, std::size_t size);

namespace {

// Reads fixed-size values from the fuzz input; zero once exhausted.
class input {
 public:
  input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  T take() {
    T v{};
    const std::size_t n = size_ < sizeof(T) ? size_ : sizeof(T);
    std::memcpy(&v, data_, n);
    data_ += n;
    size_ -= n;
    return v;
  }
  std::string take_string() {
    const std::size_t n = take<std::uint8_t>() % 32u;
    const std::size_t m = n < size_ ? n : size_;
    std::string s(reinterpret_cast<const char*>(data_), m);
    data_ += m;
    size_ -= m;
    return s;  // may contain NULs: the C side sees the prefix up to the first
  }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  // The next n bytes (fewer at the end) as a slice for a sub-fuzzer.
  std::vector<std::uint8_t> take_bytes(std::size_t n) {
    const std::size_t m = n < size_ ? n : size_;
    std::vector<std::uint8_t> v(data_, data_ + m);
    data_ += m;
    size_ -= m;
    return v;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

void check_message_is_readable() {
  const char* m = fairgate_last_error_message();
  volatile std::size_t n = std::strlen(m);  // must be a valid C string
  (void)n;
}

// A double as the float a float32 caller would hold: out-of-range values
// round to ±Inf (a plain static_cast would be undefined behaviour there).
float to_float(double x) {
  constexpr double max = static_cast<double>(std::numeric_limits<float>::max());
  if (x > max) return std::numeric_limits<float>::infinity();
  if (x < -max) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(x);  // NaN stays NaN
}

// A failed call must not have written its outputs (the C ABI's promise).
template <class Real>
void require_untouched(double value, const std::vector<Real>& out, Real sentinel) {
  if (value != 12345.0) __builtin_trap();
  for (const Real x : out)
    if (x != sentinel) __builtin_trap();
}

// Raw storage for n elements of any dtype (8 bytes each, aligned for all).
struct column {
  std::vector<std::uint64_t> storage;
  std::int32_t dtype = 0;
  [[nodiscard]] const void* data() const { return storage.data(); }
};

// Small integers (mostly valid labels/codes, sometimes not) in a fuzzed dtype.
column int_column(input& in, std::size_t n, unsigned modulo) {
  column c;
  c.storage.assign(n + 1, 0);
  c.dtype = in.take<std::uint8_t>() % 8u;  // 7 is not a dtype
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t v = in.take<std::uint8_t>() % modulo;
    auto* base = reinterpret_cast<unsigned char*>(c.storage.data());
    switch (c.dtype) {
      case FAIRGATE_DTYPE_U8:
        base[i] = static_cast<unsigned char>(v);
        break;
      case FAIRGATE_DTYPE_U16: {
        const std::uint16_t x = static_cast<std::uint16_t>(v);
        std::memcpy(base + 2 * i, &x, 2);
        break;
      }
      case FAIRGATE_DTYPE_U32: {
        const std::uint32_t x = static_cast<std::uint32_t>(v);
        std::memcpy(base + 4 * i, &x, 4);
        break;
      }
      case FAIRGATE_DTYPE_I32: {
        const std::int32_t x = static_cast<std::int32_t>(v) - 1;
        std::memcpy(base + 4 * i, &x, 4);
        break;
      }
      case FAIRGATE_DTYPE_I64: {
        const std::int64_t x = static_cast<std::int64_t>(v);
        std::memcpy(base + 8 * i, &x, 8);
        break;
      }
      case FAIRGATE_DTYPE_F32: {
        const float x = static_cast<float>(v) * 0.25f;
        std::memcpy(base + 4 * i, &x, 4);
        break;
      }
      default: {
        const double x = static_cast<double>(v) * 0.25;
        std::memcpy(base + 8 * i, &x, 8);
        break;
      }
    }
  }
  return c;
}

// Arbitrary doubles (NaN, Inf, negatives) as F64 or F32.
column real_column(input& in, std::size_t n) {
  column c;
  c.storage.assign(n + 1, 0);
  c.dtype = in.take<std::uint8_t>() % 2u ? FAIRGATE_DTYPE_F64 : FAIRGATE_DTYPE_F32;
  auto* base = reinterpret_cast<unsigned char*>(c.storage.data());
  for (std::size_t i = 0; i < n; ++i) {
    const double x = in.take<std::uint8_t>() % 4u
                         ? static_cast<double>(in.take<std::uint8_t>()) / 255.0
                         : in.take<double>();
    if (c.dtype == FAIRGATE_DTYPE_F64) {
      std::memcpy(base + 8 * i, &x, 8);
    } else {
      const float f = static_cast<float>(x);
      std::memcpy(base + 4 * i, &f, 4);
    }
  }
  return c;
}

void fuzz_metric_options(input& in, fairgate_metric_options& m) {
  (void)fairgate_metric_options_init(&m);
  m.weighted = in.take<std::uint8_t>() % 2;
  m.zero_division = in.take<std::int8_t>() % 4;
  m.min_support = in.take<std::uint8_t>() % 4;
  m.exclude_low_support = in.take<std::uint8_t>() % 2;
  m.method = in.take<std::int8_t>() % 3;
  m.agg = in.take<std::int8_t>() % 3;
  if (in.take<std::uint8_t>() % 16u == 0) m.struct_size = in.take<std::uint8_t>();
}

// --- the streaming monitor (op 7): one handle, driven by sub-operations ---
std::int32_t fuzz_hook_answer = 0;
std::int32_t fuzz_hook(const char* target, const fairgate_monitor_alarm* alarms, std::size_t n,
                       void* user_data) {
  volatile std::size_t len = std::strlen(target);  // must be a C string
  (void)len;
  auto* count = static_cast<std::size_t*>(user_data);
  for (std::size_t i = 0; i < n; ++i) *count += alarms[i].group == FAIRGATE_NO_GROUP ? 0u : 1u;
  return fuzz_hook_answer;
}
std::size_t fuzz_hook_count = 0;

void fuzz_monitor(input& in, fairgate_monitor*& mon) {
  switch (in.take<std::uint8_t>() % 11u) {
    case 0: {
      fairgate_monitor_destroy(mon);
      mon = nullptr;
      fairgate_monitor_options o;
      (void)fairgate_monitor_options_init(&o);
      // Sizes stay small: the fuzzer's malloc limit would report a huge window as a crash.
      o.n_groups = in.take<std::uint8_t>() % 6u;
      o.threshold = in.take<std::uint8_t>() % 8u ? 0.5 : in.take<double>();
      o.window_kind = in.take<std::int8_t>() % 4;
      o.window_size = in.take<std::uint16_t>() % 600u;
      o.half_life =
          in.take<std::uint8_t>() % 4u ? 1.0 + in.take<std::uint8_t>() : in.take<double>();
      o.bins = in.take<std::uint8_t>() % 40u;
      if (in.take<std::uint8_t>() % 8u == 0) {
        o.score_min = in.take<double>();
        o.score_max = in.take<double>();
        o.psi_threshold = in.take<double>();
        o.ks_alpha = in.take<double>();
        o.report_confidence = in.take<double>();
      }
      o.drift_enabled = in.take<std::uint8_t>() % 2;
      o.min_support = in.take<std::uint8_t>() % 40u;
      o.pending_capacity = in.take<std::uint8_t>() % 70u;
      const std::string target = in.take_string();
      o.target = in.take<std::uint8_t>() % 4u ? target.c_str() : nullptr;
      fairgate_watched_constraint cs[3];
      o.n_constraints = in.take<std::uint8_t>() % 4u;
      for (auto& c : cs) {
        (void)fairgate_watched_constraint_init(&c);
        c.metric = in.take<std::int8_t>() % 9;
        c.kind = in.take<std::int8_t>() % 3;
        c.op = in.take<std::int8_t>() % 3;
        c.bound =
            in.take<std::uint8_t>() % 4u ? in.take<std::uint8_t>() / 255.0 : in.take<double>();
        if (in.take<std::uint8_t>() % 8u == 0) c.confidence = in.take<double>();
        if (in.take<std::uint8_t>() % 8u == 0) c.alpha = in.take<double>();
        c.watch_change = in.take<std::uint8_t>() % 2;
        // Smaller than any version (rejected); a larger one would promise a
        // longer array than cs holds (the stride is element 0's struct_size).
        if (in.take<std::uint8_t>() % 16u == 0)
          c.struct_size = in.take<std::uint8_t>() % sizeof(fairgate_watched_constraint);
      }
      o.constraints = in.take<std::uint8_t>() % 8u ? cs : nullptr;
      // The baseline: none, accumulator bytes (valid or garbage) + histogram, or rows.
      std::vector<std::uint8_t> blob;
      std::vector<std::uint64_t> hist;
      std::vector<double> bs;
      std::vector<std::uint32_t> bg;
      std::vector<std::uint8_t> by;
      fairgate_accumulator* a = nullptr;
      switch (in.take<std::uint8_t>() % 4u) {
        case 1:
          if (fairgate_accumulator_create(in.take<std::uint8_t>() % 6u, &a) == FAIRGATE_OK) {
            std::size_t size = 0;
            (void)fairgate_accumulator_serialize(a, nullptr, 0, &size);
            blob.resize(size);
            (void)fairgate_accumulator_serialize(a, blob.data(), blob.size(), &size);
            fairgate_accumulator_destroy(a);
          }
          if (!blob.empty() && in.take<std::uint8_t>() % 4u == 0)
            blob[in.take<std::uint8_t>() % blob.size()] ^= in.take<std::uint8_t>();
          hist.resize(in.take<std::uint8_t>() % 64u);
          for (auto& h : hist) h = in.take<std::uint8_t>();
          o.baseline_accumulator = blob.empty() ? nullptr : blob.data();
          o.baseline_accumulator_size = blob.size();
          o.baseline_histogram = hist.empty() ? nullptr : hist.data();
          o.baseline_histogram_size = hist.size();
          break;
        case 2: {
          const std::size_t n = in.take<std::uint8_t>() % 32u;
          bs.resize(n);
          bg.resize(n);
          by.resize(n);
          for (std::size_t i = 0; i < n; ++i) {
            bs[i] =
                in.take<std::uint8_t>() % 8u ? in.take<std::uint8_t>() / 255.0 : in.take<double>();
            bg[i] = in.take<std::uint8_t>() % 7u;
            by[i] = in.take<std::uint8_t>() % 3u;
          }
          o.baseline_scores = bs.data();
          o.baseline_groups = bg.data();
          o.baseline_labels = by.data();
          o.baseline_n = n;
          break;
        }
        case 3:
          o.baseline_accumulator_size = in.take<std::uint8_t>();  // with a NULL pointer
          break;
        default:
          break;
      }
      if (in.take<std::uint8_t>() % 2u) {
        o.on_alarm = fuzz_hook;
        o.user_data = &fuzz_hook_count;
      }
      if (in.take<std::uint8_t>() % 16u == 0) o.struct_size = in.take<std::uint16_t>();
      if (fairgate_monitor_create(&o, &mon) != FAIRGATE_OK) mon = nullptr;
      check_message_is_readable();
      break;
    }
    case 1:
      (void)fairgate_monitor_observe(
          mon, in.take<std::uint8_t>() % 4u ? in.take<std::uint8_t>() / 255.0 : in.take<double>(),
          in.take<std::uint8_t>() % 7u, in.take<std::int8_t>() % 3);
      check_message_is_readable();
      break;
    case 2: {
      const std::size_t n = in.take<std::uint8_t>() % 64u;
      std::vector<double> s(n);
      std::vector<std::uint32_t> g(n);
      std::vector<std::int8_t> y(n);
      for (std::size_t i = 0; i < n; ++i) {
        s[i] = in.take<std::uint8_t>() % 16u ? in.take<std::uint8_t>() / 255.0 : in.take<double>();
        g[i] = in.take<std::uint8_t>() % 7u;
        y[i] = static_cast<std::int8_t>(in.take<std::int8_t>() % 3);
      }
      const auto nulls = in.take<std::uint8_t>();
      (void)fairgate_monitor_observe_batch(mon, nulls % 16u ? s.data() : nullptr,
                                           nulls % 17u ? g.data() : nullptr,
                                           nulls % 3u ? y.data() : nullptr, n);
      check_message_is_readable();
      break;
    }
    case 3:
      (void)fairgate_monitor_observe_unlabeled(
          mon, in.take<std::uint8_t>() % 16u,
          in.take<std::uint8_t>() % 8u ? in.take<std::uint8_t>() / 255.0 : in.take<double>(),
          in.take<std::uint8_t>() % 7u);
      break;
    case 4: {
      std::int32_t result = 0;
      (void)fairgate_monitor_label(mon, in.take<std::uint8_t>() % 16u, in.take<std::int8_t>() % 3,
                                   in.take<std::uint8_t>() % 4u ? &result : nullptr);
      break;
    }
    case 5: {
      fairgate_monitor_summary s{};
      s.struct_size = in.take<std::uint8_t>() % 8u ? sizeof s : in.take<std::uint8_t>();
      fuzz_hook_answer = in.take<std::uint8_t>() % 4u ? 0 : in.take<std::int32_t>();
      (void)fairgate_monitor_poll(mon, in.take<std::uint8_t>() % 8u ? &s : nullptr);
      check_message_is_readable();
      break;
    }
    case 6: {
      const std::size_t cap = in.take<std::uint8_t>() % 64u;
      std::vector<fairgate_monitor_group> g(cap + 1);
      std::vector<fairgate_monitor_constraint> c(cap + 1);
      std::vector<fairgate_monitor_alarm> a(cap + 1);
      std::size_t n = 0;
      const bool null_out = in.take<std::uint8_t>() % 8u == 0;
      (void)fairgate_monitor_groups(mon, null_out ? nullptr : g.data(), cap, &n);
      (void)fairgate_monitor_constraints(mon, null_out ? nullptr : c.data(), cap, &n);
      (void)fairgate_monitor_alarms(mon, null_out ? nullptr : a.data(), cap,
                                    in.take<std::uint8_t>() % 8u ? &n : nullptr);
      break;
    }
    case 7:
      (void)fairgate_monitor_reset(mon);
      break;
    case 8: {
      std::size_t size = 0;
      (void)fairgate_monitor_save(mon, nullptr, 0, &size);
      std::vector<std::uint8_t> state(size + 1);
      (void)fairgate_monitor_save(mon, state.data(), state.size(), &size);
      if (!state.empty() && in.take<std::uint8_t>() % 2u)
        state[in.take<std::uint16_t>() % state.size()] ^= in.take<std::uint8_t>();
      const std::size_t len =
          in.take<std::uint8_t>() % 4u ? size : in.take<std::uint16_t>() % (size + 2);
      (void)fairgate_monitor_restore(mon, state.data(), len);
      check_message_is_readable();
      break;
    }
    case 9: {
      // Watched constraints from a policy target, with a fuzzed target name and buffers.
      static const char text[] =
          "schema_version = 1\nname = \"f\"\n[[target]]\nname = \"t\"\n"
          "sensitive_features = [\"s\"]\n[[target.constraint]]\nid = \"dp\"\n"
          "metric = \"demographic_parity_difference\"\nbound = \"<= 0.1\"\n";
      fairgate_policy* p = nullptr;
      if (fairgate_policy_load_string(text, sizeof text - 1, "fuzz.toml", &p) == FAIRGATE_OK) {
        const std::string target = in.take_string();
        fairgate_watched_constraint c[4];
        std::size_t n = 0, skipped = 0;
        (void)fairgate_monitor_constraints_from_policy(
            in.take<std::uint8_t>() % 8u ? p : nullptr,
            in.take<std::uint8_t>() % 4u ? target.c_str() : "t",
            in.take<std::uint8_t>() % 4u ? c : nullptr, in.take<std::uint8_t>() % 5u,
            in.take<std::uint8_t>() % 4u ? &n : nullptr, &skipped);
        fairgate_policy_destroy(p);
      }
      check_message_is_readable();
      break;
    }
    default: {
      std::size_t bytes = 0;
      (void)fairgate_monitor_memory_bytes(mon, in.take<std::uint8_t>() % 4u ? &bytes : nullptr);
      break;
    }
  }
}

// Calibration, reliability bins and the binned AUC of an accumulator (with or
// without score statistics, or NULL). Every failing call must leave its
// outputs as they were: they are pre-filled with a byte pattern and compared.
void fuzz_score_results(input& in, const fairgate_accumulator* acc, std::uint32_t n_groups) {
  const auto fill = [](auto& v) {
    if (!v.empty()) std::memset(static_cast<void*>(v.data()), 0x5A, v.size() * sizeof(v[0]));
  };
  const auto untouched = [](const auto& v) {
    const auto* b = reinterpret_cast<const unsigned char*>(v.data());
    for (std::size_t i = 0; i < v.size() * sizeof(v[0]); ++i)
      if (b[i] != 0x5A) __builtin_trap();
  };
  std::vector<fairgate_calibration_summary> cal(n_groups + 1);
  fill(cal);
  if (fairgate_accumulator_calibration(acc, in.take<std::uint8_t>() % 8u ? cal.data() : nullptr,
                                       in.take<std::uint8_t>() % 2u ? &cal[n_groups] : nullptr) !=
      FAIRGATE_OK)
    untouched(cal);
  check_message_is_readable();
  std::uint32_t group = in.take<std::uint8_t>() % 8u;
  if (group == 7) group = FAIRGATE_GROUP_OVERALL;
  std::vector<fairgate_calibration_bin> bins(in.take<std::uint8_t>() % 20u);
  fill(bins);
  std::vector<std::size_t> count(1);
  fill(count);
  const bool null_bins = in.take<std::uint8_t>() % 4u == 0;
  // The capacity never exceeds the buffer (a caller lying about it is not the ABI's bug).
  const std::size_t capacity = in.take<std::uint8_t>() % (bins.size() + 1);
  if (fairgate_accumulator_reliability_bins(
          acc, group, null_bins ? nullptr : bins.data(), capacity,
          in.take<std::uint8_t>() % 8u ? count.data() : nullptr) != FAIRGATE_OK) {
    untouched(bins);
    untouched(count);
  }
  check_message_is_readable();
  std::vector<fairgate_auc_value> auc(n_groups + 1);
  fill(auc);
  if (fairgate_accumulator_roc_auc_binned(
          acc, in.take<std::uint8_t>() % 8u ? auc.data() : nullptr,
          in.take<std::uint8_t>() % 2u ? &auc[n_groups] : nullptr) != FAIRGATE_OK)
    untouched(auc);
  check_message_is_readable();
  // get_options: a failure writes nothing (struct_size is ours, the rest the pattern).
  std::vector<fairgate_accumulator_options> o(1);
  fill(o);
  o[0].struct_size = in.take<std::uint8_t>() % 4u ? sizeof(o[0]) : in.take<std::uint8_t>();
  const fairgate_accumulator_options before = o[0];
  if (fairgate_accumulator_get_options(acc, o.data()) != FAIRGATE_OK &&
      std::memcmp(&before, o.data(), sizeof before) != 0)
    __builtin_trap();
  check_message_is_readable();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in(data, size);
  fairgate_stream* stream = nullptr;
  std::vector<std::uint32_t> buffer;
  fairgate_accumulator* acc = nullptr;
  fairgate_accumulator* other = nullptr;
  fairgate_monitor* monitor = nullptr;
  while (!in.empty()) {
    const auto op = in.take<std::uint8_t>() % 21u;
    switch (op) {
      case 0: {
        fairgate_stream_destroy(stream);
        stream = nullptr;
        const std::string purpose = in.take_string();
        const bool null_purpose = in.take<std::uint8_t>() % 4u == 0;
        if (fairgate_stream_create(in.take<std::uint64_t>(),
                                   null_purpose ? nullptr : purpose.c_str(),
                                   in.take<std::uint32_t>(), &stream) != FAIRGATE_OK) {
          stream = nullptr;
          check_message_is_readable();
        }
        break;
      }
      case 1:
        (void)fairgate_stream_seek(stream, in.take<std::uint64_t>());
        break;
      case 2: {
        const std::size_t n = in.take<std::uint16_t>() % 4097u;
        buffer.resize(n);
        const bool null_out = in.take<std::uint8_t>() % 8u == 0;
        (void)fairgate_stream_fill_u32(stream, null_out ? nullptr : buffer.data(), n);
        check_message_is_readable();
        break;
      }
      case 3: {
        std::uint64_t pos = 0;
        (void)fairgate_stream_position(stream, in.take<std::uint8_t>() % 4u ? &pos : nullptr);
        break;
      }
      case 4: {
        const std::string purpose = in.take_string();
        std::uint32_t tag = 0;
        (void)fairgate_purpose_tag(purpose.c_str(), in.take<std::uint8_t>() % 4u ? &tag : nullptr);
        break;
      }
      case 5:
        (void)fairgate_status_name(in.take<std::int32_t>());
        break;
      case 6:
        check_message_is_readable();
        break;
      case 7: {
        // Policy text, gate, controller and manifest on a slice of the input.
        const auto slice = in.take_bytes(in.take<std::uint16_t>() % 1024u);
        fuzz_capi_gate(slice.data(), slice.size());
        check_message_is_readable();
        break;
      }
      case 8: {
        // A penalty over fuzzed rows: arbitrary scores (NaN, Inf), labels, codes, weights.
        fairgate_penalty_options o;
        (void)fairgate_penalty_options_init(&o);
        o.kind = in.take<std::int8_t>();
        o.form = in.take<std::int8_t>();
        o.relaxation = in.take<std::int8_t>();
        o.temperature = in.take<double>();
        o.tolerance = in.take<double>();
        o.odds_aggregate = in.take<std::int8_t>();
        if (in.take<std::uint8_t>() % 8u == 0) o.struct_size = in.take<std::uint32_t>();
        const std::size_t n = in.take<std::uint8_t>() % 64u;
        const std::uint32_t n_groups = in.take<std::uint8_t>() % 9u;
        std::vector<double> s(n), w(n), grad(n);
        std::vector<std::uint8_t> y(n);
        std::vector<std::uint32_t> g(n);
        for (std::size_t i = 0; i < n; ++i) {
          s[i] = in.take<double>();
          y[i] = in.take<std::uint8_t>() % 3u;
          g[i] = in.take<std::uint8_t>() % 10u;
          w[i] = in.take<double>();
        }
        const bool weighted = in.take<std::uint8_t>() % 2u;
        // Both entries promise untouched outputs on any error: pre-fill them
        // with a sentinel and trap if a failing call wrote anything.
        constexpr double sentinel = 12345.0;
        double value = sentinel;
        grad.assign(n, sentinel);
        if (fairgate_penalty(&o, s.data(), y.data(), g.data(), weighted ? w.data() : nullptr, n,
                             n_groups, &value, grad.data()) != FAIRGATE_OK)
          require_untouched(value, grad, sentinel);
        check_message_is_readable();
        // The same rows through the f32 entry (values beyond the float range
        // become ±Inf, as a float32 caller would hold them).
        std::vector<float> s32(n), w32(n), grad32(n, static_cast<float>(sentinel));
        for (std::size_t i = 0; i < n; ++i) {
          s32[i] = to_float(s[i]);
          w32[i] = to_float(w[i]);
        }
        value = sentinel;
        if (fairgate_penalty_f32(&o, s32.data(), y.data(), g.data(),
                                 weighted ? w32.data() : nullptr, n, n_groups, &value,
                                 grad32.data()) != FAIRGATE_OK)
          require_untouched(value, grad32, static_cast<float>(sentinel));
        check_message_is_readable();
        break;
      }
      case 9: {
        fairgate_accumulator_destroy(acc);
        acc = nullptr;
        const std::uint32_t n_groups = in.take<std::uint8_t>() % 6u;
        const auto how = in.take<std::uint8_t>() % 4u;
        if (how == 0) {
          if (fairgate_accumulator_create(n_groups, &acc) != FAIRGATE_OK) acc = nullptr;
        } else {
          // Score statistics: small bin counts mostly, sometimes huge or a bad
          // range (NaN, Inf, min >= max) or a fuzzed struct_size.
          fairgate_accumulator_options o;
          (void)fairgate_accumulator_options_init(&o);
          o.calibration_bins = in.take<std::uint8_t>() % 16u;
          o.histogram_bins = in.take<std::uint8_t>() % 40u;
          // Always beyond the 65536-bin limit: valid huge accumulators would
          // only spend the fuzzer's memory (an exhausted input reads zeros,
          // so "65536 + 0" would make them common).
          if (in.take<std::uint8_t>() % 16u == 0)
            o.calibration_bins = 65537u + in.take<std::uint16_t>();
          if (in.take<std::uint8_t>() % 16u == 0)
            o.histogram_bins = 65537u + in.take<std::uint16_t>();
          if (in.take<std::uint8_t>() % 4u == 0) {
            o.histogram_min = in.take<double>();
            o.histogram_max = in.take<double>();
          }
          if (in.take<std::uint8_t>() % 16u == 0) o.struct_size = in.take<std::uint8_t>();
          fairgate_accumulator* const sentinel = reinterpret_cast<fairgate_accumulator*>(&o);
          fairgate_accumulator* out = sentinel;
          if (fairgate_accumulator_create_with_options(n_groups, how == 3 ? nullptr : &o, &out) ==
              FAIRGATE_OK) {
            acc = out;
          } else if (out != sentinel) {
            __builtin_trap();  // a failed create wrote *out
          }
        }
        check_message_is_readable();
        break;
      }
      case 10: {
        // A batch of fuzzed rows: labels 0..2, codes 0..6, NaN scores, bad dtypes.
        const std::size_t n = in.take<std::uint8_t>() % 80u;
        const column y = int_column(in, n, 3);
        const column p = int_column(in, n, 3);
        const column g = int_column(in, n, 7);
        const column s = real_column(in, n);
        const column w = real_column(in, n);
        fairgate_binary_inputs bi;
        (void)fairgate_binary_inputs_init(&bi);
        bi.n = n;
        bi.y_true = y.data();
        bi.y_true_dtype = y.dtype;
        const auto mode = in.take<std::uint8_t>() % 4u;
        if (mode == 0 || mode == 3) {
          bi.y_pred = p.data();
          bi.y_pred_dtype = p.dtype;
        }
        if (mode >= 1) {
          bi.scores = s.data();
          bi.scores_dtype = s.dtype;
          bi.threshold = in.take<double>();
        }
        bi.groups = g.data();
        bi.groups_dtype = g.dtype;
        if (in.take<std::uint8_t>() % 2u) {
          bi.weights = w.data();
          bi.weights_dtype = w.dtype;
        }
        if (in.take<std::uint8_t>() % 16u == 0) bi.struct_size = in.take<std::uint8_t>();
        fairgate_accumulate_options ao;
        (void)fairgate_accumulate_options_init(&ao);
        ao.threads = in.take<std::uint8_t>() % 4u;
        (void)fairgate_accumulator_add(in.take<std::uint8_t>() % 8u ? acc : nullptr, &bi,
                                       in.take<std::uint8_t>() % 2u ? &ao : nullptr);
        check_message_is_readable();
        break;
      }
      case 11: {
        // Serialise, corrupt or truncate, deserialise, merge.
        std::size_t blob_size = 0;
        if (fairgate_accumulator_serialize(acc, nullptr, 0, &blob_size) != FAIRGATE_OK) break;
        std::vector<std::uint8_t> bytes(blob_size);
        const std::size_t cap = in.take<std::uint8_t>() % 8u ? blob_size : blob_size / 2;
        if (fairgate_accumulator_serialize(acc, bytes.data(), cap, &blob_size) != FAIRGATE_OK)
          break;
        if (in.take<std::uint8_t>() % 2u && !bytes.empty()) {
          bytes[in.take<std::uint16_t>() % bytes.size()] ^= in.take<std::uint8_t>();
        }
        const std::size_t keep = in.take<std::uint8_t>() % 4u ? bytes.size() : bytes.size() / 2;
        fairgate_accumulator_destroy(other);
        other = nullptr;
        if (fairgate_accumulator_deserialize(bytes.data(), keep, &other) != FAIRGATE_OK)
          other = nullptr;
        (void)fairgate_accumulator_merge(acc, in.take<std::uint8_t>() % 2u ? other : acc);
        check_message_is_readable();
        break;
      }
      case 12: {
        // Arbitrary bytes as a serialised accumulator.
        std::vector<std::uint8_t> bytes(in.take<std::uint8_t>());
        for (auto& b : bytes) b = in.take<std::uint8_t>();
        if (bytes.size() >= 4 && in.take<std::uint8_t>() % 2u) std::memcpy(bytes.data(), "FGMA", 4);
        fairgate_accumulator* back = nullptr;
        if (fairgate_accumulator_deserialize(bytes.data(), bytes.size(), &back) == FAIRGATE_OK) {
          fairgate_accumulator_destroy(back);
        }
        check_message_is_readable();
        break;
      }
      case 13: {
        // Metrics, aggregates, disparities, AIF360 with fuzzed enums and options.
        fairgate_metric_options m;
        fuzz_metric_options(in, m);
        const std::int32_t metric = in.take<std::int8_t>() % 18;
        std::uint32_t G = 0;
        (void)fairgate_accumulator_n_groups(acc, &G);
        std::vector<fairgate_value> by_group(G + 1);
        fairgate_value overall;
        (void)fairgate_metric_by_group(acc, metric, in.take<std::uint8_t>() % 4u ? &m : nullptr,
                                       by_group.data(), &overall);
        double v = 0;
        std::int32_t undefined = 0;
        (void)fairgate_metric_aggregate(acc, metric, in.take<std::int8_t>() % 5, &m, &v,
                                        &undefined);
        (void)fairgate_disparity_value(acc, in.take<std::int8_t>() % 7, &m, &v, &undefined);
        std::uint32_t sides[4];
        for (auto& x : sides) x = in.take<std::uint8_t>() % 7u;
        (void)fairgate_aif360_value(acc, in.take<std::int8_t>() % 17, sides,
                                    in.take<std::uint8_t>() % 3u, sides + 2,
                                    in.take<std::uint8_t>() % 3u, &m, &v, &undefined);
        fairgate_confusion_counts c;
        double cells[4];
        (void)fairgate_accumulator_counts(acc, in.take<std::uint8_t>() % 7u, &c);
        (void)fairgate_accumulator_weights(acc, in.take<std::uint8_t>() % 7u, cells);
        check_message_is_readable();
        fuzz_score_results(in, acc, G);
        break;
      }
      case 14: {
        // Intervals, tests and the bootstrap (few replicates).
        fairgate_interval ci;
        const double conf = in.take<std::uint8_t>() % 4u ? 0.9 : in.take<double>();
        (void)fairgate_wilson_interval(acc, in.take<std::uint8_t>() % 7u,
                                       in.take<std::int8_t>() % 18, conf,
                                       in.take<std::uint8_t>() % 2, &ci);
        (void)fairgate_wilson_interval_counts(in.take<std::uint32_t>(), in.take<std::uint32_t>(),
                                              conf, in.take<std::uint8_t>() % 2, &ci);
        double stat = 0, pv = 0;
        (void)fairgate_compare_groups(acc, in.take<std::uint8_t>() % 7u,
                                      in.take<std::uint8_t>() % 7u, in.take<std::int8_t>() % 18,
                                      in.take<std::int8_t>() % 3, in.take<std::int8_t>() % 4, &stat,
                                      &pv);
        fairgate_metric_options m;
        fuzz_metric_options(in, m);
        fairgate_bootstrap_options bo;
        (void)fairgate_bootstrap_options_init(&bo);
        bo.seed = in.take<std::uint64_t>();
        bo.replicates = in.take<std::uint8_t>() % 24u;
        bo.confidence = conf;
        bo.stratified = in.take<std::uint8_t>() % 2;
        std::uint32_t n_undefined = 0;
        (void)fairgate_bootstrap_disparity(acc, in.take<std::int8_t>() % 7, &m, &bo, &ci,
                                           &n_undefined);
        check_message_is_readable();
        break;
      }
      case 15: {
        // Multiple-comparison adjustment of arbitrary p-values (NaN, < 0, > 1).
        const std::size_t n = in.take<std::uint8_t>() % 32u;
        std::vector<double> p(n), adj(n);
        std::vector<std::uint8_t> rej(n);
        for (auto& x : p)
          x = in.take<std::uint8_t>() % 4u ? static_cast<double>(in.take<std::uint8_t>()) / 255.0
                                           : in.take<double>();
        (void)fairgate_adjust_p_values(p.data(), n, in.take<std::int8_t>() % 3,
                                       in.take<std::uint8_t>() % 4u ? 0.05 : in.take<double>(),
                                       adj.data(),
                                       in.take<std::uint8_t>() % 2u ? rej.data() : nullptr);
        check_message_is_readable();
        break;
      }
      case 16: {
        // McNemar per group on fuzzed paired rows.
        const std::size_t n = in.take<std::uint8_t>() % 64u;
        const std::uint32_t G = in.take<std::uint8_t>() % 6u;
        const column y = int_column(in, n, 3);
        const column a = int_column(in, n, 3);
        const column b = int_column(in, n, 3);
        const column g = int_column(in, n, 7);
        std::vector<fairgate_mcnemar_result> out(G + 1);
        (void)fairgate_mcnemar_by_group(y.data(), y.dtype, a.data(), a.dtype, b.data(), b.dtype,
                                        g.data(), g.dtype, n, G, out.data());
        check_message_is_readable();
        break;
      }
      case 17: {
        // Pruning passes over a fuzzed tensor (rank 0..3, NaN/Inf weights, bad masks).
        const std::size_t rank = in.take<std::uint8_t>() % 4u;
        std::int64_t shape[3] = {1, 1, 1};
        std::int64_t numel = 1;
        for (std::size_t d = 0; d < rank; ++d) {
          shape[d] = in.take<std::uint8_t>() % 6u;
          numel *= shape[d];
        }
        const column w = real_column(in, static_cast<std::size_t>(numel));
        std::vector<std::uint8_t> existing(static_cast<std::size_t>(numel) + 1),
            out(static_cast<std::size_t>(numel) + 1);
        for (auto& b : existing)
          b = in.take<std::uint8_t>() % 8u ? 1 : in.take<std::uint8_t>() % 3u;
        fairgate_tensor t{const_cast<std::uint64_t*>(w.storage.data()), w.dtype, rank, shape,
                          nullptr};
        if (in.take<std::uint8_t>() % 16u == 0) t.dtype = in.take<std::int8_t>();
        const bool use_existing = in.take<std::uint8_t>() % 2u;
        const double amount = in.take<std::uint8_t>() % 4u
                                  ? static_cast<double>(in.take<std::uint8_t>() % 12u) / 10.0
                                  : in.take<double>();
        const std::int32_t is_count = in.take<std::uint8_t>() % 2;
        const std::uint8_t* ex = use_existing ? existing.data() : nullptr;
        switch (in.take<std::uint8_t>() % 4u) {
          case 0:
            (void)fairgate_prune_l1_unstructured(&t, amount, is_count, ex, out.data());
            break;
          case 1:
            (void)fairgate_prune_n_m(&t, in.take<std::int8_t>() % 5, in.take<std::int8_t>() % 6,
                                     in.take<std::uint8_t>() % 4u, ex, out.data());
            break;
          case 2:
            (void)fairgate_prune_ln_structured(&t, amount, is_count, in.take<std::int8_t>() % 5,
                                               in.take<std::uint8_t>() % 4u, ex, out.data());
            break;
          default: {
            fairgate_tensor ts[2] = {t, t};
            const std::uint8_t* exs[2] = {ex, nullptr};
            std::vector<std::uint8_t> out2(out.size());
            std::uint8_t* outs[2] = {out.data(), out2.data()};
            (void)fairgate_prune_global_l1_unstructured(ts, in.take<std::uint8_t>() % 3u, amount,
                                                        is_count, use_existing ? exs : nullptr,
                                                        outs);
            break;
          }
        }
        check_message_is_readable();
        break;
      }
      case 18: {
        // Quantization: parameters, quantize, dequantize, fake-quant in place.
        const std::size_t rank = in.take<std::uint8_t>() % 3u;
        std::int64_t shape[2] = {1, 1};
        std::int64_t numel = 1;
        for (std::size_t d = 0; d < rank; ++d) {
          shape[d] = in.take<std::uint8_t>() % 6u;
          numel *= shape[d];
        }
        column x = real_column(in, static_cast<std::size_t>(numel));
        fairgate_tensor t{x.storage.data(), x.dtype, rank, shape, nullptr};
        fairgate_quant_options o;
        (void)fairgate_quant_options_init(&o);
        o.qtype = in.take<std::int8_t>() % 5;
        o.scale_rule = in.take<std::int8_t>() % 4;
        o.axis = in.take<std::int8_t>() % 3;
        o.reduce_range = in.take<std::uint8_t>() % 2;
        o.narrow_range = in.take<std::uint8_t>() % 2;
        o.rounding = in.take<std::int8_t>() % 4;
        o.seed = in.take<std::uint64_t>();
        float scales[8] = {};
        std::int32_t zps[8] = {};
        std::size_t channels = 0;
        const fairgate_status st =
            fairgate_quant_params(&t, &o, scales, zps, in.take<std::uint8_t>() % 9u, &channels);
        if (st != FAIRGATE_OK || channels > 8) {
          channels = 1 + in.take<std::uint8_t>() % 8u;
          for (std::size_t c = 0; c < channels; ++c) {
            scales[c] = in.take<float>();
            zps[c] = in.take<std::int16_t>();
          }
        }
        std::vector<std::uint8_t> q(static_cast<std::size_t>(numel) + 1);
        const std::size_t q_size =
            in.take<std::uint8_t>() % 4u ? static_cast<std::size_t>(numel) : q.size();
        (void)fairgate_quantize(&t, &o, scales, zps, channels, q.data(), q_size);
        (void)fairgate_dequantize(q.data(), q_size, &o, scales, zps, channels, &t);
        (void)fairgate_fake_quantize(&t, &o, scales, zps, channels, &t);
        check_message_is_readable();
        break;
      }
      case 19: {
        // ROC AUC per group: NaN/Inf scores, bad labels and codes, any dtypes.
        const std::size_t n = in.take<std::uint8_t>() % 64u;
        const std::uint32_t G = in.take<std::uint8_t>() % 5u;
        const column s = real_column(in, n);
        const column y = int_column(in, n, 3);
        const column g = int_column(in, n, 6);
        const column w = real_column(in, n);
        std::vector<fairgate_auc_value> by(G + 1);
        fairgate_auc_value all;
        const bool weighted = in.take<std::uint8_t>() % 2u;
        (void)fairgate_roc_auc(s.data(),
                               in.take<std::uint8_t>() % 8u ? s.dtype : in.take<std::int8_t>(),
                               y.data(), y.dtype, g.data(), g.dtype, weighted ? w.data() : nullptr,
                               w.dtype, n, G, by.data(), &all);
        check_message_is_readable();
        break;
      }
      case 20:
        fuzz_monitor(in, monitor);
        break;
      default:
        (void)fairgate_version_string();
        break;
    }
  }
  fairgate_stream_destroy(stream);
  fairgate_accumulator_destroy(acc);
  fairgate_accumulator_destroy(other);
  fairgate_monitor_destroy(monitor);
  return 0;
}
