"""Deterministic randomness: vectorized (Arrow) streams for bulk rows, seeded `random.Random` for
the hand-written parts. Everything derives from the seed and a label, never from global state,
so the same seed gives the same rows whatever order tables are generated in."""

from __future__ import annotations

import hashlib
import random

import pyarrow as pa
import pyarrow.compute as pc

_GOLDEN = pa.scalar(0x9E3779B97F4A7C15, pa.uint64())
_MIX1 = pa.scalar(0xBF58476D1CE4E5B9, pa.uint64())
_MIX2 = pa.scalar(0x94D049BB133111EB, pa.uint64())


def _u64(value: int) -> pa.Scalar:
    return pa.scalar(value & 0xFFFFFFFFFFFFFFFF, pa.uint64())


def key_of(seed: int, label: str) -> int:
    digest = hashlib.blake2b(f"{seed}/{label}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def py_random(seed: int, label: str) -> random.Random:
    """A private `random.Random` for one labelled purpose (stories, the fleet, catalogues)."""
    return random.Random(key_of(seed, label))  # noqa: S311 - synthetic data, not security


def splitmix(values: pa.Array, key: int) -> pa.Array:
    """SplitMix64 of `values` (uint64) under `key`: a fast, well-mixed, reproducible hash."""
    x = pc.add(pc.multiply(values, _GOLDEN), _u64(key))
    x = pc.multiply(pc.bit_wise_xor(x, pc.shift_right(x, _u64(30))), _MIX1)
    x = pc.multiply(pc.bit_wise_xor(x, pc.shift_right(x, _u64(27))), _MIX2)
    return pc.bit_wise_xor(x, pc.shift_right(x, _u64(31)))


def positions(n: int) -> pa.Array:
    return pa.array(range(n), pa.uint64())


class Stream:
    """Random columns for one chunk of `n` rows; each label gives an independent column."""

    def __init__(self, seed: int, label: str, n: int) -> None:
        self.seed = seed
        self.label = label
        self.n = n
        self._positions = positions(n)

    def bits(self, label: str) -> pa.Array:
        return splitmix(self._positions, key_of(self.seed, f"{self.label}/{label}"))

    def below(self, label: str, k: int) -> pa.Array:
        """Integers uniform in [0, k) as int64 (k < 2**32)."""
        return below(self.bits(label), k)

    def between(self, label: str, low: int, high: int) -> pa.Array:
        """Integers uniform in [low, high] as int64."""
        return pc.add(self.below(label, high - low + 1), pa.scalar(low, pa.int64()))

    def unit(self, label: str) -> pa.Array:
        """Floats uniform in [0, 1)."""
        top = pc.cast(pc.shift_right(self.bits(label), _u64(11)), pa.float64())
        return pc.multiply(top, pa.scalar(2.0**-53))

    def weighted(self, label: str, weights: list[int]) -> pa.Array:
        """Indexes into `weights` (small non-negative integers), drawn with those weights."""
        return pc.take(
            pa.array(expand_weights(weights), pa.int64()), self.below(label, sum(weights))
        )

    def chance(self, label: str, percent: float) -> pa.Array:
        return pc.less(self.unit(label), pa.scalar(percent / 100.0))


def below(bits: pa.Array, k: int) -> pa.Array:
    """Map uint64 hashes to [0, k) by multiply-shift on the top 32 bits."""
    if not 0 < k < 2**32:
        raise ValueError("k out of range")
    top = pc.shift_right(bits, _u64(32))
    return pc.cast(pc.shift_right(pc.multiply(top, _u64(k)), _u64(32)), pa.int64())


def hash_values(values: pa.Array, seed: int, label: str) -> pa.Array:
    """A hash of given integer values (not positions): the same value always maps the same way."""
    return splitmix(pc.cast(values, pa.uint64()), key_of(seed, label))


def expand_weights(weights: list[int]) -> list[int]:
    out: list[int] = []
    for index, weight in enumerate(weights):
        out.extend([index] * weight)
    if not out:
        raise ValueError("all weights are zero")
    return out


_HEX = pa.array(list("0123456789abcdef"))


def hex_string(bits: pa.Array, digits: int = 16) -> pa.Array:
    """The low `digits` hex digits of uint64 values, as fixed-width lower-case strings."""
    parts = []
    for position in range(digits - 1, -1, -1):
        nibble = pc.bit_wise_and(pc.shift_right(bits, _u64(4 * position)), _u64(15))
        parts.append(pc.take(_HEX, pc.cast(nibble, pa.int64())))
    return pc.binary_join_element_wise(*parts, "")


def guids(stream: Stream, label: str) -> pa.Array:
    """Random version-4-looking GUID strings."""
    a = hex_string(stream.bits(f"{label}/a"))
    b = hex_string(stream.bits(f"{label}/b"))
    return pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(a, 0, 8),
        pc.utf8_slice_codeunits(a, 8, 12),
        pc.binary_join_element_wise("4", pc.utf8_slice_codeunits(a, 13, 16), ""),
        pc.binary_join_element_wise("a", pc.utf8_slice_codeunits(b, 1, 4), ""),
        pc.utf8_slice_codeunits(b, 4, 16),
        "-",
    )
