"""fairgate: fairness constraints that survive training, pruning and quantization.

A thin ctypes binding over fairgate's stable C ABI (fairgate.h). Arrays cross
as numpy buffers without copies. Errors raise FairgateError subclasses that
carry the C status name and message.
"""
from ._native import FairgateError, lib

__all__ = ["FairgateError", "version", "abi_version", "rng", "objectives", "metrics", "uncertainty",
           "prune", "quantize", "monitor", "policy", "gate", "controller", "manifest"]


def version() -> str:
    """The version of the loaded libfairgate, e.g. "0.1.0"."""
    return lib.fairgate_version_string().decode()


def abi_version() -> int:
    return int(lib.fairgate_abi_version())


from . import metrics, objectives, prune, quantize, rng, uncertainty  # noqa: E402  (need lib loaded first)
from . import monitor  # noqa: E402
from . import controller, gate, manifest, policy  # noqa: E402
