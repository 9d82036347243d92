// Policy parsing: toml++ for the syntax, then a checked walk over the schema
// that collects every problem with its line, column and key path.
#include <fairgate/policy/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <utility>

#include <toml++/toml.h>

#include <fairgate/error.hpp>

#include "detail.hpp"

FAIRGATE_BEGIN_NAMESPACE
namespace policy {
namespace {

using detail::format_plain;

std::string quote(std::string_view s) {
  // Keep messages one line and bounded even for hostile input.
  std::string out = "'";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 80) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string indexed(const std::string& base, std::string_view key, std::size_t i) {
  return join_path(base, key) + "[" + std::to_string(i) + "]";
}

// Collects diagnostics; every check reports and carries on.
class checker {
 public:
  explicit checker(std::string source) : source_(std::move(source)) {}

  void error(const toml::source_region& where, std::string key, std::string message) {
    diagnostic d;
    d.source = source_;
    d.line = where.begin.line;
    d.column = where.begin.column;
    d.key = std::move(key);
    d.message = std::move(message);
    diags_.push_back(std::move(d));
  }

  std::vector<diagnostic> take() {
    std::stable_sort(diags_.begin(), diags_.end(), [](const diagnostic& a, const diagnostic& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return std::move(diags_);
  }

  [[nodiscard]] std::size_t count() const noexcept { return diags_.size(); }

 private:
  std::string source_;
  std::vector<diagnostic> diags_;
};

// A key that is rejected with a specific explanation instead of "unknown key".
struct misplaced_key {
  std::string_view key;
  std::string_view why;
};

// Reads one TOML table: typed getters that report wrong types, and a check
// that every key present is one the schema knows.
class table_reader {
 public:
  table_reader(checker& chk, const toml::table& tbl, std::string path)
      : chk_(chk), tbl_(tbl), path_(std::move(path)) {}

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const toml::table& table() const noexcept { return tbl_; }
  [[nodiscard]] std::string key_path(std::string_view key) const { return join_path(path_, key); }
  [[nodiscard]] bool has(std::string_view key) const { return tbl_.contains(key); }

  // Where the table starts (its [header] line), for "missing key" messages.
  [[nodiscard]] toml::source_region where() const {
    auto r = tbl_.source();
    if (r.begin.line == 0) r.begin = {1, 1};
    return r;
  }
  [[nodiscard]] toml::source_region where(std::string_view key) const {
    const toml::node* n = tbl_.get(key);
    return n ? n->source() : where();
  }

  void error(std::string_view key, std::string message) {
    chk_.error(where(key), key_path(key), std::move(message));
  }

  void missing(std::string_view key, std::string_view what) {
    chk_.error(where(), key_path(key),
               "missing required key '" + std::string(key) + "' (" + std::string(what) + ")");
  }

  // Reports every key that is neither in `known` nor explained by `misplaced`.
  void check_keys(std::initializer_list<std::string_view> known,
                  std::initializer_list<misplaced_key> misplaced = {}) {
    const std::vector<std::string_view> known_v(known);
    for (auto&& [k, v] : tbl_) {
      const std::string_view name = k.str();
      if (std::find(known_v.begin(), known_v.end(), name) != known_v.end()) continue;
      auto r = k.source();
      if (r.begin.line == 0) r = v.source();
      std::string msg;
      const auto m = std::find_if(misplaced.begin(), misplaced.end(),
                                  [&](const misplaced_key& x) { return x.key == name; });
      if (m != misplaced.end()) {
        msg = "key " + quote(name) + " is not allowed here: " + std::string(m->why);
      } else {
        msg = "unknown key " + quote(name);
        if (auto s = closest(name, known_v))
          msg += "; did you mean '" + std::string(*s) + "'?";
        else {
          msg += "; allowed keys here:";
          for (std::size_t i = 0; i < known_v.size(); ++i)
            msg += (i ? ", " : " ") + std::string(known_v[i]);
        }
      }
      chk_.error(r, key_path(name), std::move(msg));
    }
  }

  std::optional<std::string> get_string(std::string_view key) {
    const toml::node* n = tbl_.get(key);
    if (!n) return std::nullopt;
    if (const auto* s = n->as_string()) return s->get();
    error(key, "expected a string, got " + describe(*n));
    return std::nullopt;
  }

  std::optional<bool> get_bool(std::string_view key) {
    const toml::node* n = tbl_.get(key);
    if (!n) return std::nullopt;
    if (const auto* b = n->as_boolean()) return b->get();
    error(key, "expected a boolean (true or false), got " + describe(*n));
    return std::nullopt;
  }

  // An integer in [lo, hi].
  std::optional<std::int64_t> get_int(std::string_view key, std::int64_t lo, std::int64_t hi) {
    const toml::node* n = tbl_.get(key);
    if (!n) return std::nullopt;
    const auto* i = n->as_integer();
    if (!i) {
      error(key, "expected an integer, got " + describe(*n));
      return std::nullopt;
    }
    const std::int64_t v = i->get();
    if (v < lo || v > hi) {
      std::string range = hi == std::numeric_limits<std::int64_t>::max()
                              ? ">= " + std::to_string(lo)
                              : "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      error(key, "value " + std::to_string(v) + " is out of range: must be " + range);
      return std::nullopt;
    }
    return v;
  }

  // A finite number (integer or float), no range check.
  std::optional<double> get_number(std::string_view key) {
    const toml::node* n = tbl_.get(key);
    if (!n) return std::nullopt;
    double v;
    if (const auto* f = n->as_floating_point()) {
      v = f->get();
    } else if (const auto* i = n->as_integer()) {
      v = static_cast<double>(i->get());
    } else {
      error(key, "expected a number, got " + describe(*n));
      return std::nullopt;
    }
    if (!std::isfinite(v)) {
      error(key, "must be a finite number, got " + format_inf_nan(v));
      return std::nullopt;
    }
    return v;
  }

  // A number in [lo, hi] (closed) or (lo, hi) (open).
  std::optional<double> get_fraction(std::string_view key, double lo, double hi, bool open) {
    const auto v = get_number(key);
    if (!v) return std::nullopt;
    const bool in = open ? (*v > lo && *v < hi) : (*v >= lo && *v <= hi);
    if (!in) {
      const std::string range = std::string(open ? "(" : "[") + format_plain(lo) + ", " +
                                format_plain(hi) + (open ? ")" : "]");
      error(key, "value " + format_plain(*v) + " is out of range: must be in " + range);
      return std::nullopt;
    }
    return v;
  }

  // One of `names`; returns its index.
  std::optional<std::size_t> get_enum(std::string_view key, std::span<const std::string_view> v) {
    const auto s = get_string(key);
    if (!s) return std::nullopt;
    const auto it = std::find(v.begin(), v.end(), *s);
    if (it != v.end()) return static_cast<std::size_t>(it - v.begin());
    std::string msg = "invalid value " + quote(*s) + ": must be one of";
    for (std::size_t i = 0; i < v.size(); ++i)
      msg += (i ? ", \"" : " \"") + std::string(v[i]) + "\"";
    if (auto c = closest(*s, v)) msg += "; did you mean \"" + std::string(*c) + "\"?";
    error(key, std::move(msg));
    return std::nullopt;
  }

  // An array; wrong type reports and returns nullptr.
  const toml::array* get_array(std::string_view key) {
    const toml::node* n = tbl_.get(key);
    if (!n) return nullptr;
    if (const auto* a = n->as_array()) return a;
    error(key, "expected an array, got " + describe(*n));
    return nullptr;
  }

  checker& chk() noexcept { return chk_; }

 private:
  static std::string format_inf_nan(double v) {
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  }

  checker& chk_;
  const toml::table& tbl_;
  std::string path_;
};

// The enum spellings, in enum order, so a parsed index casts to the enum.
using sv = std::string_view;
constexpr std::array<sv, 3> undefined_names = {"skip", "fail", "pass"};
constexpr std::array<sv, 3> evidence_names = {"point", "ci", "paired_test"};
constexpr std::array<sv, 2> interval_names = {"bootstrap", "wilson"};
constexpr std::array<sv, 3> correction_names = {"none", "holm", "bh"};
constexpr std::array<sv, 2> scope_names = {"overall", "every_group"};
constexpr std::array<sv, 2> agg_names = {"worst_case", "mean"};
constexpr std::array<sv, 2> method_names = {"between_groups", "to_overall"};

template <class E>
void set_enum(E& out, const std::optional<std::size_t>& idx) {
  if (idx) out = static_cast<E>(*idx);
}

constexpr std::int64_t max_replicates = 1'000'000;
constexpr std::int64_t int_max = std::numeric_limits<std::int64_t>::max();

void read_defaults(table_reader& r, defaults& d) {
  r.check_keys({"min_support", "undefined_groups", "evidence", "confidence", "interval", "alpha",
                "correction", "bootstrap_replicates", "seed"});
  if (auto v = r.get_int("min_support", 0, int_max)) d.min_support = static_cast<std::uint64_t>(*v);
  set_enum(d.undefined_groups, r.get_enum("undefined_groups", undefined_names));
  set_enum(d.evidence, r.get_enum("evidence", evidence_names));
  if (auto v = r.get_fraction("confidence", 0, 1, true)) d.confidence = *v;
  set_enum(d.interval, r.get_enum("interval", interval_names));
  if (auto v = r.get_fraction("alpha", 0, 1, true)) d.alpha = *v;
  set_enum(d.correction, r.get_enum("correction", correction_names));
  if (auto v = r.get_int("bootstrap_replicates", 1, max_replicates))
    d.bootstrap_replicates = static_cast<std::uint32_t>(*v);
  if (auto v = r.get_int("seed", 0, int_max)) d.seed = static_cast<std::uint64_t>(*v);
}

// "N:M" with 1 <= N < M <= 1024, digits only.
std::optional<nm_pattern> parse_nm(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view t) -> std::optional<std::uint32_t> {
    if (t.empty() || t.size() > 4) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return v;
  };
  const auto n = num(s.substr(0, colon));
  const auto m = num(s.substr(colon + 1));
  if (!n || !m || *n < 1 || *n >= *m || *m > 1024) return std::nullopt;
  return nm_pattern{*n, *m};
}

void read_compression(table_reader& r, compression_allowance& c) {
  if (auto v = r.get_fraction("max_sparsity", 0, 1, false)) c.max_sparsity = *v;
  if (auto v = r.get_bool("per_channel")) c.per_channel = *v;
  if (const auto* a = r.get_array("allowed_bits")) {
    std::vector<std::uint32_t> bits;
    bool ok = true;
    if (a->empty()) {
      r.error("allowed_bits", "must list at least one bit-width (32 = leave tensors in float)");
      ok = false;
    }
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& n = (*a)[i];
      const std::string p = indexed(r.path(), "allowed_bits", i);
      const auto* iv = n.as_integer();
      if (!iv) {
        r.chk().error(n.source(), p, "expected an integer bit-width, got " + describe(n));
        ok = false;
        continue;
      }
      const std::int64_t b = iv->get();
      if (b != 32 && b != 16 && b != 8 && b != 4) {
        r.chk().error(
            n.source(), p,
            "bit-width " + std::to_string(b) + " is not supported: must be one of 32, 16, 8, 4");
        ok = false;
        continue;
      }
      const auto u = static_cast<std::uint32_t>(b);
      if (std::find(bits.begin(), bits.end(), u) != bits.end()) {
        r.chk().error(n.source(), p, "bit-width " + std::to_string(b) + " is listed twice");
        ok = false;
        continue;
      }
      bits.push_back(u);
    }
    if (ok) {
      std::sort(bits.begin(), bits.end(), std::greater<>());
      c.allowed_bits = std::move(bits);
    }
  }
  if (const auto* a = r.get_array("allowed_nm")) {
    std::vector<nm_pattern> pats;
    bool ok = true;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& n = (*a)[i];
      const std::string p = indexed(r.path(), "allowed_nm", i);
      const auto* str_node = n.as_string();
      if (!str_node) {
        r.chk().error(n.source(), p, "expected a string like \"2:4\", got " + describe(n));
        ok = false;
        continue;
      }
      const auto pat = parse_nm(str_node->get());
      if (!pat) {
        r.chk().error(n.source(), p,
                      "invalid N:M pattern " + quote(str_node->get()) +
                          ": write \"N:M\" with integers 1 <= N < M <= 1024");
        ok = false;
        continue;
      }
      if (std::find(pats.begin(), pats.end(), *pat) != pats.end()) {
        r.chk().error(n.source(), p, "N:M pattern " + quote(str_node->get()) + " is listed twice");
        ok = false;
        continue;
      }
      pats.push_back(*pat);
    }
    if (ok) {
      std::sort(pats.begin(), pats.end());
      c.allowed_nm = std::move(pats);
    }
  }
}

void read_sensitive(table_reader& r, target& t) {
  if (!r.has("sensitive_features")) {
    r.missing("sensitive_features", "a list of column names, e.g. [\"sex\", \"race\"]");
    return;
  }
  const auto* a = r.get_array("sensitive_features");
  if (!a) return;
  if (a->empty()) {
    r.error("sensitive_features", "must name at least one sensitive feature");
    return;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& n = (*a)[i];
    const std::string p = indexed(r.path(), "sensitive_features", i);
    const auto* s = n.as_string();
    if (!s) {
      r.chk().error(n.source(), p, "expected a feature name (string), got " + describe(n));
      continue;
    }
    if (s->get().empty()) {
      r.chk().error(n.source(), p, "feature name must not be empty");
      continue;
    }
    if (std::find(t.sensitive_features.begin(), t.sensitive_features.end(), s->get()) !=
        t.sensitive_features.end()) {
      r.chk().error(n.source(), p, "feature " + quote(s->get()) + " is listed twice");
      continue;
    }
    t.sensitive_features.push_back(s->get());
  }
}

void read_reference_group(table_reader& r, target& t) {
  const toml::node* n = r.table().get("reference_group");
  if (!n || t.sensitive_features.empty()) return;
  if (const auto* s = n->as_string()) {
    if (t.sensitive_features.size() != 1) {
      r.error("reference_group",
              "a single value names the reference group only when there is one sensitive feature; "
              "with " +
                  std::to_string(t.sensitive_features.size()) +
                  " features write a table, e.g. { sex = \"Male\", race = \"White\" }");
      return;
    }
    t.reference_group.push_back({t.sensitive_features[0], s->get()});
    return;
  }
  const auto* tbl = n->as_table();
  if (!tbl) {
    r.error("reference_group",
            "expected a string or a table of feature = value, got " + describe(*n));
    return;
  }
  std::vector<std::string_view> feats(t.sensitive_features.begin(), t.sensitive_features.end());
  const std::string base = r.key_path("reference_group");
  bool ok = true;
  for (auto&& [k, v] : *tbl) {
    if (std::find(feats.begin(), feats.end(), k.str()) == feats.end()) {
      std::string msg =
          "feature " + quote(k.str()) + " is not one of this target's sensitive_features";
      if (auto c = closest(k.str(), feats)) msg += "; did you mean '" + std::string(*c) + "'?";
      r.chk().error(k.source(), join_path(base, k.str()), std::move(msg));
      ok = false;
    } else if (!v.is_string()) {
      r.chk().error(v.source(), join_path(base, k.str()),
                    "expected the group's value (string), got " + describe(v));
      ok = false;
    }
  }
  std::vector<group_value> ref;
  for (const auto& f : t.sensitive_features) {
    const toml::node* v = tbl->get(f);
    if (!v) {
      r.error("reference_group",
              "reference_group gives no value for sensitive feature " + quote(f));
      ok = false;
      continue;
    }
    if (const auto* s = v->as_string()) ref.push_back({f, s->get()});
  }
  if (ok) t.reference_group = std::move(ref);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// number := [-] digits [ . digits ] [ (e|E) [+|-] digits ]
std::optional<double> scan_number(std::string_view s, std::size_t& pos, bool allow_sign,
                                  std::string& problem) {
  const std::size_t start = pos;
  if (allow_sign && pos < s.size() && s[pos] == '-') ++pos;
  const std::size_t int_start = pos;
  while (pos < s.size() && is_digit(s[pos])) ++pos;
  if (pos == int_start) {
    problem = "expected a number at offset " + std::to_string(start);
    return std::nullopt;
  }
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t frac = pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == frac) {
      problem = "expected digits after '.' at offset " + std::to_string(frac);
      return std::nullopt;
    }
  }
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    const std::size_t exp = pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == exp) {
      problem = "expected an exponent at offset " + std::to_string(exp);
      return std::nullopt;
    }
  }
  double v = 0;
  const auto res = std::from_chars(s.data() + start, s.data() + pos, v);
  if (res.ec != std::errc() || res.ptr != s.data() + pos || !std::isfinite(v)) {
    problem = "number " + quote(s.substr(start, pos - start)) + " is not a finite double";
    return std::nullopt;
  }
  return v;
}

