// fairgate/fairgate.hpp: the umbrella header. Includes every public concept.
// Prefer including only the headers you use; this one is for convenience.
#pragma once

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>
#include <fairgate/version.hpp>

#include <fairgate/rng/philox.hpp>
#include <fairgate/rng/stream.hpp>
