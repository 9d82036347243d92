// fairgate/fairgate.hpp: the umbrella header. Includes every public concept.
// Prefer including only the headers you use; this one is for convenience.
#pragma once

#include <fairgate/config.hpp>
#include <fairgate/digest.hpp>
#include <fairgate/error.hpp>
#include <fairgate/version.hpp>

// math
#include <fairgate/math/deterministic.hpp>

// rng
#include <fairgate/rng/philox.hpp>
#include <fairgate/rng/stream.hpp>

// tensor
#include <fairgate/tensor/view.hpp>

// metrics
#include <fairgate/metrics/confusion.hpp>

// uncertainty

// prune

// quantize