void skip_ws(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
}

// Reads a constraint's bound (bound / max_drop / max_rise) into c.bound.
// Returns false when absent or invalid (already reported).
bool read_bound(table_reader& r, constraint& c, const metric_info* m) {
  const bool has_b = r.has("bound"), has_d = r.has("max_drop"), has_r = r.has("max_rise");
  const int count = int(has_b) + int(has_d) + int(has_r);
  if (count == 0) {
    r.missing("bound",
              "give one of bound = \"<= 0.05\" / \">= baseline - 0.01\", max_drop = 0.02 or "
              "max_rise = 0.02");
    return false;
  }
  if (count > 1) {
    const char* second = has_b ? (has_d ? "max_drop" : "max_rise") : "max_rise";
    r.error(second, "give only one of bound, max_drop, max_rise");
    return false;
  }
  if (has_b) {
    const auto s = r.get_string("bound");
    if (!s) return false;
    std::string problem;
    const auto b = parse_bound(*s, problem);
    if (!b) {
      r.error("bound", "cannot parse bound " + quote(*s) + ": " + problem);
      return false;
    }
    c.bound = *b;
    if (m && b->kind == bound_kind::absolute &&
        (b->value < m->min_value || b->value > m->max_value)) {
      r.error("bound", "bound value " + format_plain(b->value) + " is outside the range of " +
                           std::string(m->name) + ", [" + format_plain(m->min_value) + ", " +
                           (std::isinf(m->max_value) ? std::string("inf)")
                                                     : format_plain(m->max_value) + "]"));
      return false;
    }
    return true;
  }
  const std::string_view key = has_d ? "max_drop" : "max_rise";
  const auto v = r.get_fraction(key, 0, 1, false);
  if (!v) return false;
  if (m && m->kind != metric_kind::group_rate) {
    r.error(key, std::string(key) +
                     " applies to group rates (tpr, accuracy, ...); for the disparity " +
                     std::string(m->name) + " write bound = \"" +
                     (has_d ? ">= baseline - " : "<= baseline + ") + format_plain(*v) + "\"");
    return false;
  }
  c.bound = has_d ? bound{comparison::ge, bound_kind::relative, *v == 0 ? 0.0 : -*v}
                  : bound{comparison::le, bound_kind::relative, *v};
  return true;
}

