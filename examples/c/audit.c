/* audit.c: audit a model's predictions from a CSV with fairgate's C ABI only.
 *
 *   audit PREDICTIONS.csv POLICY.toml TARGET
 *
 * PREDICTIONS.csv has a header and one row per example:
 *   label,baseline_score,candidate_score,group
 * (label 0/1; scores in any range, prediction = score >= 0.5; group any name
 * without commas). It prints per-group metrics of the candidate with 95%
 * Wilson intervals, the Fairlearn disparities, and the gate's verdict for
 * TARGET of the policy (candidate vs baseline). Exit code: 0 the target
 * passes, 1 it fails, 2 an error (with fairgate's message).
 *
 * Only <fairgate/fairgate.h> is used; a tiny CSV reader is below. */
#include <fairgate/fairgate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 64

typedef struct rows {
  size_t n, capacity;
  uint8_t* labels;
  double* baseline;
  double* candidate;
  uint32_t* groups;
  char* names[MAX_GROUPS];
  size_t n_groups;
} rows;

static int fail(const char* what) {
  fprintf(stderr, "audit: %s: %s\n", what, fairgate_last_error_message());
  return 2;
}

static void free_rows(rows* r) {
  free(r->labels);
  free(r->baseline);
  free(r->candidate);
  free(r->groups);
  for (size_t g = 0; g < r->n_groups; ++g) free(r->names[g]);
}

/* The group's code (first appearance order), adding it if new; -1 if full. */
static long group_code(rows* r, const char* name) {
  for (size_t g = 0; g < r->n_groups; ++g)
    if (strcmp(r->names[g], name) == 0) return (long)g;
  if (r->n_groups == MAX_GROUPS) return -1;
  r->names[r->n_groups] = malloc(strlen(name) + 1);
  if (r->names[r->n_groups] == NULL) return -1;
  strcpy(r->names[r->n_groups], name);
  return (long)r->n_groups++;
}

/* Reads the CSV; on error prints "file:line: problem" and returns 0. */
static int read_csv(const char* path, rows* r) {
  FILE* f = fopen(path, "r");
  if (f == NULL) {
    perror(path);
    return 0;
  }
  char line[1024];
  size_t lineno = 0;
  int ok = 1;
  while (ok && fgets(line, sizeof line, f) != NULL) {
    ++lineno;
    line[strcspn(line, "\r\n")] = '\0';
    if (lineno == 1 || line[0] == '\0') continue; /* header, blank lines */
    char* fields[4];
    size_t k = 0;
    for (char* p = line; k < 4; ++k) {
      fields[k] = p;
      char* comma = strchr(p, ',');
      if (comma == NULL) {
        ++k;
        break;
      }
      *comma = '\0';
      p = comma + 1;
    }
    if (k != 4) {
      fprintf(stderr, "%s:%zu: expected 4 fields (label,baseline_score,candidate_score,group)\n",
              path, lineno);
      ok = 0;
      break;
    }
    char* end = NULL;
    const long label = strtol(fields[0], &end, 10);
    const double s0 = strtod(fields[1], &end);
    const int s0_ok = end != fields[1] && *end == '\0';
    const double s1 = strtod(fields[2], &end);
    const int s1_ok = end != fields[2] && *end == '\0';
    const long code = group_code(r, fields[3]);
    if (!s0_ok || !s1_ok || code < 0) {
      fprintf(stderr, "%s:%zu: a score is not a number, or more than %d groups\n", path, lineno,
              MAX_GROUPS);
      ok = 0;
      break;
    }
    if (r->n == r->capacity) {
      r->capacity = r->capacity ? 2 * r->capacity : 1024;
      uint8_t* l = realloc(r->labels, r->capacity);
      double* b = realloc(r->baseline, r->capacity * sizeof(double));
      double* c = realloc(r->candidate, r->capacity * sizeof(double));
      uint32_t* g = realloc(r->groups, r->capacity * sizeof(uint32_t));
      if (l) r->labels = l;
      if (b) r->baseline = b;
      if (c) r->candidate = c;
      if (g) r->groups = g;
      if (!l || !b || !c || !g) {
        fprintf(stderr, "out of memory\n");
        ok = 0;
        break;
      }
    }
    /* Labels are range-checked by fairgate (it names the bad row). */
    r->labels[r->n] = (uint8_t)(label < 0 || label > 255 ? 255 : label);
    r->baseline[r->n] = s0;
    r->candidate[r->n] = s1;
    r->groups[r->n] = (uint32_t)code;
    ++r->n;
  }
  fclose(f);
  return ok;
}

static char* read_text(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char* buf = NULL;
  size_t n = 0, cap = 0, got;
  char chunk[4096];
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (n + got > cap) {
      cap = 2 * (n + got);
      char* b = realloc(buf, cap);
      if (b == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = b;
    }
    memcpy(buf + n, chunk, got);
    n += got;
  }
  fclose(f);
  *size = n;
  return buf;
}

