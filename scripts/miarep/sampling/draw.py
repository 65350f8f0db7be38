"""Property-stratified sampling of disjoint target and shadow datasets for one experiment.

A request fixes the sizes of the target and the shadow dataset, and optionally the class balance
(percent of label 1, the minority label of every processed dataset), the feature balance (percent
of records whose top-5-MI features equal the pool's most frequent combination c*, account P2), the
number of features (a random subset) and the member rate (75% by default: members train the model,
the rest are its non-members). The sampler returns row indices into the processed table, never
copies, and the property values it achieved.

The shadow dataset is split twice: at the member rate, like the target (the paper-stated attack's
shadows), and half IN, half OUT (Shokri et al.'s method, docs/account.md T9). Both splits are of
the same shadow records, and the second draws no random numbers, so adding it changed no other
index set.

Counts are exact: a dataset of n records with class balance p gets round(n * p / 100) records of
label 1, so the achieved balance is within half a record of the request.
"""

from dataclasses import dataclass, field

import numpy as np

from miarep.core.errors import RequestError
from miarep.data.discretize import discretize
from miarep.measures import properties


class SamplingError(RequestError):
    """The pool cannot satisfy a request; the message names the request and what is available."""


@dataclass(frozen=True)
class SamplingRequest:
    """What one experiment asks of its data (None = as the pool has it)."""

    target_size: int
    shadow_size: int
    class_balance: float | None = None
    feature_balance: float | None = None
    n_features: int | None = None
    member_rate: float = 0.75

    def __post_init__(self):
        if self.target_size < 2 or self.shadow_size < 0:
            raise SamplingError(f"{self}: target needs at least 2 records, shadow at least 0")
        for name in ("class_balance", "feature_balance"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                raise SamplingError(f"{self}: {name} must be a percentage, got {value}")
        if not 0 < self.member_rate < 1:
            raise SamplingError(f"{self}: member_rate must lie strictly between 0 and 1")


@dataclass
class Pool:
    """What the sampler needs to know about a processed dataset."""

    labels: np.ndarray
    codes: np.ndarray
    feature_names: list[str]
    top_features: list[int]
    combination: np.ndarray
    has_combination: np.ndarray = field(init=False)

    def __post_init__(self):
        self.has_combination = np.all(self.codes[:, self.top_features] == self.combination, axis=1)

    @classmethod
    def from_table(cls, table, kinds: dict[str, str], bins: int = 10, top_k: int = 5) -> "Pool":
        """Discretise the processed table and find the top-k MI features and c* on the pool."""
        codes = discretize(table, kinds, bins)
        labels = table["label"].to_numpy()
        top = properties.top_mi_features(codes, labels, top_k)
        combination = properties.most_frequent_combination(codes[:, top])
        return cls(labels, codes, list(kinds), top, combination)


@dataclass
class Split:
    """Row indices of one experiment and the properties it achieved."""

    target_members: np.ndarray
    target_nonmembers: np.ndarray
    shadow_members: np.ndarray
    shadow_nonmembers: np.ndarray
    features: list[str]
    achieved: dict
    #: the same shadow records split half IN, half OUT (module docstring); empty if not drawn
    shadow_balanced_members: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    shadow_balanced_nonmembers: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def roles(self) -> dict[str, np.ndarray]:
        return {
            "target_member": self.target_members,
            "target_nonmember": self.target_nonmembers,
            "shadow_member": self.shadow_members,
            "shadow_nonmember": self.shadow_nonmembers,
            "shadow_balanced_member": self.shadow_balanced_members,
            "shadow_balanced_nonmember": self.shadow_balanced_nonmembers,
        }


def _strata(pool: Pool) -> np.ndarray:
    """Stratum of every pool record, 2 * label + has_combination:
    0 = label 0 without c*, 1 = label 0 with c*, 2 = label 1 without c*, 3 = label 1 with c*."""
    return 2 * (pool.labels == 1).astype(np.int64) + pool.has_combination.astype(np.int64)


STRATA = "[label 0 without c*, label 0 with c*, label 1 without c*, label 1 with c*]"


def _stratum_counts(
    n: int, request: SamplingRequest, available: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Records to draw from each of the 4 strata for a dataset of ``n`` records.

    Unconstrained margins are drawn uniformly (multivariate hypergeometric counts). With both
    balances requested, a = #(label 1 with c*) splits the c* records between the classes as the
    pool does (in proportion to P[c* | y] times the requested class sizes), clipped to what the
    margins and the available records allow.
    """
    cb, fb = request.class_balance, request.feature_balance
    if cb is None and fb is None:
        return rng.multivariate_hypergeometric(available, n)
    if fb is None:
        n1 = round(n * cb / 100)
        _require(
            n1 <= available[2] + available[3] and n - n1 <= available[0] + available[1],
            request,
            f"{n1} of label 1 and {n - n1} of label 0",
            available,
        )
        return np.concatenate(
            [
                rng.multivariate_hypergeometric(available[:2], n - n1),
                rng.multivariate_hypergeometric(available[2:], n1),
            ]
        )
    if cb is None:
        nc = round(n * fb / 100)
        _require(
            nc <= available[1] + available[3] and n - nc <= available[0] + available[2],
            request,
            f"{nc} with c* and {n - nc} without",
            available,
        )
        without = rng.multivariate_hypergeometric(available[[0, 2]], n - nc)
        with_c = rng.multivariate_hypergeometric(available[[1, 3]], nc)
        return np.array([without[0], with_c[0], without[1], with_c[1]])
    n1, nc = round(n * cb / 100), round(n * fb / 100)
    n0 = n - n1
    r1 = available[3] / max(available[2] + available[3], 1)
    r0 = available[1] / max(available[0] + available[1], 1)
    weight = n1 * r1 + n0 * r0
    ideal = nc * n1 * r1 / weight if weight > 0 else 0.0
    low = max(0, n1 - available[2], nc - available[1], n1 + nc - n)
    high = min(available[3], n1, nc, available[0] - n + n1 + nc)
    _require(low <= high, request, f"{n1} of label 1 and {nc} with c*", available)
    a = int(min(max(round(ideal), low), high))
    return np.array([n0 - (nc - a), nc - a, n1 - a, a])


def _require(ok: bool, request: SamplingRequest, wanted: str, available: np.ndarray) -> None:
    if not ok:
        raise SamplingError(
            f"{request}: cannot draw a dataset with {wanted}; available: "
            f"{available[0] + available[1]} of label 0, {available[2] + available[3]} of label 1, "
            f"{available[1] + available[3]} with c* (by stratum {STRATA} = {available.tolist()}), "
            "after the records already taken for this experiment"
        )


def draw(pool: Pool, request: SamplingRequest, rng: np.random.Generator) -> Split:
    """Draw disjoint target and shadow datasets satisfying ``request`` from ``pool``."""
    needed = request.target_size + request.shadow_size
    if needed > len(pool.labels):
        raise SamplingError(f"{request}: needs {needed} records, the pool has {len(pool.labels)}")
    strata = _strata(pool)
    shuffled = [rng.permutation(np.flatnonzero(strata == s)) for s in range(4)]
    taken = np.zeros(4, dtype=np.int64)
    drawn = []
    for size in (request.target_size, request.shadow_size):
        counts = _stratum_counts(size, request, np.array([len(m) for m in shuffled]) - taken, rng)
        drawn.append(
            [
                shuffled[s][start : start + n]
                for s, (start, n) in enumerate(zip(taken, counts, strict=True))
            ]
        )
        taken += counts
    target, shadow = drawn
    target_members, target_nonmembers = _split_members(target, request.member_rate)
    shadow_members, shadow_nonmembers = _split_members(shadow, request.member_rate)
    balanced_members, balanced_nonmembers = _split_members(shadow, 0.5)
    split = Split(
        target_members=target_members,
        target_nonmembers=target_nonmembers,
        shadow_members=shadow_members,
        shadow_nonmembers=shadow_nonmembers,
        features=_choose_features(pool, request, rng),
        achieved={},
        shadow_balanced_members=balanced_members,
        shadow_balanced_nonmembers=balanced_nonmembers,
    )
    split.achieved = achieved_properties(pool, split)
    return split


def _split_members(strata: list[np.ndarray], rate: float) -> tuple[np.ndarray, np.ndarray]:
    """(members, non-members), sorted, of a dataset drawn as shuffled rows per stratum.

    Members are the first rows of each stratum, so members and non-members both carry the
    requested balances (largest remainders keep the member total exact at round(rate * n)).
    """
    counts = np.array([len(rows) for rows in strata], dtype=np.int64)
    n_members = _allocate(round(rate * counts.sum()), counts)
    members = [rows[:m] for rows, m in zip(strata, n_members, strict=True)]
    nonmembers = [rows[m:] for rows, m in zip(strata, n_members, strict=True)]
    return np.sort(np.concatenate(members)), np.sort(np.concatenate(nonmembers))


def _allocate(total: int, sizes: np.ndarray) -> np.ndarray:
    """Split ``total`` over strata in proportion to ``sizes`` (largest remainder, exact total)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    if sizes.sum() == 0:
        return np.zeros_like(sizes)
    quota = total * sizes / sizes.sum()
    base = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - base), kind="stable")
    base[order[: total - base.sum()]] += 1
    return base