// `ref_declared`: the target has a reference_group key (valid or not; an
// invalid one is reported there, not again for every constraint).
void read_constraint(table_reader& r, const target& t, const defaults& d, bool ref_declared,
                     constraint& c) {
  r.check_keys({"id", "description", "metric", "agg", "method", "scope", "bound", "max_drop",
                "max_rise", "evidence", "confidence", "interval", "min_support", "undefined"},
               {{"alpha",
                 "the level of paired tests is shared by the target's family of tests: set alpha "
                 "in [[target]] or [defaults]"},
                {"correction",
                 "the multiple-comparison correction spans the target's constraints: set "
                 "correction in [[target]] or [defaults]"},
                {"bootstrap_replicates", "set bootstrap_replicates in [defaults]"},
                {"seed", "set seed in [defaults]"},
                {"constraint", "constraints do not nest"}});

  if (!r.has("id")) r.missing("id", "a name unique within the target");
  if (auto s = r.get_string("id")) {
    if (!valid_name(*s))
      r.error("id", "invalid id " + quote(*s) + ": use 1-128 characters from A-Z a-z 0-9 _ - .");
    c.id = *s;
  }
  if (auto s = r.get_string("description")) c.description = *s;

  const metric_info* m = nullptr;
  if (!r.has("metric"))
    r.missing("metric", "a name from the metrics catalogue, e.g. \"equalized_odds_difference\"");
  if (auto s = r.get_string("metric")) {
    m = find_metric(*s);
    if (!m) {
      std::string msg = "unknown metric " + quote(*s);
      if (auto sug = suggest_metric(*s))
        msg += "; did you mean '" + std::string(*sug) + "'?";
      else
        msg += " (see docs/policy.md for the catalogue)";
      r.error("metric", std::move(msg));
    } else {
      c.metric = m->id;
      if (m->family == metric_family::aif360 && !ref_declared)
        r.error("metric", "metric '" + std::string(m->name) +
                              "' compares each group with the reference group, but this target has "
                              "no reference_group");
    }
  }

  if (r.has("agg")) {
    const auto idx = r.get_enum("agg", agg_names);
    if (m && !m->has_agg)
      r.error("agg",
              "agg applies only to equalized_odds_difference and equalized_odds_ratio, not " +
                  std::string(m->name));
    set_enum(c.agg, idx);
  }
  if (r.has("method")) {
    const auto idx = r.get_enum("method", method_names);
    if (m && !m->has_method)
      r.error("method",
              "method applies only to the Fairlearn-style disparities (demographic_parity_*, "
              "equalized_odds_*, "
              "equal_opportunity_*), not " +
                  std::string(m->name));
    set_enum(c.method, idx);
  }

  const bool bound_ok = read_bound(r, c, m);

  // Scope: group rates default to a guardrail on every group.
  c.scope =
      (m && m->kind == metric_kind::group_rate) ? scope_kind::every_group : scope_kind::overall;
  if (r.has("scope")) {
    const auto idx = r.get_enum("scope", scope_names);
    set_enum(c.scope, idx);
    if (idx && m && m->kind == metric_kind::disparity && c.scope == scope_kind::every_group)
      r.error(
          "scope",
          "a disparity compares groups, so it cannot be an every_group guardrail; use a group rate "
          "(e.g. tpr) with scope = \"every_group\"");
  }

  // Evidence.
  c.evidence.kind = d.evidence;
  c.evidence.confidence = d.confidence;
  c.evidence.interval = d.interval;
  c.evidence.bootstrap_replicates = d.bootstrap_replicates;
  c.evidence.seed = d.seed;
  c.evidence.alpha = t.alpha;
  c.evidence.correction = t.correction;
  set_enum(c.evidence.kind, r.get_enum("evidence", evidence_names));
  const bool is_ci = c.evidence.kind == evidence_kind::ci;
  for (std::string_view k : {std::string_view("confidence"), std::string_view("interval")})
    if (r.has(k) && !is_ci)
      r.error(k, std::string(k) +
                     " is used only with evidence = \"ci\" (this constraint's evidence is \"" +
                     std::string(to_string(c.evidence.kind)) + "\")");
  if (is_ci) {
    if (auto v = r.get_fraction("confidence", 0, 1, true)) c.evidence.confidence = *v;
    set_enum(c.evidence.interval, r.get_enum("interval", interval_names));
    if (c.evidence.interval == interval_method::wilson && m && bound_ok) {
      const char* from = r.has("interval") ? "" : " (from [defaults])";
      if (!m->is_proportion)
        r.error(r.has("interval") ? "interval" : "evidence",
                std::string("interval = \"wilson\"") + from +
                    " needs a metric that is a proportion per group (accuracy, tpr, ...), not " +
                    std::string(m->name) + "; use \"bootstrap\"");
      else if (c.bound.kind != bound_kind::absolute)
        r.error(r.has("interval") ? "interval" : "evidence",
                std::string("interval = \"wilson\"") + from +
                    " covers one proportion, but a baseline-relative bound needs an interval for "
                    "the change; use \"bootstrap\"");
    }
  }
  if (c.evidence.kind == evidence_kind::paired_test && bound_ok &&
      c.bound.kind != bound_kind::relative)
    r.error(r.has("evidence") ? "evidence" : "bound",
            "evidence = \"paired_test\" tests the change against the baseline, so it needs a "
            "baseline-relative bound "
            "(bound = \">= baseline - 0.01\", max_drop or max_rise)");

  // Fields the evidence kind or metric does not use take their struct
  // defaults, so two constraints that judge the same way compare equal.
  const evidence resolved_defaults{};
  if (!is_ci) {
    c.evidence.confidence = resolved_defaults.confidence;
    c.evidence.interval = resolved_defaults.interval;
  }
  if (c.evidence.kind != evidence_kind::paired_test) {
    c.evidence.alpha = resolved_defaults.alpha;
    c.evidence.correction = resolved_defaults.correction;
  }
  if (m && !m->has_agg) c.agg = eo_agg::worst_case;
  if (m && !m->has_method) c.method = disparity_method::between_groups;

  c.min_support = d.min_support;
  if (auto v = r.get_int("min_support", 0, int_max)) c.min_support = static_cast<std::uint64_t>(*v);
  c.undefined = d.undefined_groups;
  set_enum(c.undefined, r.get_enum("undefined", undefined_names));
}

