"""The Python binding's streams against an independent pure-Python Philox4x32-10.

The oracle below follows Salmon et al. (SC'11) and Random123's philox.h
constants; it shares no code with fairgate. It is checked against Random123's
published known-answer vector first, then used to predict fairgate's words
from the documented stream layout:
  key = (seed lo, seed hi); counter = (block lo, block hi, purpose tag, index).
"""
import numpy as np
import pytest

import fairgate
from fairgate.rng import Stream, purpose_tag

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK = 0xFFFFFFFF


def philox4x32_10(ctr, key):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + W0) & MASK, (k1 + W1) & MASK
        p0, p1 = M0 * c0, M1 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & MASK, (p0 >> 32) ^ c3 ^ k1, p0 & MASK
    return [c0, c1, c2, c3]


def fnv1a32(name: str) -> int:
    h = 2166136261
    for b in name.encode():
        h = ((h ^ b) * 16777619) & MASK
    return h


def test_oracle_reproduces_random123_known_answers():
    assert philox4x32_10([0, 0, 0, 0], [0, 0]) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert philox4x32_10([MASK] * 4, [MASK] * 2) == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]


def test_purpose_tag_is_fnv1a32():
    for name in ["", "split", "bootstrap", "prune.random", "a host's own purpose"]:
        assert purpose_tag(name) == fnv1a32(name)


@pytest.mark.parametrize("seed,purpose,index", [(0, "split", 0), (42, "bootstrap", 7),
                                                (2**64 - 1, "prune.random", 2**32 - 1)])
def test_stream_words_follow_the_documented_layout(seed, purpose, index):
    words = Stream(seed, purpose, index).u32(4 * 5)
    key = [seed & MASK, seed >> 32]
    expected = []
    for block in range(5):
        expected += philox4x32_10([block & MASK, block >> 32, fnv1a32(purpose), index], key)
    assert words.tolist() == expected


def test_seek_reaches_any_position():
    s = Stream(7, "split")
    first = s.u32(100)
    s.seek(37)
    assert s.position == 37
    assert np.array_equal(s.u32(10), first[37:47])


def test_errors_carry_the_c_status_and_message():
    import ctypes
    from fairgate._native import check
    from fairgate.rng import _create
    handle = ctypes.c_void_p()
    with pytest.raises(fairgate.FairgateError) as info:
        check(_create(1, None, 0, ctypes.byref(handle)))  # ctypes passes NULL for None
    assert info.value.status == "FAIRGATE_E_NULL_POINTER"
    assert "purpose" in info.value.message


def test_versions_are_reported():
    assert fairgate.version() == "0.1.0"
    assert fairgate.abi_version() == 0
