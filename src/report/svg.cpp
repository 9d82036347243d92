#include <fairgate/report/document.hpp>
#include <fairgate/report/svg.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

FAIRGATE_BEGIN_NAMESPACE

namespace report {

const char* palette(std::size_t i) noexcept {
  // Okabe & Ito (2008), "Color Universal Design", without the yellow (too
  // light on white).
  static constexpr const char* colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                            "#56B4E9", "#E69F00", "#7F7F7F", "#8C564B"};
  return colours[i % 8];
}

std::string format_number(double v, int digits) {
  if (std::isnan(v)) return "undefined";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  std::string s = buf;
  if (s == "-0.000" || s == "-0.00" || s == "-0.0" || s == "-0") s.erase(0, 1);
  return s;
}

namespace {

std::string num(double v) {
  return format_number(v, 1);
}

double clamp01(double t) {
  return std::min(1.0, std::max(0.0, t));
}

}  // namespace

std::string render(const bar_chart& c) {
  // The label column is as wide as the longest "label (note)", at ~6.6 px
  // per character of 12 px text, so long intersectional names are not cut.
  std::size_t chars = 8;
  for (const auto& b : c.bars)
    chars = std::max(chars, b.label.size() + (b.note.empty() ? 0 : b.note.size() + 3));
  const double left = std::min(420.0, 16.0 + 6.6 * static_cast<double>(chars));
  const double right = 90, top = 44, row = 30, bottom = 46;
  const double plot_w = 420;
  const double width = left + plot_w + right;
  const double height =
      top + row * static_cast<double>(std::max<std::size_t>(c.bars.size(), 1)) + bottom;
  const double span = c.hi > c.lo ? c.hi - c.lo : 1.0;
  auto x_of = [&](double v) { return left + plot_w * clamp01((v - c.lo) / span); };

  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + num(width) +
       "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  s += "<title>" + escape(c.title) + "</title>";
  s += "<text x=\"0\" y=\"18\" font-size=\"15\" font-weight=\"600\" fill=\"#1f2328\">" +
       escape(c.title) + "</text>";
  // Grid and ticks at 0, 0.25, ..., 1 of the axis.
  const double plot_bottom = height - bottom;
  for (int k = 0; k <= 4; ++k) {
    const double v = c.lo + span * k / 4.0;
    const double x = x_of(v);
    s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top - 6) + "\" x2=\"" + num(x) + "\" y2=\"" +
         num(plot_bottom) + "\" stroke=\"#d0d7de\" stroke-width=\"1\"/>";
    s += "<text x=\"" + num(x) + "\" y=\"" + num(plot_bottom + 16) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#57606a\">" + format_number(v, 2) +
         "</text>";
  }
  s += "<text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(plot_bottom + 36) +
       "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">" + escape(c.unit) + "</text>";
  for (std::size_t i = 0; i < c.bars.size(); ++i) {
    const bar& b = c.bars[i];
    const double y = top + row * static_cast<double>(i);
    const double cy = y + row / 2;
    s += "<text x=\"" + num(left - 8) + "\" y=\"" + num(cy + 4) +
         "\" font-size=\"12\" text-anchor=\"end\" fill=\"#1f2328\">" + escape(b.label);
    if (!b.note.empty()) s += "<tspan fill=\"#57606a\"> (" + escape(b.note) + ")</tspan>";
    s += "</text>";
    if (std::isnan(b.value)) {
      s += "<text x=\"" + num(left + 4) + "\" y=\"" + num(cy + 4) +
           "\" font-size=\"12\" font-style=\"italic\" fill=\"#57606a\">undefined (no rows for this "
           "rate)</text>";
      continue;
    }
    const double x0 = x_of(std::max(c.lo, 0.0 < c.lo ? c.lo : std::min(0.0, c.hi)));
    const double x1 = x_of(b.value);
    const double bx = std::min(x0, x1), bw = std::max(std::abs(x1 - x0), 1.0);
    s += "<rect x=\"" + num(bx) + "\" y=\"" + num(y + 6) + "\" width=\"" + num(bw) +
         "\" height=\"" + num(row - 12) + "\" fill=\"" + palette(i) + "\" fill-opacity=\"0.85\"/>";
    double label_x = std::max(x1, bx + bw);
    if (!std::isnan(b.lower) && !std::isnan(b.upper)) {
      const double wl = x_of(b.lower), wu = x_of(b.upper);
      s += "<line x1=\"" + num(wl) + "\" y1=\"" + num(cy) + "\" x2=\"" + num(wu) + "\" y2=\"" +
           num(cy) + "\" stroke=\"#1f2328\" stroke-width=\"1.5\"/>";
      for (double wx : {wl, wu}) {
        s += "<line x1=\"" + num(wx) + "\" y1=\"" + num(cy - 6) + "\" x2=\"" + num(wx) +
             "\" y2=\"" + num(cy + 6) + "\" stroke=\"#1f2328\" stroke-width=\"1.5\"/>";
      }
      label_x = std::max(label_x, wu);
    }
    s += "<text x=\"" + num(label_x + 6) + "\" y=\"" + num(cy + 4) +
         "\" font-size=\"12\" fill=\"#1f2328\">" + format_number(b.value) + "</text>";
  }
  if (c.reference && std::isfinite(*c.reference)) {
    const double x = x_of(*c.reference);
    s += "<line x1=\"" + num(x) + "\" y1=\"" + num(top - 6) + "\" x2=\"" + num(x) + "\" y2=\"" +
         num(plot_bottom) + "\" stroke=\"#1f2328\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>";
    s += "<text x=\"" + num(x) + "\" y=\"" + num(top - 10) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1f2328\">" +
         escape(c.reference_label) + " " + format_number(*c.reference) + "</text>";
  }
  s += "</svg>";
  return s;
}