void read_target(table_reader& r, const defaults& d, target& t) {
  r.check_keys({"name", "description", "sensitive_features", "reference_group", "max_sparsity",
                "allowed_bits", "allowed_nm", "per_channel", "alpha", "correction", "constraint"},
               {{"confidence", "set it per constraint (with evidence = \"ci\") or in [defaults]"},
                {"evidence", "set it per constraint or in [defaults]"},
                {"min_support", "set it per constraint or in [defaults]"},
                {"target", "targets do not nest"}});
  t.source_line = r.where().begin.line;
  if (!r.has("name")) r.missing("name", "a name unique within the policy, e.g. \"device\"");
  if (auto s = r.get_string("name")) {
    if (!valid_name(*s))
      r.error("name",
              "invalid target name " + quote(*s) + ": use 1-128 characters from A-Z a-z 0-9 _ - .");
    t.name = *s;
  }
  if (auto s = r.get_string("description")) t.description = *s;
  read_sensitive(r, t);
  read_reference_group(r, t);
  read_compression(r, t.compression);
  t.alpha = d.alpha;
  if (auto v = r.get_fraction("alpha", 0, 1, true)) t.alpha = *v;
  t.correction = d.correction;
  set_enum(t.correction, r.get_enum("correction", correction_names));

  const toml::node* cn = r.table().get("constraint");
  if (!cn) {
    r.missing("constraint", "at least one [[target.constraint]]");
    return;
  }
  const auto* arr = cn->as_array();
  if (!arr || !arr->is_array_of_tables()) {
    r.error("constraint",
            "expected an array of tables ([[target.constraint]]), got " + describe(*cn));
    return;
  }
  if (arr->empty()) {
    r.error("constraint", "a target needs at least one constraint");
    return;
  }
  std::set<std::string> ids;
  bool any_test = false;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& tbl = *(*arr)[i].as_table();
    table_reader cr(r.chk(), tbl, indexed(r.path(), "constraint", i));
    constraint c;
    c.source_line = cr.where().begin.line;
    read_constraint(cr, t, d, r.has("reference_group"), c);
    if (!c.id.empty() && !ids.insert(c.id).second)
      cr.error("id", "duplicate constraint id " + quote(c.id) + " in target " + quote(t.name));
    any_test = any_test || c.evidence.kind == evidence_kind::paired_test;
    t.constraints.push_back(std::move(c));
  }
  if (!any_test) {  // the family settings are unused: normalise (see read_constraint)
    const target plain{};
    t.alpha = plain.alpha;
    t.correction = plain.correction;
  }
}

