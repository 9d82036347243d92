/* C99 contract tests of the policy, gate, controller and manifest parts of
 * the C ABI: hand-computed verdicts and controller results, and bad input
 * (NULL handles, struct_size 0, wrong lengths, failing and NaN callbacks, a
 * policy syntax error with its line) that must give a status, never a crash. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, access */
#include <fairgate/fairgate.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_OK(call) CHECK((call) == FAIRGATE_OK)
#define CHECK_STATUS(call, st)                                                                \
  do {                                                                                        \
    fairgate_status got_ = (call);                                                            \
    ++checks;                                                                                 \
    if (got_ != (st)) {                                                                       \
      ++failures;                                                                             \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__, __LINE__, #call, \
              fairgate_status_name((int)got_), fairgate_status_name((int)(st)),               \
              fairgate_last_error_message());                                                 \
    }                                                                                         \
  } while (0)

static int contains(const char* s, const char* part) {
  return s != NULL && strstr(s, part) != NULL;
}

/* Two groups of four rows. dp: demographic parity difference <= 0.2;
 * tpr-floor: every group's TPR >= 0.5. */
static const char* POLICY =
    "schema_version = 1\n"
    "name = \"ctest\"\n"
    "[[target]]\n"
    "name = \"server\"\n"
    "sensitive_features = [\"sex\"]\n"
    "max_sparsity = 0.9\n"
    "allowed_bits = [32]\n"
    "[[target.constraint]]\n"
    "id = \"dp\"\n"
    "metric = \"demographic_parity_difference\"\n"
    "bound = \"<= 0.2\"\n"
    "[[target.constraint]]\n"
    "id = \"tpr-floor\"\n"
    "metric = \"tpr\"\n"
    "scope = \"every_group\"\n"
    "bound = \">= 0.5\"\n";

static fairgate_policy* load_policy(const char* text) {
  fairgate_policy* p = NULL;
  if (fairgate_policy_load_string(text, strlen(text), "ctest.toml", &p) != FAIRGATE_OK) {
    fprintf(stderr, "policy: %s\n", fairgate_last_error_message());
    return NULL;
  }
  return p;
}

