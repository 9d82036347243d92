// The policy / gate / controller / manifest part of the C-ABI fuzz target
// (called from fuzz_capi.cpp with a slice of the fuzz input): policy text
// from the fuzz input, gate evaluation with fuzzed arrays (NaN scores, bad
// labels and codes, wrong dtypes and counts), accessors with fuzzed indices
// and struct sizes, a tiny controller run whose evaluate callback fails or
// writes NaN on a fuzzed call, and manifests from fuzzed JSON.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include <fairgate/fairgate.h>

namespace {

class reader {
 public:
  reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  T take() {
    T v{};
    const std::size_t n = size_ < sizeof(T) ? size_ : sizeof(T);
    if (n > 0) std::memcpy(&v, data_, n);  // data_ may be NULL for an empty slice
    data_ += n;
    size_ -= n;
    return v;
  }
  std::string take_text(std::size_t max) {
    const std::size_t n = take<std::uint16_t>() % (max + 1);
    const std::size_t m = n < size_ ? n : size_;
    std::string s(m > 0 ? reinterpret_cast<const char*>(data_) : "", m);
    data_ += m;
    size_ -= m;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

void readable() {
  volatile std::size_t n = std::strlen(fairgate_last_error_message());
  (void)n;
}

// A valid two-group policy (point and ci evidence), so the gate is reached.
const char* kPolicy =
    "schema_version = 1\nname = \"fz\"\n[defaults]\nbootstrap_replicates = 20\nseed = 3\n"
    "[[target]]\nname = \"t\"\nsensitive_features = [\"g\"]\nmax_sparsity = 0.9\n"
    "allowed_bits = [8, 32]\nper_channel = true\n"
    "[[target.constraint]]\nid = \"eo\"\nmetric = \"equalized_odds_difference\"\n"
    "bound = \"<= baseline + 0.1\"\n"
    "[[target.constraint]]\nid = \"tpr\"\nmetric = \"tpr\"\nmax_drop = 0.2\nevidence = \"ci\"\n";

// A TOML-looking prefix so the mutator reaches the schema checks quickly.
std::string policy_text(reader& in) {
  std::string s;
  switch (in.take<std::uint8_t>() % 4u) {
    case 0:
      s = kPolicy;
      break;
    case 1:
      s = "schema_version = 1\nname = \"x\"\n[[target]]\nname = \"t\"\n";
      break;
    default:
      break;
  }
  return s + in.take_text(200);
}

void inspect_policy(const fairgate_policy* p, reader& in) {
  const char* s = nullptr;
  (void)fairgate_policy_name(p, &s);
  (void)fairgate_policy_digest(p, &s);
  (void)fairgate_policy_canonical_toml(p, &s);
  std::size_t n = 0;
  (void)fairgate_policy_target_count(p, &n);
  fairgate_target_info info{};
  info.struct_size = in.take<std::uint8_t>() % 8u ? sizeof info : in.take<std::uint8_t>();
  (void)fairgate_policy_target(p, in.take<std::uint8_t>() % (n + 2), &info);
  (void)fairgate_policy_sensitive_feature(p, in.take<std::uint8_t>() % (n + 2),
                                          in.take<std::uint8_t>() % 3u, &s);
  readable();
}

void fuzz_gate(const fairgate_policy* p, reader& in) {
  const std::size_t n = in.take<std::uint8_t>() % 48u;
  const std::size_t n_groups = in.take<std::uint8_t>() % 4u;
  // The dtype fields are fuzzed below, so the label and group buffers are
  // sized for the widest element type (8 bytes): the harness must not lie
  // about a buffer's extent, which the C ABI cannot check.
  std::vector<std::uint8_t> y(8 * (n + 1));
  std::vector<double> s0(n + 1), s1(n + 1), w(n + 1);
  std::vector<std::uint32_t> g(2 * (n + 1));
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = in.take<std::uint8_t>() % 9u ? in.take<std::uint8_t>() % 2u : 2;
    g[i] = in.take<std::uint8_t>() % 4u;
    s0[i] = in.take<std::uint8_t>() / 255.0;
    s1[i] = in.take<std::uint8_t>() % 16u ? in.take<std::uint8_t>() / 255.0 : in.take<double>();
    w[i] = in.take<std::uint8_t>() % 16u ? 1.0 : in.take<double>();
  }
  const char* names[4] = {"a", "b", "c", nullptr};
  fairgate_gate_inputs gi;
  (void)fairgate_gate_inputs_init(&gi);
  gi.n = n;
  gi.labels = y.data();
  gi.baseline_scores = s0.data();
  gi.candidate_scores = s1.data();
  gi.groups = g.data();
  gi.group_names = names;
  gi.n_groups = n_groups;
  if (in.take<std::uint8_t>() % 4u == 0) gi.weights = w.data();
  gi.threshold = in.take<std::uint8_t>() % 8u ? 0.5 : in.take<double>();
  gi.has_seed = in.take<std::uint8_t>() % 2;
  gi.seed = in.take<std::uint8_t>();
  if (in.take<std::uint8_t>() % 16u == 0) gi.labels_dtype = in.take<std::int8_t>();
  if (in.take<std::uint8_t>() % 16u == 0) gi.groups_dtype = in.take<std::int8_t>();
  if (in.take<std::uint8_t>() % 16u == 0) gi.struct_size = in.take<std::uint8_t>();
  const char* feature[1] = {"g"};
  if (in.take<std::uint8_t>() % 8u == 0) {
    gi.sensitive_features = feature;
    gi.n_sensitive_features = in.take<std::uint8_t>() % 2u;
  }
  fairgate_verdict* v = nullptr;
  const char* target = in.take<std::uint8_t>() % 8u ? "t" : "zz";
  if (fairgate_gate_evaluate(p, target, in.take<std::uint8_t>() % 16u ? &gi : nullptr, &v) !=
      FAIRGATE_OK) {
    readable();
    return;
  }
  int32_t pass = 0;
  (void)fairgate_verdict_pass(v, &pass);
  std::size_t nc = 0;
  (void)fairgate_verdict_constraint_count(v, &nc);
  fairgate_constraint_result c{};
  c.struct_size = in.take<std::uint8_t>() % 8u ? sizeof c : in.take<std::uint8_t>();
  const std::size_t ci = in.take<std::uint8_t>() % (nc + 1);
  (void)fairgate_verdict_constraint(v, ci, &c);
  fairgate_item_result it{};
  it.struct_size = sizeof it;
  (void)fairgate_verdict_item(v, ci, in.take<std::uint8_t>() % 5u, &it);
  const char* s = nullptr;
  (void)fairgate_verdict_constraint_group(v, ci, in.take<std::uint8_t>() % 3u, &s);
  std::size_t len = 0;
  (void)fairgate_verdict_json(v, &s, &len);
  (void)fairgate_verdict_table(v, &s, nullptr);
  fairgate_verdict_destroy(v);
  readable();
}

struct host {
  float w[6] = {0.5f, -1.0f, 2.0f, 0.25f, -3.0f, 1.5f};
  int calls = 0;
  int fail_at = 0;
  int nan_at = 0;
  int32_t fail_status = 0;
};

int32_t evaluate(void* user_data, double* out, std::size_t n) {
  auto* h = static_cast<host*>(user_data);
  ++h->calls;
  if (h->calls == h->fail_at) return h->fail_status;
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(h->w[i % 6]);
  if (h->calls == h->nan_at && n > 0) out[0] = NAN;
  return FAIRGATE_OK;
}

int32_t finetune(void* user_data, std::uint32_t) {
  auto* h = static_cast<host*>(user_data);
  return h->calls == h->fail_at ? h->fail_status : FAIRGATE_OK;
}

void fuzz_controller(const fairgate_policy* p, reader& in, const std::string& dir) {
  static const std::uint8_t y[6] = {1, 1, 1, 0, 1, 0};
  static const std::uint32_t g[6] = {0, 1, 0, 1, 0, 1};
  const char* names[2] = {"a", "b"};
  fairgate_evaluation_rows rows;
  (void)fairgate_evaluation_rows_init(&rows);
  rows.n = in.take<std::uint8_t>() % 8u ? 6 : in.take<std::uint8_t>() % 7u;
  rows.labels = y;
  rows.groups = g;
  rows.group_names = names;
  rows.n_groups = in.take<std::uint8_t>() % 8u ? 2 : in.take<std::uint8_t>() % 3u;
  fairgate_controller_options o;
  (void)fairgate_controller_options_init(&o);
  o.directory = in.take<std::uint8_t>() % 16u ? dir.c_str() : nullptr;
  const std::int32_t remedies[2] = {in.take<std::int8_t>() % 5, FAIRGATE_REMEDY_STOP};
  o.remedies = remedies;
  o.n_remedies = in.take<std::uint8_t>() % 3u;
  o.bisect_depth = in.take<std::uint8_t>() % 3u;
  o.restore_fraction = in.take<std::uint8_t>() % 8u ? 0.5 : in.take<double>();
  fairgate_controller* c = nullptr;
  if (fairgate_controller_create(p, &rows, &o, &c) != FAIRGATE_OK) {
    readable();
    return;
  }
  host h;
  h.fail_at = in.take<std::uint8_t>() % 8u;
  h.nan_at = in.take<std::uint8_t>() % 8u;
  h.fail_status = in.take<std::int8_t>();
  const std::int64_t shape[2] = {in.take<std::uint8_t>() % 4u ? 2 : 3, 3};
  fairgate_tensor t{h.w, FAIRGATE_DTYPE_F32, 2, shape, nullptr};
  if (in.take<std::uint8_t>() % 16u == 0) t.dtype = in.take<std::int8_t>();
  (void)fairgate_controller_add_tensor(c, "w", &t, in.take<std::int8_t>() % 3);
  fairgate_controller_callbacks cb{};
  cb.struct_size = in.take<std::uint8_t>() % 16u ? sizeof cb : in.take<std::uint8_t>();
  cb.evaluate = in.take<std::uint8_t>() % 16u ? evaluate : nullptr;
  cb.finetune = in.take<std::uint8_t>() % 2u ? finetune : nullptr;
  cb.user_data = &h;
  (void)fairgate_controller_set_callbacks(c, &cb);
  fairgate_milestone plan[3];
  const std::size_t n_plan = in.take<std::uint8_t>() % 4u;
  for (auto& m : plan) {
    (void)fairgate_milestone_init(&m);
    m.kind = in.take<std::int8_t>() % 4;
    m.sparsity =
        in.take<std::uint8_t>() % 8u ? in.take<std::uint8_t>() % 11u / 10.0 : in.take<double>();
    m.bits = in.take<std::uint8_t>() % 4u ? 8u : in.take<std::uint8_t>();
    m.finetune_steps = in.take<std::uint8_t>() % 3u;
  }
  // A fuzzed struct_size must not lie about the array: the ABI strides the
  // plan by it, so only sizes up to sizeof(fairgate_milestone) are claimed.
  if (in.take<std::uint8_t>() % 16u == 0)
    plan[0].struct_size = in.take<std::uint8_t>() % (sizeof(fairgate_milestone) + 1u);
  if (fairgate_controller_run(c, plan, n_plan) == FAIRGATE_OK) {
    std::size_t n = 0;
    (void)fairgate_controller_result_count(c, &n);
    fairgate_target_result r{};
    r.struct_size = sizeof r;
    (void)fairgate_controller_target_result(c, in.take<std::uint8_t>() % (n + 1), &r);
    fairgate_frontier_point pts[4];
    std::size_t nf = 0;
    (void)fairgate_controller_frontier(c, 0, pts, in.take<std::uint8_t>() % 5u, &nf);
    double sp = 0;
    std::uint32_t bits = 0;
    std::uint8_t mask[9];
    (void)fairgate_controller_best_tensor(c, 0, in.take<std::uint8_t>() % 2u, &sp, &bits, mask,
                                          in.take<std::uint8_t>() % 10u);
    // Record the run, then roll back to a fuzzed checkpoint of a fuzzed target.
    fairgate_manifest* m = nullptr;
    if (fairgate_manifest_create(&m) == FAIRGATE_OK) {
      (void)fairgate_controller_record(c, in.take<std::uint8_t>() % 16u ? m : nullptr);
      std::uint64_t cp = 0;
      (void)fairgate_controller_restore(c, m, in.take<std::uint8_t>() % 8u ? "t" : "zz",
                                        in.take<std::uint8_t>() % 6u, &sp, &cp);
      fairgate_manifest_destroy(m);
    }
  }
  readable();
  const char* s = nullptr;
  (void)fairgate_controller_digest(c, &s);
  (void)fairgate_controller_changelog_path(c, &s);
  fairgate_controller_destroy(c);
}

void fuzz_manifest(reader& in, const std::string& dir) {
  fairgate_manifest* m = nullptr;
  if (in.take<std::uint8_t>() % 2u) {
    const std::string text = in.take_text(300);
    if (fairgate_manifest_from_json(text.data(), text.size(), &m) != FAIRGATE_OK) {
      readable();
      return;
    }
  } else if (fairgate_manifest_create(&m) != FAIRGATE_OK) {
    return;
  }
  const std::string key = in.take_text(12);
  const std::string value = in.take_text(40);
  (void)fairgate_manifest_add_result_json(m, key.c_str(), value.c_str());
  (void)fairgate_manifest_add_config_json(m, value.c_str(), key.c_str());
  (void)fairgate_manifest_add_input_digest(m, key.c_str(), value.c_str(), in.take<std::uint8_t>());
  (void)fairgate_manifest_set_policy(m, key.c_str(), value.data(), value.size());
  (void)fairgate_manifest_add_artifact(m, key.c_str(), value.data(), value.size());
  (void)fairgate_manifest_set_root_seed(m, in.take<std::uint64_t>());
  char hex[65];
  (void)fairgate_manifest_computation_sha256(m, hex);
  std::size_t need = 0;
  if (fairgate_manifest_to_json(m, nullptr, 0, &need) == FAIRGATE_OK) {
    std::vector<char> buf(need);
    (void)fairgate_manifest_to_json(m, buf.data(), buf.size(), &need);
  }
  const std::string path = dir + "/m.json";
  if (fairgate_manifest_write(m, path.c_str()) == FAIRGATE_OK) {
    fairgate_verify_report* r = nullptr;
    if (fairgate_manifest_verify(path.c_str(), m, &r) == FAIRGATE_OK) {
      int32_t same = 0;
      std::size_t nd = 0;
      const char *a = nullptr, *b = nullptr, *c = nullptr;
      (void)fairgate_verify_report_identical(r, &same);
      (void)fairgate_verify_report_difference_count(r, &nd);
      (void)fairgate_verify_report_difference(r, in.take<std::uint8_t>() % (nd + 1), &a, &b, &c);
      (void)fairgate_verify_report_text(r, &a);
    }
    fairgate_verify_report_destroy(r);
  }
  readable();
  fairgate_manifest_destroy(m);
}

// One scratch directory per process for checkpoints and manifests, removed at exit.
std::string scratch_dir;
void remove_scratch() {
  std::error_code ec;
  if (!scratch_dir.empty()) std::filesystem::remove_all(scratch_dir, ec);
}
const std::string& scratch() {
  if (scratch_dir.empty()) {
    char tmpl[] = "/tmp/fuzz_capi_gate_XXXXXX";
    const char* d = mkdtemp(tmpl);
    scratch_dir = d == nullptr ? "/tmp/fuzz_capi_gate_fallback" : d;
    std::atexit(remove_scratch);
  }
  return scratch_dir;
}

}  // namespace

void fuzz_capi_gate(const std::uint8_t* data, std::size_t size) {
  reader in(data, size);
  const std::string text = policy_text(in);
  fairgate_policy* p = nullptr;
  const bool null_text = in.take<std::uint8_t>() % 32u == 0;
  if (fairgate_policy_load_string(null_text ? nullptr : text.data(), text.size(), "fuzz.toml",
                                  &p) != FAIRGATE_OK) {
    readable();
    fairgate_policy_diagnostics* d = nullptr;
    if (fairgate_policy_validate(text.data(), text.size(), nullptr, &d) == FAIRGATE_OK) {
      std::size_t n = 0;
      (void)fairgate_policy_diagnostics_count(d, &n);
      fairgate_policy_diagnostic x{};
      x.struct_size = in.take<std::uint8_t>() % 8u ? sizeof x : in.take<std::uint8_t>();
      (void)fairgate_policy_diagnostics_get(d, in.take<std::uint8_t>() % (n + 1), &x);
    }
    fairgate_policy_diagnostics_destroy(d);
    // Fall back to the known-good policy so the gate and controller are reached.
    if (fairgate_policy_load_string(kPolicy, std::strlen(kPolicy), nullptr, &p) != FAIRGATE_OK)
      return;
  }
  inspect_policy(p, in);
  switch (in.take<std::uint8_t>() % 4u) {
    case 0:
    case 1:
      fuzz_gate(in.take<std::uint8_t>() % 16u ? p : nullptr, in);
      break;
    case 2:
      fuzz_controller(p, in, scratch() + "/ctl");
      break;
    default:
      fuzz_manifest(in, scratch());
      break;
  }
  fairgate_policy_destroy(p);
}
