#include <fairgate/report/document.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// Plain system fonts and high-contrast colours: readable on screen and when
// printed, and no font download.
constexpr std::string_view css = R"CSS(
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1f2328;background:#fff;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:1.7em;margin:0 0 4px}
h2{font-size:1.3em;margin:36px 0 8px;padding-top:8px;border-top:1px solid #d0d7de}
h3{font-size:1.05em;margin:20px 0 6px}
p.sub{color:#57606a;margin:0 0 16px}
p.note{color:#57606a;font-size:.92em}
nav ol{columns:2;margin:8px 0 0;padding-left:20px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0 12px;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.mono,span.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.88em;word-break:break-all}
.pass{color:#1a7f37;font-weight:600}
.fail{color:#cf222e;font-weight:600}
.na{color:#57606a}
.verdict{display:inline-block;padding:6px 12px;border-radius:6px;font-weight:600;margin:6px 0}
.verdict.pass{background:#dafbe1}
.verdict.fail{background:#ffebe9}
.verdict.na{background:#f6f8fa}
figure{margin:12px 0 20px}
figcaption{color:#57606a;font-size:.9em;margin-top:4px}
svg{max-width:100%;height:auto}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.charts{display:flex;flex-wrap:wrap;gap:8px 28px}
)CSS";

}  // namespace

std::string document::render() const {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + escape(title_) + "</title>\n<style>";
  h += css;
  h += "</style>\n</head>\n<body>\n<main>\n";
  h += "<h1>" + escape(title_) + "</h1>\n";
  if (!subtitle_.empty()) h += "<p class=\"sub\">" + escape(subtitle_) + "</p>\n";
  h += "<nav aria-label=\"Contents\"><strong>Contents</strong><ol>\n";
  for (const auto& s : sections_) {
    h += "<li><a href=\"#" + escape(s.id) + "\">" + escape(s.title) + "</a></li>\n";
  }
  h += "</ol></nav>\n";
  for (const auto& s : sections_) {
    h += "<section id=\"" + escape(s.id) + "\">\n<h2>" + escape(s.title) + "</h2>\n";
    h += s.body;
    h += "\n</section>\n";
  }
  h += "</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace report

FAIRGATE_END_NAMESPACE
