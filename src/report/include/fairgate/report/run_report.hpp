// fairgate/report/run_report.hpp: report.html of a fairgate run directory.
//
//   auto results = nlohmann::json::parse(read_text_file(dir / "results.json"));
//   auto manifest = nlohmann::json::parse(read_text_file(dir / "manifest.json"));
//   std::string html = fairgate::report::render_run(results, manifest);
//
// A run directory holds manifest.json (fairgate/manifest/manifest.hpp) and
// results.json (the command's JSON output, schema in docs/cli.md). The page
// is assembled from sections; each function below builds one or more of
// them from the JSON alone, so a new producer (e.g. the compression
// controller: milestones, Pareto frontier) adds its sections by adding a
// builder and a case in render_run(), without touching the others.
// Unknown or missing optional keys simply leave a section out; a results
// document without "command" is an errc::parse_error.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fairgate/config.hpp>
#include <fairgate/report/document.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace report {

// Audit: "Summary" (the four-fifths rule on selection-rate ratios and the
// disparities), "Metrics by group" (bars with bootstrap whiskers and group
// sizes), "Calibration by group" and "Rates across thresholds" (when scores
// were audited), "All numbers" (the full table).
[[nodiscard]] std::vector<section> audit_sections(const nlohmann::json& results);
// Train: the model, the data it saw and the training loss per epoch.
[[nodiscard]] std::vector<section> train_sections(const nlohmann::json& results);
// Compress: "Compression: pass or fail per target" (each constraint's value,
// interval and reason, group sizes), "Metrics by group: uncompressed vs
// compressed" (bars per judged group with the gate's interval as whiskers and
// n), "Constraints across compression steps"
// (one line per group, the bound dashed, rolled-back steps shaded, every
// step's decision), "Pareto frontier" (sparsity vs the worst-off group).
[[nodiscard]] std::vector<section> compress_sections(const nlohmann::json& results);
// Demo: "What this run did" (data, split, model, the mitigation's effect),
// the compress sections, then the audit sections of the reference model.
[[nodiscard]] std::vector<section> demo_sections(const nlohmann::json& results);
// "Data lineage": input files and their SHA-256, table columns, seeds and
// stream keys, the build (version, git describe, compiler, flags, target),
// and the manifest's computation hash.
[[nodiscard]] section lineage_section(const nlohmann::json& manifest);

// The whole page for a run: the command's sections, then the lineage.
[[nodiscard]] std::string render_run(const nlohmann::json& results, const nlohmann::json& manifest);

}  // namespace report

FAIRGATE_END_NAMESPACE
