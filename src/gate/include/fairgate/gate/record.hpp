// fairgate/gate/record.hpp: the record of a controller run in a manifest, and
// rolling a model back to any recorded state.
//
//   fairgate::gate::run_result r = c.run(plan);
//   fairgate::manifest::manifest m;
//   fairgate::gate::record_run(m, r, c);        // or controller_options::manifest_path
//   m.write("run/manifest.json");
//   ...  // later, e.g. after a failed post-deployment check, with a fresh controller
//   auto s = fairgate::gate::restore(c2, fairgate::manifest::manifest::read("run/manifest.json"),
//                                    "device");  // the best passing state, into c2's tensors
//
// record_run fills the computation section of the manifest (docs/gate.md,
// "Manifest of a run", has every key):
//  - config["controller"]: the plan, remedies, options, the registered
//    tensors (name, shape, channel axis) and the evaluation rows (count,
//    SHA-256 of labels and group codes, group names, threshold), the SHA-256
//    of the host's baseline scores;
//  - policy: the canonical TOML of the policy (path "policy:<name>") if the
//    manifest has none yet;
//  - randomness: the root seed (options.seed, if set and none is recorded)
//    and one stream key per (target, constraint) that draws bootstrap
//    replicates: stream(seed, "bootstrap.paired" or "bootstrap.rows", b) for
//    replicates b = 0 .. B-1 (the key recorded has index 0);
//  - results["controller"]: the run digest and, per target, the best state,
//    the frontier, steps, stopped, the checkpoint hashes and the best
//    checkpoint number;
//  - artifacts: "controller/<target>/checkpoint/<k>" for every checkpoint (its
//    SHA-256 is its name in the store) and "controller/changelog.jsonl".
// Nothing machine- or time-dependent enters the computation section (no
// paths, no timestamps; the checkpoint directory goes to "unhashed"), so the
// same run twice gives byte-identical computation sections. A resumed run
// gives the same section as an uninterrupted one except for the changelog's
// hash: the changelog records the resume (by design, it is the audit trail).
//
// restore writes a recorded state — master weights, masks, bit widths and
// quantization scales — into the controller's registered tensors, exactly as
// the controller materialised it during the run (weights × mask,
// fake-quantized when bits < 32; the recorded scales are checked bit for bit
// against the ones the recorded weights give). It reads record_run's layout
// or one record per target nested under the target's name
// (results.controller.<target>, config.controller.<target>, as `fairgate
// compress` writes it). Every object read from the store is
// re-hashed; a store entry that fails verification, a checkpoint whose state
// digest differs from the recorded one, or recorded scales that differ from
// the ones the recorded weights give, is errc::verification_failed. A
// manifest without a controller record, an unknown target or checkpoint
// number is errc::invalid_argument; registered tensors that differ in name or
// shape from the recorded ones are errc::invalid_argument; a record of the
// wrong shape is errc::parse_error. On any error nothing is written into the
// tensors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/gate/controller.hpp>
#include <fairgate/manifest/manifest.hpp>

FAIRGATE_BEGIN_NAMESPACE
namespace gate {

// Records run `r` of controller `c` into the computation section of `m`
// (see above). Reads the changelog file to hash it (errc::io_error if it
// cannot be read).
void record_run(manifest::manifest& m, const run_result& r, const controller& c);

struct restored_state {
  std::string target;
  std::uint64_t checkpoint = 0;  // the checkpoint number restored (1-based)
  std::string state_digest;      // recomputed from the restored state; equals the recorded one
  double sparsity = 0.0;
  double mean_bits = 32.0;
  std::vector<std::uint32_t> tensor_bits;
};

// Writes the state of checkpoint `checkpoint` (1-based; 0: the target's best
// state, results.controller.targets[].best_checkpoint) of `target`, as
// recorded in `m`, into the tensors registered with `c`, reading the objects
// from c's checkpoint store (options.directory / "store").
restored_state restore(controller& c, const manifest::manifest& m, std::string_view target,
                       std::uint64_t checkpoint = 0);

}  // namespace gate
FAIRGATE_END_NAMESPACE
