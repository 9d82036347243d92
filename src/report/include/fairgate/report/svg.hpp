// fairgate/report/svg.hpp: the report's charts, drawn as inline SVG text.
//
//   fairgate::report::bar_chart c{.title = "Selection rate", .unit = "share of rows predicted
//   positive"}; c.bars.push_back({.label = "Female", .value = 0.11, .lower = 0.10, .upper = 0.12,
//   .note = "n = 4,421"}); std::string svg = fairgate::report::render(c);
//
// Charts are generated in C++ so the report needs no JavaScript library and
// no network. Undefined values (NaN) are drawn as "undefined" text, never as
// a zero-length bar that could be read as 0. Every chart carries its title,
// axis labels with units, and an accessible <title>. Output depends only on
// the inputs (numbers printed with a fixed format), so it is reproducible.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace report {

inline constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

// The colour of series / group i (a fixed palette of 8, colour-blind aware:
// Okabe & Ito 2008), cycling.
[[nodiscard]] const char* palette(std::size_t i) noexcept;

struct bar {
  std::string label;
  double value = undefined;
  double lower = undefined;  // whisker; NaN = no interval
  double upper = undefined;
  std::string note;  // e.g. the group size, printed after the label
};

// Horizontal bars on a [lo, hi] axis, one row per bar, with optional
// interval whiskers and an optional dashed reference line (e.g. the overall value).
struct bar_chart {
  std::string title;
  std::string unit;  // axis label, e.g. "rate (0 = none, 1 = all)"
  std::vector<bar> bars;
  double lo = 0.0;
  double hi = 1.0;
  std::optional<double> reference;
  std::string reference_label;
};

struct point {
  double x = 0.0;
  double y = 0.0;
};

struct series {
  std::string name;
  std::vector<point> points;  // drawn in the given order; NaN y breaks the line
  bool markers_only = false;  // a scatter: points without the connecting line
};

// Lines (with point markers) on fixed [x_lo, x_hi] x [y_lo, y_hi] axes.
struct line_chart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<series> lines;
  double x_lo = 0.0, x_hi = 1.0, y_lo = 0.0, y_hi = 1.0;
  bool diagonal = false;  // draw y = x (perfect calibration)
  std::string diagonal_label;
  // A horizontal dashed red line, e.g. a policy bound, with its legend label.
  std::optional<double> y_reference;
  std::string y_reference_label;
  // Vertical shaded marks at these x values, e.g. rolled-back steps.
  std::vector<double> x_marks;
  std::string x_marks_label;
};

[[nodiscard]] std::string render(const bar_chart& chart);
[[nodiscard]] std::string render(const line_chart& chart);

// Fixed-format number for charts and tables: "undefined" for NaN, else
// `digits` decimals (printf %.*f, correctly rounded by glibc).
[[nodiscard]] std::string format_number(double v, int digits = 3);

}  // namespace report

FAIRGATE_END_NAMESPACE