void read_policy(checker& chk, const toml::table& root, policy& p) {
  table_reader r(chk, root, "");
  // A file from the future is not read further: its other keys may mean
  // things this build does not know, so listing them as "unknown" would mislead.
  if (!r.has("schema_version")) {
    r.missing("schema_version", "the format version; this build reads 1");
  } else if (auto v =
                 r.get_int("schema_version", std::numeric_limits<std::int64_t>::min(), int_max)) {
    if (*v > current_schema_version) {
      r.error("schema_version", "schema_version " + std::to_string(*v) +
                                    " is newer than this fairgate supports (" +
                                    std::to_string(current_schema_version) +
                                    "); upgrade fairgate to read this policy");
      return;
    }
    if (*v < 1) {
      r.error("schema_version", "schema_version must be >= 1, got " + std::to_string(*v));
    }
    p.schema_version = *v;
  }
  r.check_keys({"schema_version", "name", "description", "defaults", "target"},
               {{"constraint",
                 "constraints belong to a target: write [[target.constraint]] after [[target]]"}});
  if (!r.has("name")) r.missing("name", "the policy's name");
  if (auto s = r.get_string("name")) {
    if (s->empty()) r.error("name", "name must not be empty");
    p.name = *s;
  }
  if (auto s = r.get_string("description")) p.description = *s;

  if (const toml::node* dn = root.get("defaults")) {
    if (const auto* dt = dn->as_table()) {
      table_reader dr(chk, *dt, "defaults");
      read_defaults(dr, p.defaults);
    } else {
      r.error("defaults", "expected a table ([defaults]), got " + describe(*dn));
    }
  }

  const toml::node* tn = root.get("target");
  if (!tn) {
    r.missing("target", "at least one [[target]]");
    return;
  }
  const auto* arr = tn->as_array();
  if (!arr || !arr->is_array_of_tables()) {
    r.error("target",
            "expected an array of tables ([[target]], not [target]), got " + describe(*tn));
    return;
  }
  if (arr->empty()) {
    r.error("target", "a policy needs at least one target");
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& tbl = *(*arr)[i].as_table();
    table_reader tr(chk, tbl, indexed("", "target", i));
    target t;
    read_target(tr, p.defaults, t);
    if (!t.name.empty() && !names.insert(t.name).second)
      tr.error("name", "duplicate target name " + quote(t.name));
    p.targets.push_back(std::move(t));
  }
}