def _choose_features(pool: Pool, request: SamplingRequest, rng: np.random.Generator) -> list[str]:
    n_all = len(pool.feature_names)
    if request.n_features is None:
        return list(pool.feature_names)
    if not 1 <= request.n_features <= n_all:
        raise SamplingError(f"{request}: n_features must lie in 1..{n_all}")
    chosen = np.sort(rng.choice(n_all, request.n_features, replace=False))
    return [pool.feature_names[j] for j in chosen]


def achieved_properties(pool: Pool, split: Split) -> dict:
    """Sizes and data properties of the target, its training set (members) and the shadow."""
    columns = [pool.feature_names.index(name) for name in split.features]
    target = np.concatenate([split.target_members, split.target_nonmembers])
    shadow = np.concatenate([split.shadow_members, split.shadow_nonmembers])
    out = {"n_features": len(columns)}
    for name, rows in (("target", target), ("train", split.target_members), ("shadow", shadow)):
        out[f"{name}_size"] = len(rows)
        out[f"{name}_class_balance"] = properties.class_balance(pool.labels[rows])
        out[f"{name}_share_label_1"] = (
            100.0 * float(np.mean(pool.labels[rows] == 1)) if len(rows) else float("nan")
        )
        out[f"{name}_feature_balance"] = (
            100.0 * float(np.mean(pool.has_combination[rows])) if len(rows) else float("nan")
        )
        out[f"{name}_entropy"] = properties.dataset_entropy(pool.codes[np.ix_(rows, columns)])
    return out


def _percent(mask: np.ndarray) -> float:
    return 100.0 * float(np.mean(mask)) if len(mask) else float("nan")