static void test_policy(void) {
  fairgate_policy* p = load_policy(POLICY);
  CHECK(p != NULL);
  if (p == NULL) return;
  const char* name = NULL;
  CHECK_OK(fairgate_policy_name(p, &name));
  CHECK(name && strcmp(name, "ctest") == 0);
  const char* digest = NULL;
  CHECK_OK(fairgate_policy_digest(p, &digest));
  CHECK(digest && strncmp(digest, "sha256:", 7) == 0 && strlen(digest) == 7 + 64);
  size_t n = 0;
  CHECK_OK(fairgate_policy_target_count(p, &n));
  CHECK(n == 1);
  fairgate_target_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  CHECK_OK(fairgate_policy_target(p, 0, &info));
  CHECK(info.name && strcmp(info.name, "server") == 0);
  CHECK(info.n_constraints == 2 && info.n_sensitive_features == 1);
  CHECK(info.max_sparsity == 0.9 && info.min_allowed_bits == 32 && info.per_channel == 0);
  const char* feature = NULL;
  CHECK_OK(fairgate_policy_sensitive_feature(p, 0, 0, &feature));
  CHECK(feature && strcmp(feature, "sex") == 0);

  /* The canonical text loads back to a policy with the same digest. */
  const char* canon = NULL;
  CHECK_OK(fairgate_policy_canonical_toml(p, &canon));
  fairgate_policy* q = canon ? load_policy(canon) : NULL;
  const char* digest2 = NULL;
  CHECK(q != NULL && fairgate_policy_digest(q, &digest2) == FAIRGATE_OK && digest2 &&
        strcmp(digest, digest2) == 0);
  fairgate_policy_destroy(q);

  /* Bad input. */
  CHECK_STATUS(fairgate_policy_target(p, 1, &info), FAIRGATE_E_OUT_OF_RANGE);
  info.struct_size = 0;
  CHECK_STATUS(fairgate_policy_target(p, 0, &info), FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(contains(fairgate_last_error_message(), "struct_size"));
  CHECK_STATUS(fairgate_policy_sensitive_feature(p, 0, 1, &feature), FAIRGATE_E_OUT_OF_RANGE);
  CHECK_STATUS(fairgate_policy_name(NULL, &name), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_policy_target_count(p, NULL), FAIRGATE_E_NULL_POINTER);
  fairgate_policy* none = NULL;
  CHECK_STATUS(fairgate_policy_load_string(NULL, 5, NULL, &none), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_policy_load_file("/nonexistent/policy.toml", &none), FAIRGATE_E_IO);
  CHECK_STATUS(fairgate_policy_load_file(NULL, &none), FAIRGATE_E_NULL_POINTER);
  CHECK(none == NULL);
  fairgate_policy_destroy(NULL);
  fairgate_policy_destroy(p);
}

static void test_policy_errors(void) {
  /* A syntax error on line 4 (a key without a value). */
  const char* bad = "schema_version = 1\nname = \"x\"\n[[target]]\nname = \n";
  fairgate_policy* p = NULL;
  CHECK_STATUS(fairgate_policy_load_string(bad, strlen(bad), "bad.toml", &p), FAIRGATE_E_PARSE);
  CHECK(p == NULL);
  CHECK(contains(fairgate_last_error_message(), "bad.toml:4:"));

  /* A schema error: an unknown metric on line 9, with its key path. */
  const char* unknown =
      "schema_version = 1\nname = \"x\"\n[[target]]\nname = \"t\"\n"
      "sensitive_features = [\"sex\"]\n"
      "[[target.constraint]]\nid = \"a\"\nbound = \"<= 0.1\"\nmetric = \"acuracy\"\n";
  CHECK_STATUS(fairgate_policy_load_string(unknown, strlen(unknown), "u.toml", &p),
               FAIRGATE_E_PARSE);
  CHECK(contains(fairgate_last_error_message(), "u.toml:9:"));
  CHECK(contains(fairgate_last_error_message(), "target[0].constraint[0].metric"));

  fairgate_policy_diagnostics* d = NULL;
  CHECK_OK(fairgate_policy_validate(unknown, strlen(unknown), "u.toml", &d));
  size_t n = 0;
  CHECK_OK(fairgate_policy_diagnostics_count(d, &n));
  CHECK(n >= 1);
  fairgate_policy_diagnostic diag;
  memset(&diag, 0, sizeof diag);
  diag.struct_size = sizeof diag;
  CHECK_OK(fairgate_policy_diagnostics_get(d, 0, &diag));
  CHECK(diag.line == 9);
  CHECK(diag.key && strcmp(diag.key, "target[0].constraint[0].metric") == 0);
  CHECK(contains(diag.message, "acuracy"));
  CHECK(contains(diag.text, "u.toml:9:"));
  CHECK(diag.source && strcmp(diag.source, "u.toml") == 0);
  CHECK_STATUS(fairgate_policy_diagnostics_get(d, n, &diag), FAIRGATE_E_OUT_OF_RANGE);
  diag.struct_size = 0;
  CHECK_STATUS(fairgate_policy_diagnostics_get(d, 0, &diag), FAIRGATE_E_INVALID_ARGUMENT);
  fairgate_policy_diagnostics_destroy(d);

  /* A valid policy has no diagnostics. */
  d = NULL;
  CHECK_OK(fairgate_policy_validate(POLICY, strlen(POLICY), NULL, &d));
  CHECK_OK(fairgate_policy_diagnostics_count(d, &n));
  CHECK(n == 0);
  fairgate_policy_diagnostics_destroy(d);
  d = NULL;
  CHECK_OK(fairgate_policy_validate_file("/nonexistent/p.toml", &d));
  CHECK_OK(fairgate_policy_diagnostics_count(d, &n));
  CHECK(n == 1);
  fairgate_policy_diagnostics_destroy(d);
  fairgate_policy_diagnostics_destroy(NULL);
  CHECK_STATUS(fairgate_policy_diagnostics_count(NULL, &n), FAIRGATE_E_NULL_POINTER);
}

/* Rows 0-3 are group A, 4-7 group B; labels 1,1,0,0 in each group. */
static const uint8_t Y[8] = {1, 1, 0, 0, 1, 1, 0, 0};
static const uint32_t G[8] = {0, 0, 0, 0, 1, 1, 1, 1};
static const double S0[8] = {0.9, 0.8, 0.1, 0.2, 0.9, 0.8, 0.1, 0.2};
static const double S1[8] = {0.9, 0.8, 0.1, 0.2, 0.9, 0.3, 0.1, 0.2};
static const char* const NAMES[2] = {"A", "B"};

static void gate_inputs(fairgate_gate_inputs* in) {
  CHECK_OK(fairgate_gate_inputs_init(in));
  in->n = 8;
  in->labels = Y;
  in->baseline_scores = S0;
  in->candidate_scores = S1;
  in->groups = G;
  in->group_names = NAMES;
  in->n_groups = 2;
}

static void test_gate(void) {
  fairgate_policy* p = load_policy(POLICY);
  if (p == NULL) {
    CHECK(0);
    return;
  }
  fairgate_gate_inputs in;
  gate_inputs(&in);
  fairgate_verdict* v = NULL;
  CHECK_OK(fairgate_gate_evaluate(p, "server", &in, &v));
  /* Hand computation (threshold 0.5). Candidate predictions: A = 1,1,0,0;
   * B = 1,0,0,0. Selection rates A = 2/4 = 0.5, B = 1/4 = 0.25:
   * dp = 0.5 - 0.25 = 0.25 > 0.2 -> fail. TPR: A = 2/2 = 1, B = 1/2 = 0.5;
   * both >= 0.5 -> pass; the worst item is B with 0.5. */
  int32_t pass = -1;
  CHECK_OK(fairgate_verdict_pass(v, &pass));
  CHECK(pass == 0);
  size_t n = 0;
  CHECK_OK(fairgate_verdict_constraint_count(v, &n));
  CHECK(n == 2);
  fairgate_constraint_result c;
  memset(&c, 0, sizeof c);
  c.struct_size = sizeof c;
  CHECK_OK(fairgate_verdict_constraint(v, 0, &c));
  CHECK(c.id && strcmp(c.id, "dp") == 0);
  CHECK(c.outcome == FAIRGATE_OUTCOME_FAIL);
  CHECK(c.value == 0.25);
  CHECK(c.scope && strcmp(c.scope, "overall") == 0);
  CHECK(c.evidence && strcmp(c.evidence, "point") == 0);
  CHECK(isnan(c.lower) && isnan(c.upper) && isnan(c.p_value));
  CHECK(c.reason && c.reason[0] != '\0');
  CHECK(c.n_items == 1);
  fairgate_item_result it;
  memset(&it, 0, sizeof it);
  it.struct_size = sizeof it;
  CHECK_OK(fairgate_verdict_item(v, 0, 0, &it));
  CHECK(it.baseline == 0.0 && it.candidate == 0.25 && it.support == 8);
  CHECK(it.outcome == FAIRGATE_OUTCOME_FAIL && it.bound == 0.2);

  CHECK_OK(fairgate_verdict_constraint(v, 1, &c));
  CHECK(c.id && strcmp(c.id, "tpr-floor") == 0);
  CHECK(c.outcome == FAIRGATE_OUTCOME_PASS && c.value == 0.5 && c.n_items == 2);
  CHECK_OK(fairgate_verdict_item(v, 1, 1, &it));
  CHECK(it.group && strcmp(it.group, "B") == 0);
  CHECK(it.candidate == 0.5 && it.baseline == 1.0 && it.support == 4);

  const char* json = NULL;
  size_t len = 0;
  CHECK_OK(fairgate_verdict_json(v, &json, &len));
  CHECK(json && len == strlen(json) && contains(json, "\"tpr-floor\""));
  const char* table = NULL;
  CHECK_OK(fairgate_verdict_table(v, &table, NULL));
  CHECK(contains(table, "dp"));

  /* Same inputs, same JSON bytes (determinism). */
  fairgate_verdict* v2 = NULL;
  CHECK_OK(fairgate_gate_evaluate(p, "server", &in, &v2));
  const char* json2 = NULL;
  CHECK_OK(fairgate_verdict_json(v2, &json2, NULL));
  CHECK(json && json2 && strcmp(json, json2) == 0);
  fairgate_verdict_destroy(v2);

  /* Accessor bad input. */
  CHECK_STATUS(fairgate_verdict_constraint(v, 2, &c), FAIRGATE_E_OUT_OF_RANGE);
  CHECK_STATUS(fairgate_verdict_item(v, 1, 2, &it), FAIRGATE_E_OUT_OF_RANGE);
  const char* grp = NULL;
  CHECK_OK(fairgate_verdict_constraint_group(v, 0, 0, &grp));
  CHECK(grp != NULL);
  CHECK_STATUS(fairgate_verdict_constraint_group(v, 0, 99, &grp), FAIRGATE_E_OUT_OF_RANGE);
  c.struct_size = 0;
  CHECK_STATUS(fairgate_verdict_constraint(v, 0, &c), FAIRGATE_E_INVALID_ARGUMENT);
  CHECK_STATUS(fairgate_verdict_pass(NULL, &pass), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_verdict_json(v, NULL, NULL), FAIRGATE_E_NULL_POINTER);
  fairgate_verdict_destroy(v);
  fairgate_verdict_destroy(NULL);

  /* Evaluate bad input: every case gives a status and no verdict. */
  fairgate_verdict* none = NULL;
  CHECK_STATUS(fairgate_gate_evaluate(NULL, "server", &in, &none), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_gate_evaluate(p, NULL, &in, &none), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_gate_evaluate(p, "nope", &in, &none), FAIRGATE_E_INVALID_ARGUMENT);
  in.struct_size = 0;
  CHECK_STATUS(fairgate_gate_evaluate(p, "server", &in, &none), FAIRGATE_E_INVALID_ARGUMENT);
  gate_inputs(&in);
  in.candidate_scores = NULL;
  CHECK_STATUS(fairgate_gate_evaluate(p, "server", &in, &none), FAIRGATE_E_NULL_POINTER);
  gate_inputs(&in);
  in.n_groups = 1; /* code 1 is out of range */
  CHECK(fairgate_gate_evaluate(p, "server", &in, &none) != FAIRGATE_OK);
  gate_inputs(&in);
  {
    double nan_scores[8];
    memcpy(nan_scores, S1, sizeof nan_scores);
    nan_scores[5] = NAN;
    in.candidate_scores = nan_scores;
    CHECK_STATUS(fairgate_gate_evaluate(p, "server", &in, &none), FAIRGATE_E_INVALID_VALUE);
    CHECK(contains(fairgate_last_error_message(), "5"));
  }
  gate_inputs(&in);
  {
    uint8_t bad_labels[8];
    memcpy(bad_labels, Y, sizeof bad_labels);
    bad_labels[3] = 2;
    in.labels = bad_labels;
    CHECK(fairgate_gate_evaluate(p, "server", &in, &none) != FAIRGATE_OK);
    CHECK(contains(fairgate_last_error_message(), "3"));
  }
  gate_inputs(&in);
  in.labels_dtype = 99;
  CHECK_STATUS(fairgate_gate_evaluate(p, "server", &in, &none), FAIRGATE_E_INVALID_ARGUMENT);
  gate_inputs(&in);
  {
    const char* const wrong[1] = {"race"};
    in.sensitive_features = wrong;
    in.n_sensitive_features = 1;
    CHECK_STATUS(fairgate_gate_evaluate(p, "server", &in, &none), FAIRGATE_E_INVALID_ARGUMENT);
  }
  gate_inputs(&in);
  {
    const char* const holes[2] = {"A", NULL};
    in.group_names = holes;
    CHECK_STATUS(fairgate_gate_evaluate(p, "server", &in, &none), FAIRGATE_E_INVALID_ARGUMENT);
  }
  CHECK(none == NULL);
  CHECK_STATUS(fairgate_gate_inputs_init(NULL), FAIRGATE_E_NULL_POINTER);
  fairgate_policy_destroy(p);
}

/* The controller's model: one weight per row, score_i = w[i % 4] (rows are
 * one-hot). Labels are all 1, so a row predicts 1 while its weight is kept. */
typedef struct host {
  float w[4];
  int calls;
  int fail_at;    /* return an error on this call (1-based), 0: never */
  int nan_at;     /* write a NaN on this call */
  int write_none; /* return OK without writing */
} host;

static int32_t host_evaluate(void* user_data, double* out, size_t n) {
  host* h = (host*)user_data;
  ++h->calls;
  if (h->fail_at == h->calls) return FAIRGATE_E_IO;
  if (h->write_none) return FAIRGATE_OK;
  for (size_t i = 0; i < n; ++i) out[i] = h->w[i % 4];
  if (h->nan_at == h->calls) out[n - 1] = NAN;
  return FAIRGATE_OK;
}

static const char* CTRL_POLICY =
    "schema_version = 1\n"
    "name = \"ctrl\"\n"
    "[[target]]\n"
    "name = \"server\"\n"
    "sensitive_features = [\"g\"]\n"
    "max_sparsity = 0.9\n"
    "allowed_bits = [32]\n"
    "[[target.constraint]]\n"
    "id = \"tpr-floor\"\n"
    "metric = \"tpr\"\n"
    "scope = \"every_group\"\n"
    "bound = \">= 0.5\"\n";

static const uint8_t CY[4] = {1, 1, 1, 1};
static const uint32_t CG[4] = {0, 1, 0, 1};

static fairgate_controller* make_controller(fairgate_policy* p, const char* dir, host* h,
                                            int32_t remedy) {
  fairgate_evaluation_rows rows;
  CHECK_OK(fairgate_evaluation_rows_init(&rows));
  rows.n = 4;
  rows.labels = CY;
  rows.groups = CG;
  rows.group_names = NAMES;
  rows.n_groups = 2;
  fairgate_controller_options o;
  CHECK_OK(fairgate_controller_options_init(&o));
  o.directory = dir;
  o.remedies = &remedy;
  o.n_remedies = 1;
  fairgate_controller* c = NULL;
  if (fairgate_controller_create(p, &rows, &o, &c) != FAIRGATE_OK) {
    fprintf(stderr, "controller: %s\n", fairgate_last_error_message());
    return NULL;
  }
  static const int64_t shape[2] = {1, 4};
  fairgate_tensor t = {h->w, FAIRGATE_DTYPE_F32, 2, shape, NULL};
  if (fairgate_controller_add_tensor(c, "w", &t, 0) != FAIRGATE_OK) {
    fprintf(stderr, "add_tensor: %s\n", fairgate_last_error_message());
  }
  fairgate_controller_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.struct_size = sizeof cb;
  cb.evaluate = host_evaluate;
  cb.user_data = h;
  if (fairgate_controller_set_callbacks(c, &cb) != FAIRGATE_OK) {
    fprintf(stderr, "set_callbacks: %s\n", fairgate_last_error_message());
  }
  return c;
}

static void plan2(fairgate_milestone plan[2]) {
  CHECK_OK(fairgate_milestone_init(&plan[0]));
  CHECK_OK(fairgate_milestone_init(&plan[1]));
  plan[0].sparsity = 0.5;
  plan[1].sparsity = 0.75;
}

static void test_controller(const char* root) {
  char dir[512];
  fairgate_policy* p = load_policy(CTRL_POLICY);
  if (p == NULL) {
    CHECK(0);
    return;
  }
  host h = {{1.0f, 2.0f, 3.0f, 4.0f}, 0, 0, 0, 0};
  snprintf(dir, sizeof dir, "%s/run", root);
  fairgate_controller* c = make_controller(p, dir, &h, FAIRGATE_REMEDY_STOP);
  CHECK(c != NULL);
  if (c == NULL) {
    fairgate_policy_destroy(p);
    return;
  }
  fairgate_milestone plan[2];
  plan2(plan);
  /* Results before a run: an error, not garbage. */
  size_t n = 0;
  CHECK_STATUS(fairgate_controller_result_count(c, &n), FAIRGATE_E_INVALID_ARGUMENT);
  CHECK_OK(fairgate_controller_run(c, plan, 2));
  /* Hand computation. Sparsity 0.5 prunes the two smallest |w| (w0 = 1,
   * w1 = 2): rows 0 (group A) and 1 (group B) predict 0, so TPR A = 1/2 and
   * B = 1/2, both >= 0.5: kept. Sparsity 0.75 also prunes w2 = 3: TPR A =
   * 0/2 < 0.5: fails, and the only remedy, stop, ends the plan. Best state:
   * sparsity 0.5, mask 0,0,1,1, worst group TPR 0.5. */
  CHECK_OK(fairgate_controller_result_count(c, &n));
  CHECK(n == 1);
  fairgate_target_result r;
  memset(&r, 0, sizeof r);
  r.struct_size = sizeof r;
  CHECK_OK(fairgate_controller_target_result(c, 0, &r));
  CHECK(r.target && strcmp(r.target, "server") == 0);
  CHECK(r.pass == 1 && r.sparsity == 0.5 && r.mean_bits == 32.0 && r.stopped == 1);
  CHECK(r.worst_group_metric == 0.5 && r.n_tensors == 1);
  CHECK(r.state_digest && strlen(r.state_digest) == 64);
  CHECK(contains(r.verdict_json, "tpr-floor"));
  double sp = -1;
  uint32_t bits = 0;
  uint8_t mask[4] = {9, 9, 9, 9};
  CHECK_OK(fairgate_controller_best_tensor(c, 0, 0, &sp, &bits, mask, 4));
  CHECK(sp == 0.5 && bits == 32);
  CHECK(mask[0] == 0 && mask[1] == 0 && mask[2] == 1 && mask[3] == 1);
  /* The host's weights are the original ones again. */
  CHECK(h.w[0] == 1.0f && h.w[1] == 2.0f && h.w[2] == 3.0f && h.w[3] == 4.0f);
  /* Frontier: two-call pattern; the passing states are the baseline (0, TPR 1)
   * and sparsity 0.5 (TPR 0.5): neither dominates the other. */
  size_t nf = 0;
  CHECK_OK(fairgate_controller_frontier(c, 0, NULL, 0, &nf));
  CHECK(nf == r.n_frontier && nf == 2);
  fairgate_frontier_point pts[4];
  CHECK_OK(fairgate_controller_frontier(c, 0, pts, 4, &nf));
  CHECK(nf == 2 && pts[0].sparsity == 0.0 && pts[1].sparsity == 0.5 && pts[1].pass == 1);
  const char* digest = NULL;
  CHECK_OK(fairgate_controller_digest(c, &digest));
  CHECK(digest && strlen(digest) == 64);
  char digest1[65];
  snprintf(digest1, sizeof digest1, "%s", digest ? digest : "");
  const char* log = NULL;
  CHECK_OK(fairgate_controller_changelog_path(c, &log));
  CHECK(contains(log, "changelog.jsonl") && access(log, R_OK) == 0);

  /* Record the run in a manifest, then roll back: restore the best state into
   * the host's tensors. Best state = w * mask = 0, 0, 3, 4. */
  fairgate_manifest* record = NULL;
  CHECK_OK(fairgate_manifest_create(&record));
  CHECK_OK(fairgate_controller_record(c, record));
  char record_hex[65] = {0};
  CHECK_OK(fairgate_manifest_computation_sha256(record, record_hex));
  double restored_sparsity = -1;
  uint64_t restored_checkpoint = 0;
  CHECK_OK(fairgate_controller_restore(c, record, "server", 0, &restored_sparsity,
                                       &restored_checkpoint));
  CHECK(restored_sparsity == 0.5 && restored_checkpoint >= 1);
  CHECK(h.w[0] == 0.0f && h.w[1] == 0.0f && h.w[2] == 3.0f && h.w[3] == 4.0f);
  CHECK_STATUS(fairgate_controller_restore(c, record, "nope", 0, NULL, NULL),
               FAIRGATE_E_INVALID_ARGUMENT);
  CHECK_STATUS(fairgate_controller_restore(c, NULL, "server", 0, NULL, NULL),
               FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_controller_record(c, NULL), FAIRGATE_E_NULL_POINTER);
  h.w[0] = 1.0f;
  h.w[1] = 2.0f;

  /* Result accessor bad input. */
  CHECK_STATUS(fairgate_controller_target_result(c, 1, &r), FAIRGATE_E_OUT_OF_RANGE);
  r.struct_size = 0;
  CHECK_STATUS(fairgate_controller_target_result(c, 0, &r), FAIRGATE_E_INVALID_ARGUMENT);
  CHECK_STATUS(fairgate_controller_best_tensor(c, 0, 1, &sp, &bits, NULL, 0),
               FAIRGATE_E_OUT_OF_RANGE);
  CHECK_STATUS(fairgate_controller_best_tensor(c, 0, 0, &sp, &bits, mask, 3),
               FAIRGATE_E_LENGTH_MISMATCH);

  /* A second run in a fresh directory gives the same digest (determinism). */
  fairgate_controller_destroy(c);
  snprintf(dir, sizeof dir, "%s/run2", root);
  c = make_controller(p, dir, &h, FAIRGATE_REMEDY_STOP);
  CHECK_OK(fairgate_controller_run(c, plan, 2));
  CHECK_OK(fairgate_controller_digest(c, &digest));
  CHECK(digest && strcmp(digest, digest1) == 0);
  /* ... and records the same computation section (no paths, no times). */
  {
    fairgate_manifest* record2 = NULL;
    char hex2[65] = {0};
    CHECK_OK(fairgate_manifest_create(&record2));
    CHECK_OK(fairgate_controller_record(c, record2));
    CHECK_OK(fairgate_manifest_computation_sha256(record2, hex2));
    CHECK(strcmp(record_hex, hex2) == 0);
    fairgate_manifest_destroy(record2);
  }
  fairgate_manifest_destroy(record);

  /* A failing callback: the run returns the callback's status, names it, and
   * the weights are restored. The earlier results are gone. */
  h.calls = 0;
  h.fail_at = 2;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_IO);
  CHECK(contains(fairgate_last_error_message(), "evaluate callback"));
  CHECK(h.w[0] == 1.0f && h.w[1] == 2.0f && h.w[2] == 3.0f && h.w[3] == 4.0f);
  CHECK_STATUS(fairgate_controller_result_count(c, &n), FAIRGATE_E_INVALID_ARGUMENT);
  /* A NaN score. */
  h.calls = 0;
  h.fail_at = 0;
  h.nan_at = 2;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_VALUE);
  CHECK(contains(fairgate_last_error_message(), "scores[3]"));
  CHECK(h.w[0] == 1.0f && h.w[3] == 4.0f);
  /* A callback that writes nothing is caught as non-finite scores. */
  h.calls = 0;
  h.nan_at = 0;
  h.write_none = 1;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_VALUE);
  h.write_none = 0;
  /* Plans: bad kind, sparsity out of range, NaN, mixed struct sizes, NULL. */
  plan[1].kind = 7;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_ARGUMENT);
  plan2(plan);
  plan[1].sparsity = 1.5;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_ARGUMENT);
  plan[1].sparsity = NAN;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_ARGUMENT);
  plan2(plan);
  plan[1].struct_size = 8;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_ARGUMENT);
  plan[0].struct_size = 0;
  CHECK_STATUS(fairgate_controller_run(c, plan, 2), FAIRGATE_E_INVALID_ARGUMENT);
  CHECK_STATUS(fairgate_controller_run(c, NULL, 2), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_controller_run(NULL, plan, 2), FAIRGATE_E_NULL_POINTER);

  /* Tensors: wrong dtype, strides, duplicate name, bad axis, NULL data. */
  {
    static const int64_t shape[2] = {1, 4};
    static const int64_t strides[2] = {4, 1};
    double dw[4] = {1, 2, 3, 4};
    fairgate_tensor t = {dw, FAIRGATE_DTYPE_F64, 2, shape, NULL};
    CHECK_STATUS(fairgate_controller_add_tensor(c, "d", &t, 0), FAIRGATE_E_INVALID_ARGUMENT);
    fairgate_tensor t2 = {h.w, FAIRGATE_DTYPE_F32, 2, shape, strides};
    CHECK_STATUS(fairgate_controller_add_tensor(c, "s", &t2, 0), FAIRGATE_E_INVALID_ARGUMENT);
    fairgate_tensor t3 = {h.w, FAIRGATE_DTYPE_F32, 2, shape, NULL};
    CHECK_STATUS(fairgate_controller_add_tensor(c, "w", &t3, 0), FAIRGATE_E_INVALID_ARGUMENT);
    CHECK_STATUS(fairgate_controller_add_tensor(c, "x", &t3, 2), FAIRGATE_E_INVALID_ARGUMENT);
    fairgate_tensor t4 = {NULL, FAIRGATE_DTYPE_F32, 2, shape, NULL};
    CHECK_STATUS(fairgate_controller_add_tensor(c, "y", &t4, 0), FAIRGATE_E_NULL_POINTER);
    CHECK_STATUS(fairgate_controller_add_tensor(c, NULL, &t3, 0), FAIRGATE_E_NULL_POINTER);
  }
  /* Callbacks: evaluate is required; struct_size 0 is rejected. */
  {
    fairgate_controller_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.struct_size = sizeof cb;
    CHECK_STATUS(fairgate_controller_set_callbacks(c, &cb), FAIRGATE_E_NULL_POINTER);
    cb.evaluate = host_evaluate;
    cb.struct_size = 0;
    CHECK_STATUS(fairgate_controller_set_callbacks(c, &cb), FAIRGATE_E_INVALID_ARGUMENT);
  }
  fairgate_controller_destroy(c);
  fairgate_controller_destroy(NULL);

  /* Creation bad input. */
  {
    fairgate_controller* none = NULL;
    fairgate_evaluation_rows rows;
    CHECK_OK(fairgate_evaluation_rows_init(&rows));
    rows.n = 4;
    rows.labels = CY;
    rows.groups = CG;
    rows.group_names = NAMES;
    rows.n_groups = 2;
    fairgate_controller_options o;
    CHECK_OK(fairgate_controller_options_init(&o));
    CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_NULL_POINTER);
    o.directory = "/dev/null/cannot"; /* a path under a regular file */
    CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_IO);
    snprintf(dir, sizeof dir, "%s/run3", root);
    o.directory = dir;
    rows.n_groups = 1; /* code 1 out of range */
    CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_OUT_OF_RANGE);
    rows.n_groups = 2;
    o.restore_fraction = 0.0;
    CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_INVALID_ARGUMENT);
    o.restore_fraction = 0.25;
    {
      const int32_t bad_remedy = 9;
      o.remedies = &bad_remedy;
      o.n_remedies = 1;
      CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_INVALID_ARGUMENT);
      o.remedies = NULL;
    }
    {
      const char* const targets[1] = {"nope"};
      o.targets = targets;
      o.n_targets = 1;
      CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_INVALID_ARGUMENT);
      o.targets = NULL;
      o.n_targets = 0;
    }
    o.struct_size = 0;
    CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_INVALID_ARGUMENT);
    o.struct_size = sizeof o;
    rows.labels = NULL;
    CHECK_STATUS(fairgate_controller_create(p, &rows, &o, &none), FAIRGATE_E_NULL_POINTER);
    CHECK_STATUS(fairgate_controller_create(NULL, &rows, &o, &none), FAIRGATE_E_NULL_POINTER);
    CHECK(none == NULL);
  }
  fairgate_policy_destroy(p);
}