std::optional<std::string> read_file(const std::filesystem::path& path, std::string& problem) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    problem = "is a directory, not a policy file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = "cannot open the file for reading";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    problem = "read error";
    return std::nullopt;
  }
  return std::move(ss).str();
}

std::string joined(const std::vector<diagnostic>& ds) {
  std::string msg;
  for (const auto& d : ds) {
    if (!msg.empty()) msg += '\n';
    msg += format(d);
  }
  return msg;
}

// One UTF-8 code point at s[i]: {code point, length}, or length 0 if invalid.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  const std::size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return {0, 0};
  char32_t cp = b0 & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

struct unsafe_input {
  std::size_t line_offset;  // byte offset of the line holding the problem
  std::size_t offset;       // byte offset of the offending character
  std::string message;
  std::size_t prefix_end = 0;  // text before this is whole top-level lines, safe to parse
};

std::string codepoint_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  std::string out = buf;
  if (cp > 0x20 && cp < 0x7f) out += std::string(" '") + static_cast<char>(cp) + "'";
  return out;
}

bool bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Inputs on which toml++ 3.3 (Debian bookworm) has undefined behaviour, found
// by fuzz.policy and known upstream; each is rejected here, before toml++
// sees the text:
//  - a table header whose key does not start with a bare-key character or a
//    quote ("[&", "[[[1]]]", "[\n"): parse_key() assumes it does
//    (marzer/tomlplusplus#294, fixed by #301 after 3.3);
//  - a non-ASCII character outside strings and comments, or right after a
//    line-ending backslash in a multi-line basic string: the generated
//    is_non_ascii_horizontal_whitespace() reaches TOML_UNREACHABLE for most
//    code points (#190, #295, fixed by #305 after 3.3). TOML 1.0 allows
//    non-ASCII only inside strings and comments anyway, so the only valid
//    documents refused are the backslash case, with a message saying so;
//  - an array element starting with '}' ("a = [}", "[1, }"): parse_value()
//    assumes it never starts at a value terminator (found by fuzz.policy);
//  - invalid UTF-8 (TOML documents are UTF-8), checked first.
// The scan follows strings, comments and open brackets, so a '[' inside a
// value (a multi-line array, a string) is never taken for a header. It only
// classifies ASCII itself: toml++'s classifiers are the functions with the bug.
std::optional<unsafe_input> find_invalid_utf8(std::string_view s) {
  std::size_t line_off = 0;
  for (std::size_t k = 0; k < s.size();) {
    if (s[k] == '\n') line_off = k + 1;
    const auto [cp, len] = decode_utf8(s, k);
    if (len == 0) {
      static constexpr char hex[] = "0123456789abcdef";
      const auto b = static_cast<unsigned char>(s[k]);
      return unsafe_input{line_off, k,
                          std::string("TOML syntax error: invalid UTF-8 (byte 0x") + hex[b >> 4] +
                              hex[b & 15] + ")"};
    }
    k += len;
  }
  return std::nullopt;
}

