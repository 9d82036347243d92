// fairgate/report/document.hpp: a single self-contained HTML page made of sections.
//
//   fairgate::report::document doc("fairgate audit: predictions.csv");
//   doc.add_section({"summary", "Summary", "<p>...</p>"});
//   std::string html = doc.render();          // one file: inline CSS, no scripts, no fetches
//
// Why a section list: the report grows with the project (controller
// milestones, the Pareto frontier) by appending sections, never by editing a
// template. Section bodies are HTML fragments the caller has already escaped
// (use escape() on every piece of user or data text). The page needs no
// JavaScript and references no external resource, so it renders identically
// offline, in a mail attachment or in a headless browser. The output depends
// only on its inputs (no clock, no host name), so the same run renders the
// same bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace report {

// HTML-escapes &, <, >, " and ' (safe in element text and in quoted attributes).
[[nodiscard]] std::string escape(std::string_view text);

struct section {
  std::string id;     // the element id (letters, digits, '-'); anchors the table of contents
  std::string title;  // plain text, escaped by render()
  std::string body;   // an HTML fragment, already escaped
};

class document {
 public:
  explicit document(std::string title) : title_(std::move(title)) {}
  void set_subtitle(std::string text) { subtitle_ = std::move(text); }
  void add_section(section s) { sections_.push_back(std::move(s)); }
  [[nodiscard]] const std::vector<section>& sections() const noexcept { return sections_; }
  // The whole page: <!DOCTYPE html>, inline <style>, a contents list, then
  // every section as <section id="...">.
  [[nodiscard]] std::string render() const;

 private:
  std::string title_;
  std::string subtitle_;
  std::vector<section> sections_;
};

}  // namespace report

FAIRGATE_END_NAMESPACE