static void print_metrics(const rows* r, fairgate_accumulator* acc) {
  static const struct {
    int32_t metric;
    const char* name;
  } metrics[] = {{FAIRGATE_METRIC_SELECTION_RATE, "selection_rate"},
                 {FAIRGATE_METRIC_TRUE_POSITIVE_RATE, "tpr"},
                 {FAIRGATE_METRIC_FALSE_POSITIVE_RATE, "fpr"},
                 {FAIRGATE_METRIC_ACCURACY, "accuracy"}};
  printf("%-16s %8s", "group", "rows");
  for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; ++m)
    printf("  %-24s", metrics[m].name);
  printf("\n");
  for (uint32_t g = 0; g < r->n_groups; ++g) {
    fairgate_confusion_counts c;
    if (fairgate_accumulator_counts(acc, g, &c) != FAIRGATE_OK) return;
    printf("%-16s %8llu", r->names[g], (unsigned long long)(c.tp + c.fp + c.tn + c.fn));
    for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; ++m) {
      fairgate_interval ci;
      if (fairgate_wilson_interval(acc, g, metrics[m].metric, 0.95, 0, &ci) == FAIRGATE_OK &&
          ci.defined)
        printf("  %.3f [%.3f, %.3f]     ", ci.estimate, ci.lower, ci.upper);
      else
        printf("  %-24s", "undefined");
    }
    printf("\n");
  }
  static const struct {
    int32_t kind;
    const char* name;
  } disparities[] = {{FAIRGATE_DEMOGRAPHIC_PARITY_DIFFERENCE, "demographic_parity_difference"},
                     {FAIRGATE_DEMOGRAPHIC_PARITY_RATIO, "demographic_parity_ratio"},
                     {FAIRGATE_EQUALIZED_ODDS_DIFFERENCE, "equalized_odds_difference"},
                     {FAIRGATE_EQUAL_OPPORTUNITY_DIFFERENCE, "equal_opportunity_difference"}};
  for (size_t d = 0; d < sizeof disparities / sizeof disparities[0]; ++d) {
    double v = 0;
    int32_t undefined = 0;
    if (fairgate_disparity_value(acc, disparities[d].kind, NULL, &v, &undefined) == FAIRGATE_OK)
      printf("%-30s %s%.4f\n", disparities[d].name, undefined ? "undefined " : "", v);
  }
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PREDICTIONS.csv POLICY.toml TARGET\n", argv[0]);
    return 2;
  }
  rows r;
  memset(&r, 0, sizeof r);
  if (!read_csv(argv[1], &r)) {
    free_rows(&r);
    return 2;
  }
  printf("fairgate %s: %zu rows, %zu groups from %s\n\n", fairgate_version_string(), r.n,
         r.n_groups, argv[1]);
  int rc = 2;
  fairgate_accumulator* acc = NULL;
  fairgate_policy* policy = NULL;
  fairgate_verdict* verdict = NULL;
  char* text = NULL;

  /* Per-group metrics of the candidate: one zero-copy pass over the rows. */
  fairgate_binary_inputs in;
  if (fairgate_binary_inputs_init(&in) != FAIRGATE_OK) goto done;
  in.n = r.n;
  in.y_true = r.labels;
  in.scores = r.candidate;
  in.threshold = 0.5;
  in.groups = r.groups;
  if (fairgate_accumulator_create((uint32_t)r.n_groups, &acc) != FAIRGATE_OK) {
    rc = fail("accumulator");
    goto done;
  }
  if (fairgate_accumulator_add(acc, &in, NULL) != FAIRGATE_OK) {
    rc = fail(argv[1]);
    goto done;
  }
  printf("candidate model, per group (95%% Wilson intervals):\n");
  print_metrics(&r, acc);

  /* The gate: every constraint of the target, candidate vs baseline. */
  size_t size = 0;
  text = read_text(argv[2], &size);
  if (text == NULL) {
    perror(argv[2]);
    goto done;
  }
  if (fairgate_policy_load_string(text, size, argv[2], &policy) != FAIRGATE_OK) {
    rc = fail("policy");
    goto done;
  }
  fairgate_gate_inputs gi;
  if (fairgate_gate_inputs_init(&gi) != FAIRGATE_OK) goto done;
  gi.n = r.n;
  gi.labels = r.labels;
  gi.baseline_scores = r.baseline;
  gi.candidate_scores = r.candidate;
  gi.groups = r.groups;
  gi.group_names = (const char* const*)r.names;
  gi.n_groups = r.n_groups;
  if (fairgate_gate_evaluate(policy, argv[3], &gi, &verdict) != FAIRGATE_OK) {
    rc = fail("gate");
    goto done;
  }
  const char* table = NULL;
  int32_t pass = 0;
  if (fairgate_verdict_table(verdict, &table, NULL) != FAIRGATE_OK ||
      fairgate_verdict_pass(verdict, &pass) != FAIRGATE_OK) {
    rc = fail("verdict");
    goto done;
  }
  printf("\n%s", table);
  printf("\nverdict: %s\n", pass ? "PASS" : "FAIL");
  rc = pass ? 0 : 1;

done:
  fairgate_verdict_destroy(verdict);
  fairgate_policy_destroy(policy);
  fairgate_accumulator_destroy(acc);
  free(text);
  free_rows(&r);
  return rc;
}