std::string render(const line_chart& c) {
  std::size_t chars = 10;
  for (const auto& l : c.lines) chars = std::max(chars, l.name.size());
  chars = std::max({chars, c.y_reference_label.size(), c.x_marks_label.size()});
  const double left = 62, right = std::min(380.0, 44.0 + 6.6 * static_cast<double>(chars)),
               top = 36, bottom = 52;
  const double plot_w = 330, plot_h = 250;
  const double width = left + plot_w + right, height = top + plot_h + bottom;
  const double xs = c.x_hi > c.x_lo ? c.x_hi - c.x_lo : 1.0;
  const double ys = c.y_hi > c.y_lo ? c.y_hi - c.y_lo : 1.0;
  auto X = [&](double v) { return left + plot_w * clamp01((v - c.x_lo) / xs); };
  auto Y = [&](double v) { return top + plot_h * (1.0 - clamp01((v - c.y_lo) / ys)); };

  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + num(width) +
       "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) + "\">";
  s += "<title>" + escape(c.title) + "</title>";
  s += "<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"600\" fill=\"#1f2328\">" +
       escape(c.title) + "</text>";
  s += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(plot_w) +
       "\" height=\"" + num(plot_h) + "\" fill=\"none\" stroke=\"#8c959f\"/>";
  // Tick labels: enough decimals that a narrow range (e.g. a change of 0.01)
  // gets distinct labels.
  const int xdig = xs < 0.2 ? 3 : 2, ydig = ys < 0.2 ? 3 : 2;
  for (int k = 0; k <= 4; ++k) {
    const double xv = c.x_lo + xs * k / 4.0, yv = c.y_lo + ys * k / 4.0;
    s += "<line x1=\"" + num(X(xv)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(X(xv)) + "\" y2=\"" +
         num(top + plot_h) + "\" stroke=\"#eaeef2\"/>";
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(Y(yv)) + "\" x2=\"" + num(left + plot_w) +
         "\" y2=\"" + num(Y(yv)) + "\" stroke=\"#eaeef2\"/>";
    s += "<text x=\"" + num(X(xv)) + "\" y=\"" + num(top + plot_h + 15) +
         "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#57606a\">" + format_number(xv, xdig) +
         "</text>";
    s += "<text x=\"" + num(left - 6) + "\" y=\"" + num(Y(yv) + 4) +
         "\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">" + format_number(yv, ydig) +
         "</text>";
  }
  s += "<text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(top + plot_h + 36) +
       "\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">" + escape(c.x_label) +
       "</text>";
  s += "<text transform=\"translate(14 " + num(top + plot_h / 2) +
       ") rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1f2328\">" +
       escape(c.y_label) + "</text>";
  if (c.diagonal) {
    s += "<line x1=\"" + num(X(c.x_lo)) + "\" y1=\"" + num(Y(c.y_lo)) + "\" x2=\"" +
         num(X(c.x_hi)) + "\" y2=\"" + num(Y(c.y_hi)) +
         "\" stroke=\"#8c959f\" stroke-dasharray=\"5 4\"/>";
  }
  for (double xm : c.x_marks) {
    if (!std::isfinite(xm)) continue;
    s += "<line x1=\"" + num(X(xm)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(X(xm)) + "\" y2=\"" +
         num(top + plot_h) + "\" stroke=\"#f5b7b1\" stroke-width=\"5\"/>";
  }
  if (c.y_reference && std::isfinite(*c.y_reference)) {
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(Y(*c.y_reference)) + "\" x2=\"" +
         num(left + plot_w) + "\" y2=\"" + num(Y(*c.y_reference)) +
         "\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>";
  }
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    const auto& ln = c.lines[i];
    std::string path;
    bool pen = false;
    for (const auto& p : ln.points) {
      if (!std::isfinite(p.y) || !std::isfinite(p.x)) {
        pen = false;
        continue;
      }
      path += (pen ? " L" : " M") + num(X(p.x)) + " " + num(Y(p.y));
      pen = true;
    }
    if (!path.empty() && !ln.markers_only) {
      // Past the 8 palette colours, a dash pattern keeps the lines apart.
      s += "<path d=\"" + path.substr(1) + "\" fill=\"none\" stroke=\"" + palette(i) +
           "\" stroke-width=\"2\"" + (i >= 8 ? " stroke-dasharray=\"7 3\"" : "") + "/>";
    }
    for (const auto& p : ln.points) {
      if (!std::isfinite(p.y) || !std::isfinite(p.x)) continue;
      s += "<circle cx=\"" + num(X(p.x)) + "\" cy=\"" + num(Y(p.y)) + "\" r=\"2.6\" fill=\"" +
           palette(i) + "\"/>";
    }
    const double ly = top + 10 + 18 * static_cast<double>(i);
    s += "<line x1=\"" + num(left + plot_w + 12) + "\" y1=\"" + num(ly) + "\" x2=\"" +
         num(left + plot_w + 30) + "\" y2=\"" + num(ly) + "\" stroke=\"" + palette(i) +
         "\" stroke-width=\"3\"" + (i >= 8 ? " stroke-dasharray=\"7 3\"" : "") + "/>";
    s += "<text x=\"" + num(left + plot_w + 35) + "\" y=\"" + num(ly + 4) +
         "\" font-size=\"12\" fill=\"#1f2328\">" + escape(ln.name) + "</text>";
  }
  double extra = static_cast<double>(c.lines.size());
  if (c.y_reference && std::isfinite(*c.y_reference) && !c.y_reference_label.empty()) {
    const double ly = top + 10 + 18 * extra;
    extra += 1;
    s += "<line x1=\"" + num(left + plot_w + 12) + "\" y1=\"" + num(ly) + "\" x2=\"" +
         num(left + plot_w + 30) + "\" y2=\"" + num(ly) +
         "\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>";
    s += "<text x=\"" + num(left + plot_w + 35) + "\" y=\"" + num(ly + 4) +
         "\" font-size=\"12\" fill=\"#1f2328\">" + escape(c.y_reference_label) + "</text>";
  }
  if (!c.x_marks.empty() && !c.x_marks_label.empty()) {
    const double ly = top + 10 + 18 * extra;
    extra += 1;
    s += "<line x1=\"" + num(left + plot_w + 12) + "\" y1=\"" + num(ly) + "\" x2=\"" +
         num(left + plot_w + 30) + "\" y2=\"" + num(ly) +
         "\" stroke=\"#f5b7b1\" stroke-width=\"5\"/>";
    s += "<text x=\"" + num(left + plot_w + 35) + "\" y=\"" + num(ly + 4) +
         "\" font-size=\"12\" fill=\"#1f2328\">" + escape(c.x_marks_label) + "</text>";
  }
  if (c.diagonal && !c.diagonal_label.empty()) {
    const double ly = top + 10 + 18 * extra;
    s += "<line x1=\"" + num(left + plot_w + 12) + "\" y1=\"" + num(ly) + "\" x2=\"" +
         num(left + plot_w + 30) + "\" y2=\"" + num(ly) +
         "\" stroke=\"#8c959f\" stroke-dasharray=\"5 4\"/>";
    s += "<text x=\"" + num(left + plot_w + 35) + "\" y=\"" + num(ly + 4) +
         "\" font-size=\"12\" fill=\"#57606a\">" + escape(c.diagonal_label) + "</text>";
  }
  s += "</svg>";
  return s;
}

}  // namespace report

FAIRGATE_END_NAMESPACE
