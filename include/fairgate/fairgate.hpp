// fairgate/fairgate.hpp: the umbrella header. Includes every public concept.
// Prefer including only the headers you use; this one is for convenience.
#pragma once

#include <fairgate/config.hpp>
#include <fairgate/digest.hpp>
#include <fairgate/error.hpp>
#include <fairgate/version.hpp>

// math
#include <fairgate/math/branchless.hpp>
#include <fairgate/math/deterministic.hpp>

// rng
#include <fairgate/rng/discrete.hpp>
#include <fairgate/rng/normal.hpp>
#include <fairgate/rng/permutation.hpp>
#include <fairgate/rng/philox.hpp>
#include <fairgate/rng/sampler_tables.hpp>
#include <fairgate/rng/split.hpp>
#include <fairgate/rng/stream.hpp>
#include <fairgate/rng/uniform.hpp>

// tensor
#include <fairgate/tensor/view.hpp>

// metrics
#include <fairgate/metrics/accumulate.hpp>
#include <fairgate/metrics/accumulator.hpp>
#include <fairgate/metrics/confusion.hpp>
#include <fairgate/metrics/confusion_kernels.hpp>
#include <fairgate/metrics/disparities.hpp>
#include <fairgate/metrics/exact_sum.hpp>
#include <fairgate/metrics/frame.hpp>
#include <fairgate/metrics/groups.hpp>
#include <fairgate/metrics/inputs.hpp>
#include <fairgate/metrics/rates.hpp>
#include <fairgate/metrics/score_bins.hpp>
#include <fairgate/metrics/serialize.hpp>
// metrics: scores, ranking, calibration, threshold sweep, inequality
#include <fairgate/metrics/accumulator_scores.hpp>
#include <fairgate/metrics/calibration.hpp>
#include <fairgate/metrics/inequality.hpp>
#include <fairgate/metrics/probabilistic.hpp>
#include <fairgate/metrics/roc.hpp>
#include <fairgate/metrics/threshold_sweep.hpp>

// uncertainty
#include <fairgate/math/special.hpp>
#include <fairgate/uncertainty/binomial_sampler.hpp>
#include <fairgate/uncertainty/bootstrap.hpp>
#include <fairgate/uncertainty/mcnemar.hpp>
#include <fairgate/uncertainty/multiple_comparisons.hpp>
#include <fairgate/uncertainty/paired.hpp>
#include <fairgate/uncertainty/percentile.hpp>
#include <fairgate/uncertainty/proportion.hpp>
#include <fairgate/uncertainty/proportion_tests.hpp>
#include <fairgate/uncertainty/wilson.hpp>

// prune
#include <fairgate/prune/amount.hpp>
#include <fairgate/prune/global.hpp>
#include <fairgate/prune/magnitude.hpp>
#include <fairgate/prune/nm.hpp>
#include <fairgate/prune/random.hpp>
#include <fairgate/prune/record.hpp>
#include <fairgate/prune/saliency.hpp>
#include <fairgate/prune/schedule.hpp>
#include <fairgate/prune/structured.hpp>
#include <fairgate/tensor/mask.hpp>

// quantize
#include <fairgate/quantize/bias_correction.hpp>
#include <fairgate/quantize/dynamic.hpp>
#include <fairgate/quantize/int8_gemm.hpp>
#include <fairgate/quantize/observer.hpp>
#include <fairgate/quantize/quantize.hpp>
#include <fairgate/quantize/scheme.hpp>

// objectives
#include <fairgate/objectives/penalties.hpp>
#include <fairgate/objectives/proxy_lagrangian.hpp>

// monitor (rollback.hpp is not included: it needs the compiled manifest/io libraries)
#include <fairgate/monitor/config.hpp>
#include <fairgate/monitor/drift.hpp>
#include <fairgate/monitor/monitor.hpp>
#include <fairgate/monitor/sequential.hpp>