static void test_manifest(const char* root) {
  char path[512], path2[512], input[512];
  snprintf(path, sizeof path, "%s/manifest.json", root);
  snprintf(path2, sizeof path2, "%s/manifest2.json", root);
  snprintf(input, sizeof input, "%s/input.txt", root);
  FILE* f = fopen(input, "w");
  CHECK(f != NULL);
  if (f == NULL) return;
  fputs("abc", f);
  fclose(f);

  fairgate_manifest* m = NULL;
  CHECK_OK(fairgate_manifest_create(&m));
  CHECK_OK(fairgate_manifest_add_input_file(m, "data", input));
  /* SHA-256("abc"), FIPS 180-2 appendix B.1. */
  CHECK_OK(fairgate_manifest_add_input_digest(
      m, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3));
  CHECK_OK(fairgate_manifest_set_root_seed(m, 42));
  CHECK_OK(fairgate_manifest_set_policy(m, "ctest.toml", POLICY, strlen(POLICY)));
  CHECK_OK(fairgate_manifest_add_result_json(m, "dp", "0.25"));
  CHECK_OK(fairgate_manifest_add_config_json(m, "plan", "[0.5, 0.75]"));
  CHECK_OK(fairgate_manifest_add_artifact(m, "bytes", "abc", 3));
  CHECK_OK(fairgate_manifest_write(m, path));
  char hex[65];
  CHECK_OK(fairgate_manifest_computation_sha256(m, hex));
  CHECK(strlen(hex) == 64);
  size_t need = 0;
  CHECK_OK(fairgate_manifest_to_json(m, NULL, 0, &need));
  CHECK(need > 1);
  char* text = (char*)malloc(need);
  CHECK_OK(fairgate_manifest_to_json(m, text, need, &need));
  CHECK(text && strlen(text) + 1 == need && contains(text, "ba7816bf"));

  /* Read back: the same computation hash; verify against itself: identical. */
  fairgate_manifest* back = NULL;
  CHECK_OK(fairgate_manifest_read(path, &back));
  char hex2[65];
  CHECK_OK(fairgate_manifest_computation_sha256(back, hex2));
  CHECK(strcmp(hex, hex2) == 0);
  fairgate_manifest* parsed = NULL;
  CHECK_OK(fairgate_manifest_from_json(text, strlen(text), &parsed));
  fairgate_manifest_destroy(parsed);
  fairgate_verify_report* rep = NULL;
  CHECK_OK(fairgate_manifest_verify(path, back, &rep));
  int32_t same = -1;
  CHECK_OK(fairgate_verify_report_identical(rep, &same));
  CHECK(same == 1);
  size_t nd = 99;
  CHECK_OK(fairgate_verify_report_difference_count(rep, &nd));
  CHECK(nd == 0);
  fairgate_verify_report_destroy(rep);

  /* A rerun with another result: not identical, one difference at /results/dp. */
  CHECK_OK(fairgate_manifest_add_result_json(back, "dp", "0.3"));
  CHECK_OK(fairgate_manifest_write(back, path2));
  rep = NULL;
  CHECK_OK(fairgate_manifest_compare_files(path, path2, &rep));
  CHECK_OK(fairgate_verify_report_identical(rep, &same));
  CHECK(same == 0);
  CHECK_OK(fairgate_verify_report_difference_count(rep, &nd));
  CHECK(nd == 1);
  const char *where = NULL, *rec = NULL, *rer = NULL;
  CHECK_OK(fairgate_verify_report_difference(rep, 0, &where, &rec, &rer));
  CHECK(where && strcmp(where, "/results/dp") == 0);
  CHECK(contains(rec, "0.25") && contains(rer, "0.3"));
  const char* rtext = NULL;
  CHECK_OK(fairgate_verify_report_text(rep, &rtext));
  CHECK(contains(rtext, "/results/dp"));
  CHECK_STATUS(fairgate_verify_report_difference(rep, 1, &where, &rec, &rer),
               FAIRGATE_E_OUT_OF_RANGE);
  fairgate_verify_report_destroy(rep);
  fairgate_verify_report_destroy(NULL);

  /* A tampered file fails verification. */
  {
    char* tampered = (char*)malloc(need);
    memcpy(tampered, text, need);
    char* at = strstr(tampered, "\"dp\": 0.25");
    CHECK(at != NULL);
    if (at) at[8] = '3'; /* 0.25 -> 0.35 */
    fairgate_manifest* t = NULL;
    CHECK_STATUS(fairgate_manifest_from_json(tampered, strlen(tampered), &t),
                 FAIRGATE_E_VERIFICATION);
    CHECK(t == NULL);
    free(tampered);
  }
  free(text);

  /* Bad input. */
  fairgate_manifest* none = NULL;
  CHECK_STATUS(fairgate_manifest_add_result_json(m, "x", "{not json"), FAIRGATE_E_PARSE);
  CHECK_STATUS(fairgate_manifest_add_result_json(m, "x", "\"\xff\""), FAIRGATE_E_PARSE);
  CHECK_STATUS(fairgate_manifest_add_result_json(m, NULL, "1"), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_manifest_add_input_digest(m, "x", "abc", 3), FAIRGATE_E_INVALID_ARGUMENT);
  CHECK_STATUS(fairgate_manifest_add_input_file(m, "x", "/nonexistent/file"), FAIRGATE_E_IO);
  CHECK_STATUS(fairgate_manifest_add_artifact(m, "x", NULL, 3), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_manifest_write(m, "/dev/null/x.json"), FAIRGATE_E_IO);
  CHECK_STATUS(fairgate_manifest_read("/nonexistent/m.json", &none), FAIRGATE_E_IO);
  CHECK_STATUS(fairgate_manifest_from_json("{}", 2, &none), FAIRGATE_E_PARSE);
  CHECK_STATUS(fairgate_manifest_from_json("[", 1, &none), FAIRGATE_E_PARSE);
  CHECK_STATUS(fairgate_manifest_set_root_seed(NULL, 1), FAIRGATE_E_NULL_POINTER);
  CHECK_STATUS(fairgate_manifest_verify(path, NULL, &rep), FAIRGATE_E_NULL_POINTER);
  CHECK(none == NULL);
  /* The manifest is still intact after the failed calls. */
  CHECK_OK(fairgate_manifest_computation_sha256(m, hex2));
  CHECK(strcmp(hex, hex2) == 0);
  fairgate_manifest_destroy(back);
  fairgate_manifest_destroy(m);
  fairgate_manifest_destroy(NULL);
}

int main(void) {
  char root[] = "/tmp/fairgate_capi_gate_XXXXXX";
  if (mkdtemp(root) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  test_policy();
  test_policy_errors();
  test_gate();
  test_controller(root);
  test_manifest(root);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
  if (failures) {
    fprintf(stderr, "%d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("capi gate/controller/manifest: all %d checks passed\n", checks);
  return 0;
}
