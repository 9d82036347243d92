// Terminal handling, error formatting and label binarisation for the CLI.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include <unistd.h>

#include <fairgate/error.hpp>
#include <fairgate/io/csv.hpp>

#include "cli.hpp"

namespace fairgate_cli {

terminal terminal::detect(bool quiet) {
  terminal t;
  const char* nc = std::getenv("NO_COLOR");
  const bool no_colour = nc != nullptr && nc[0] != '\0';
  t.colour_stdout = !no_colour && ::isatty(1) == 1;
  t.colour_stderr = !no_colour && ::isatty(2) == 1;
  t.progress = !quiet && ::isatty(2) == 1;
  return t;
}

std::string terminal::paint(bool on, const char* sgr, const std::string& text) const {
  if (!on) return text;
  return std::string("\x1b[") + sgr + "m" + text + "\x1b[0m";
}

progress_bar::progress_bar(const terminal& t, std::string label, std::uint64_t total)
    : enabled_(t.progress),
      label_(std::move(label)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

progress_bar::~progress_bar() {
  finish();
}

void progress_bar::update(std::uint64_t done) {
  if (!enabled_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  // Only steps that take longer than about a second get a bar.
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done < total_) return;
  last_ = now;
  drawn_ = true;
  const double f = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  constexpr int width = 30;
  const int fill = static_cast<int>(f * width);
  std::string bar(static_cast<std::size_t>(fill), '#');
  bar.append(static_cast<std::size_t>(width - fill), '.');
  std::fprintf(stderr, "\r%s [%s] %3d%%", label_.c_str(), bar.c_str(), static_cast<int>(f * 100.0));
  std::fflush(stderr);
}

void progress_bar::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r\x1b[2K");
    std::fflush(stderr);
    drawn_ = false;
  }
  enabled_ = false;
}

std::string format_error(const std::string& message) {
  // fairgate::io reports cell errors as "FILE: line L, column C ('name'): ..."
  // (csv_table::where); compilers and editors understand FILE:LINE:COL.
  static const std::regex located(
      R"(^(.*?): line ([0-9]+), column ([0-9]+)(?: \(("[^"]*"|'[^']*')\))?: ([\s\S]*)$)");
  std::smatch m;
  if (std::regex_match(message, m, located)) {
    std::string out = "fairgate: error: " + m[1].str() + ":" + m[2].str() + ":" + m[3].str() + ": ";
    if (m[4].matched) out += "column " + m[4].str() + ": ";
    return out + m[5].str();
  }
  return "fairgate: error: " + message;
}

json jnum(double v, bool undefined) {
  if (undefined || !std::isfinite(v)) return nullptr;
  return v;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The natural classes: 1 / true positive; 0, -1 / false negative.
std::optional<std::uint8_t> natural(std::string_view text) {
  if (const auto v = fairgate::io::parse_number(text)) {
    if (*v == 1.0) return 1;
    if (*v == 0.0 || *v == -1.0) return 0;
    return std::nullopt;
  }
  const std::string l = lower(text);
  if (l == "true") return 1;
  if (l == "false") return 0;
  return std::nullopt;
}

std::string quote_list(const std::vector<std::string>& v, std::size_t max = 6) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", '" : "'") + v[i] + "'";
  if (v.size() > max) s += ", ... (" + std::to_string(v.size()) + " in all)";
  return s;
}

}  // namespace

void label_mapper::fit(const std::vector<std::string>& distinct, const std::string& where_column) {
  using fairgate::errc;
  if (positive_) {
    bool found = false;
    for (const auto& d : distinct) found = found || map(d) == std::uint8_t{1};
    if (!found) {
      throw fairgate::error(errc::invalid_argument, where_column + ": --positive '" + *positive_ +
                                                        "' does not occur; its values are " +
                                                        quote_list(distinct));
    }
    return;
  }
  if (distinct.size() > 2) {
    throw fairgate::error(errc::invalid_argument,
                          where_column + " has " + std::to_string(distinct.size()) +
                              " distinct values (" + quote_list(distinct) +
                              "): a binary label needs two; pass --positive VALUE to "
                              "treat one value as positive and all others as negative");
  }
  bool has_pos = false, has_neg = false;
  for (const auto& d : distinct) {
    const auto v = natural(d);
    if (!v) {
      throw fairgate::error(
          errc::invalid_argument,
          where_column + " has the values " + quote_list(distinct) +
              ": fairgate cannot tell which one is positive; pass --positive VALUE");
    }
    (*v ? has_pos : has_neg) = true;
  }
  if (distinct.size() == 2 && !(has_pos && has_neg)) {
    throw fairgate::error(errc::invalid_argument,
                          where_column + " has the values " + quote_list(distinct) +
                              ", which are the same class; pass --positive VALUE");
  }
}

std::optional<std::uint8_t> label_mapper::map(std::string_view text) const {
  if (!positive_) return natural(text);
  const auto a = fairgate::io::parse_number(text);
  const auto b = fairgate::io::parse_number(*positive_);
  if (a && b) return *a == *b ? 1 : 0;
  return text == *positive_ ? 1 : 0;
}

}  // namespace fairgate_cli