// Each non-ASCII code point replaced by one 'x' (a leading BOM is kept): the
// same lines and columns, and nothing toml++'s faulty classifiers can trip on.
std::string ascii_shadow(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t k = 0;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") {
    out.append(s.substr(0, 3));
    k = 3;
  }
  while (k < s.size()) {
    const auto [cp, len] = decode_utf8(s, k);
    out += cp < 0x80 ? s[k] : 'x';
    k += len == 0 ? 1 : len;
  }
  return out;
}

std::optional<unsafe_input> find_unsafe_input(std::string_view s) {
  std::size_t line_off = 0;
  std::size_t i = 0, safe_end = 0;
  line_off = 0;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // a byte-order mark is allowed
  std::string open;  // the brackets of the values being read, innermost last
  bool line_start = true;
  auto at = [&](std::string_view p) { return s.substr(i, p.size()) == p; };
  auto skip_hws = [&](std::size_t j) {
    while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
    return j;
  };
  auto non_ascii = [&](std::size_t j, std::string_view where) {
    return unsafe_input{line_off, j,
                        "TOML syntax error: character " + codepoint_name(decode_utf8(s, j).first) +
                            " " + std::string(where),
                        safe_end};
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      line_off = ++i;
      if (open.empty()) safe_end = i;
      line_start = true;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80)
      return non_ascii(i, "outside a string or comment: TOML allows non-ASCII text only in those");
    if (line_start && (c == ' ' || c == '\t')) {
      ++i;
      continue;
    }
    const bool first_on_line = line_start;
    line_start = false;
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (at("\"\"\"") || at("'''")) {
      const std::string_view close = s.substr(i, 3);
      const bool basic = c == '"';
      for (i += 3; i < s.size() && !at(close); ++i) {
        if (s[i] == '\n') line_off = i + 1;
        if (!basic || s[i] != '\\') continue;
        // A line-ending backslash: toml++ skips the whitespace after it with
        // the faulty classifier, so the next non-blank character must be ASCII.
        std::size_t j = skip_hws(i + 1);
        if (j < s.size() && s[j] == '\r') ++j;
        if (j < s.size() && s[j] == '\n') {
          while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) {
            if (s[j] == '\n') line_off = j + 1;
            ++j;
          }
          if (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x80)
            return non_ascii(
                j,
                "right after a line-ending backslash in a multi-line string is not supported "
                "(toml++ 3.3 bug); move it after an ASCII character or drop the backslash");
          i = j - 1;
        } else {
          ++i;  // an escape: skip the escaped character
        }
      }
      // The closing delimiter may be preceded by one or two more quotes that
      // belong to the content: the string ends after the last of at most
      // five quotes in a row.
      std::size_t run = 0;
      while (i + run < s.size() && s[i + run] == c && run < 5) ++run;
      i += run;
    } else if (c == '"' || c == '\'') {
      for (++i; i < s.size() && s[i] != c && s[i] != '\n'; ++i) {
        if (c == '"' && s[i] == '\\') ++i;
      }
      if (i < s.size() && s[i] == c) ++i;
    } else if (c == '[' && first_on_line && open.empty()) {
      const std::size_t first = skip_hws(i + 1);
      std::size_t j = first;
      bool toml_reports = false;  // "[ [" is rejected by toml++ before parse_key
      if (j < s.size() && s[j] == '[') {
        if (first == i + 1)
          j = skip_hws(j + 1);
        else
          toml_reports = true;
      }
      if (!toml_reports && j < s.size() && !bare_key_char(s[j]) && s[j] != '"' && s[j] != '\'' &&
          s[j] != ']')
        return unsafe_input{
            line_off, j,
            "TOML syntax error: a table header needs a key (bare or quoted) after '[', saw " +
                codepoint_name(decode_utf8(s, j).first),
            safe_end};
      ++i;  // the header's key and brackets are scanned like any other text
      if (j > i) i = j;
    } else {
      if (c == '[' || c == '{') open += c;
      if ((c == ']' || c == '}') && !open.empty()) open.pop_back();
      // An array element cannot start with '}': toml++ 3.3's parse_value()
      // assumes it never sees a value terminator there ("a = [}", "[1, }").
      if ((c == '[' || c == ',') && !open.empty() && open.back() == '[') {
        std::size_t j = i + 1;
        while (j < s.size()) {
          if (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
            ++j;
          } else if (s[j] == '#') {
            while (j < s.size() && s[j] != '\n') ++j;
          } else {
            break;
          }
        }
        if (j < s.size() && s[j] == '}') {
          std::size_t lo = j;
          while (lo > 0 && s[lo - 1] != '\n') --lo;
          return unsafe_input{
              lo, j, "TOML syntax error: expected a value or ']' in an array, saw '}'", safe_end};
        }
      }
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<bound> parse_bound(std::string_view s, std::string& problem) {
  std::size_t pos = 0;
  skip_ws(s, pos);
  bound b;
  if (s.substr(pos, 2) == "<=") {
    b.op = comparison::le;
  } else if (s.substr(pos, 2) == ">=") {
    b.op = comparison::ge;
  } else if (pos < s.size() && (s[pos] == '<' || s[pos] == '>')) {
    problem = "strict comparisons are not supported; use '<=' or '>='";
    return std::nullopt;
  } else {
    problem = "a bound starts with '<=' or '>=', e.g. \"<= 0.05\" or \">= baseline - 0.01\"";
    return std::nullopt;
  }
  pos += 2;
  skip_ws(s, pos);
  if (s.substr(pos, 8) == "baseline") {
    b.kind = bound_kind::relative;
    pos += 8;
    skip_ws(s, pos);
    if (pos < s.size()) {
      const char sign = s[pos];
      if (sign != '+' && sign != '-') {
        problem = "expected '+' or '-' after 'baseline' at offset " + std::to_string(pos);
        return std::nullopt;
      }
      ++pos;
      skip_ws(s, pos);
      const auto v = scan_number(s, pos, false, problem);
      if (!v) return std::nullopt;
      b.value = sign == '-' ? -*v : *v;
    }
  } else {
    b.kind = bound_kind::absolute;
    const auto v = scan_number(s, pos, true, problem);
    if (!v) return std::nullopt;
    b.value = *v;
  }
  skip_ws(s, pos);
  if (pos != s.size()) {
    problem = "unexpected " + quote(s.substr(pos)) + " after the bound";
    return std::nullopt;
  }
  if (b.value == 0) b.value = 0.0;  // one spelling of zero
  return b;
}

std::string format(const diagnostic& d) {
  std::string s = d.source;
  if (d.line > 0) s += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  s += ": ";
  if (!d.key.empty()) s += "key '" + d.key + "': ";
  return s + d.message;
}

validation_result validate(std::string_view text, std::string_view source_name) {
  validation_result out;
  checker chk{std::string(source_name)};
  toml::table root;
  try {
    // toml++ 3.3 has undefined behaviour on some malformed input (see
    // find_unsafe_input). The order below only ever hands it text free of the
    // known triggers: invalid UTF-8 is refused; the ASCII shadow (no non-ASCII
    // at all) is checked for bad headers and parsed, which reports any syntax
    // error at the same line and column; once the shadow is valid TOML the
    // scan of the original is exact, and refuses non-ASCII outside strings
    // and comments.
    auto line_of = [&](std::size_t off) {
      return static_cast<toml::source_index>(
          1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(off), '\n'));
    };
    auto column_of = [&](std::size_t line_off, std::size_t off) {
      const std::string_view line_text = text.substr(line_off, off - line_off);
      return static_cast<toml::source_index>(
          1 + std::count_if(line_text.begin(), line_text.end(), [](char ch) {
            return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
          }));
    };
    auto report = [&](const unsafe_input& bad, std::string_view scanned) {
      // An earlier syntax error, if any, is still the one reported: toml++
      // reads the whole lines before the problem (already checked safe).
      (void)toml::parse(scanned.substr(0, bad.prefix_end), source_name);
      toml::source_region where;
      where.begin = {line_of(bad.line_offset), column_of(bad.line_offset, bad.offset)};
      chk.error(where, "", bad.message);
      out.diagnostics = chk.take();
    };
    if (const auto bad = find_invalid_utf8(text)) {
      toml::source_region where;
      where.begin = {line_of(bad->line_offset),
                     static_cast<toml::source_index>(1 + bad->offset - bad->line_offset)};
      chk.error(where, "", bad->message);
      out.diagnostics = chk.take();
      return out;
    }
    const std::string shadow = ascii_shadow(text);
    if (const auto bad = find_unsafe_input(shadow)) {
      report(*bad, shadow);
      return out;
    }
    try {
      (void)toml::parse(std::string_view(shadow), source_name);
    } catch (const toml::parse_error& e) {
      // The shadow's message may say "saw 'x'" for a non-ASCII character; if
      // the original has one outside a string at or before the error, that is
      // the better explanation (only the message is chosen here).
      if (const auto bad = find_unsafe_input(text)) {
        const auto l = line_of(bad->line_offset), c = column_of(bad->line_offset, bad->offset);
        if (std::pair(l, c) <= std::pair(e.source().begin.line, e.source().begin.column)) {
          toml::source_region where;
          where.begin = {l, c};
          chk.error(where, "", bad->message);
          out.diagnostics = chk.take();
          return out;
        }
      }
      throw;
    }
    if (const auto bad = find_unsafe_input(text)) {
      report(*bad, shadow);
      return out;
    }
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    auto where = e.source();
    if (where.begin.line == 0) where.begin = {1, 1};
    chk.error(where, "", "TOML syntax error: " + std::string(e.description()));
    out.diagnostics = chk.take();
    return out;
  }
  policy p;
  read_policy(chk, root, p);
  out.diagnostics = chk.take();
  if (out.diagnostics.empty()) out.value = std::move(p);
  return out;
}

validation_result validate_file(const std::filesystem::path& path) {
  std::string problem;
  const auto text = read_file(path, problem);
  if (!text) {
    validation_result out;
    out.diagnostics.push_back({path.string(), 0, 0, "", problem});
    return out;
  }
  return validate(*text, path.string());
}

policy parse_policy_string(std::string_view text, std::string_view source_name) {
  auto r = validate(text, source_name);
  if (!r.ok()) throw error(errc::parse_error, joined(r.diagnostics));
  return std::move(*r.value);
}

policy parse_policy_file(const std::filesystem::path& path) {
  std::string problem;
  const auto text = read_file(path, problem);
  if (!text) throw error(errc::io_error, path.string() + ": " + problem);
  return parse_policy_string(*text, path.string());
}

}  // namespace policy
FAIRGATE_END_NAMESPACE
