"""Seeds for every job derived from one root seed with numpy's SeedSequence.

A job is named by a tuple of strings and integers (``("gmm", "adult")``, ``("experiment", 17)``).
Strings are turned into integers with SHA-256, never Python's salted ``hash()``, so that the same
root seed and name give the same stream in every process and on every machine.
"""

import hashlib

import numpy as np


def _key_to_int(key: str | int) -> int:
    if isinstance(key, bool) or not isinstance(key, (str, int, np.integer)):
        raise TypeError(f"seed keys must be str or int, not {type(key).__name__}")
    if isinstance(key, str):
        return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    if key < 0:
        raise ValueError(f"integer seed keys must be non-negative, got {key}")
    return int(key)


def seed_sequence(root_seed: int, *keys: str | int) -> np.random.SeedSequence:
    """The SeedSequence of the job named ``keys`` under ``root_seed``."""
    return np.random.SeedSequence(entropy=int(root_seed), spawn_key=tuple(map(_key_to_int, keys)))


def rng(root_seed: int, *keys: str | int) -> np.random.Generator:
    """A fresh PCG64 generator for the job named ``keys``."""
    return np.random.default_rng(seed_sequence(root_seed, *keys))


def int_seed(root_seed: int, *keys: str | int) -> int:
    """A 31-bit integer seed for libraries that want an int (scikit-learn, torch)."""
    return int(seed_sequence(root_seed, *keys).generate_state(1, dtype=np.uint32)[0] >> 1)
