"""Splitting the runs a build misses into shards of about equal length.

The unit of work is a job, or every job of a `group: NAME` (blocks that
must run on one machine); a notebook is one job already. Each unit is
expected to take the seconds its jobs took when they last ran; a job never
run is expected to take the mean of those known (one second if none is).

Units are dealt out greedily, longest first, each to the shard with the
least work so far (as pytest-split's ``least_duration`` does): the longest
shard is then within the longest unit of the mean (Graham's bound), and
the split depends only on the units, so every machine that plans the same
tree and cache computes the same one.

A shard runs its jobs on a pool of W workers (`workers`), which hands the
longest waiting job to the first worker free. Its expected length, its
span, is that schedule replayed on the expected seconds (longest first, to
the least busy worker), not the sum of its jobs: with recorded durations
a shard of two workers takes about half its work.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_SHARDS = 256
"""GitHub Actions runs at most 256 jobs of a matrix."""


@dataclass(frozen=True)
class Job:
    """One run that missed the cache: its key, name and expected seconds."""

    key: str
    name: str
    seconds: float
    group: str = ""


@dataclass(frozen=True)
class Unit:
    """Jobs that go to one shard together."""

    name: str
    jobs: tuple[Job, ...]

    @property
    def seconds(self) -> float:
        """The unit's expected run time."""
        return sum(job.seconds for job in self.jobs)


@dataclass
class Plan:
    """The misses of a build, split into shards."""

    shards: list[list[Job]] = field(default_factory=list)
    hits: int = 0
    workers: int = 1

    @property
    def loads(self) -> list[float]:
        """The expected work of each shard: its jobs' seconds, summed."""
        return [sum(job.seconds for job in shard) for shard in self.shards]

    @property
    def spans(self) -> list[float]:
        """The expected seconds of each shard on its `workers`."""
        return [
            span([job.seconds for job in shard], self.workers)
            for shard in self.shards
        ]

    @property
    def makespan(self) -> float:
        """The expected seconds of the longest shard."""
        return max(self.spans, default=0.0)

    @property
    def misses(self) -> int:
        """How many jobs must run."""
        return sum(len(shard) for shard in self.shards)

    def shard_of(self, index: int) -> frozenset[str]:
        """The keys of shard `index` (counted from 1, as in ``1/3``); none
        when nothing must run."""
        if not self.shards:
            return frozenset()
        if not 1 <= index <= len(self.shards):
            raise ValueError(
                f"shard {index} of a plan of {len(self.shards)} shards; "
                f"write --shard I/{len(self.shards)} with I from 1"
            )
        return frozenset(job.key for job in self.shards[index - 1])

    def to_json(self) -> dict[str, Any]:
        """What `execnotes plan --json` prints."""
        return {
            "shards": len(self.shards),
            "matrix": list(range(1, len(self.shards) + 1)),
            "misses": self.misses,
            "hits": self.hits,
            "workers": self.workers,
            "makespan": round(self.makespan, 3),
            "spans": [round(seconds, 3) for seconds in self.spans],
            "loads": [round(load, 3) for load in self.loads],
            "jobs": [
                {**asdict(job), "shard": index}
                for index, shard in enumerate(self.shards, start=1)
                for job in shard
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        """Read a plan that `to_json` wrote.

        Raises:
            ValueError: it is not such a plan.
        """
        try:
            shards: list[list[Job]] = [[] for _ in range(int(data["shards"]))]
            for item in data["jobs"]:
                job = Job(
                    str(item["key"]),
                    str(item["name"]),
                    float(item["seconds"]),
                    str(item.get("group", "")),
                )
                shards[int(item["shard"]) - 1].append(job)
            hits, workers = int(data.get("hits", 0)), data.get("workers", 1)
            return cls(shards, hits, max(1, int(workers)))
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(f"not a plan of execnotes: {error!r}") from error


def estimates(
    names: Iterable[str], recorded: Mapping[str, float]
) -> dict[str, float]:
    """Expected seconds per name: as recorded, or the mean of the
    records (1 s when there are none)."""
    mean = sum(recorded.values()) / len(recorded) if recorded else 1.0
    return {name: recorded.get(name, mean) for name in names}


def span(seconds: Iterable[float], workers: int) -> float:
    """How long jobs of these expected `seconds` take on a pool of
    `workers`: each, longest first, to the worker free soonest (the pool's
    own order; within 4/3 of the best schedule, Graham 1969)."""
    free = [0.0] * max(1, workers)
    for length in sorted(seconds, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + length)
    return max(free)


def units(jobs: Iterable[Job]) -> list[Unit]:
    """Jobs bundled by group (a job without one is a unit of its own)."""
    grouped: dict[str, list[Job]] = {}
    for job in sorted(jobs, key=lambda j: (j.name, j.key)):
        bundle = f"group:{job.group}" if job.group else job.key
        grouped.setdefault(bundle, []).append(job)
    return [
        Unit(jobs[0].group or jobs[0].name, tuple(jobs))
        for jobs in grouped.values()
    ]


def shard_count(
    total: float,
    *,
    shards: int | None = None,
    target: float | None = None,
    cap: int = MAX_SHARDS,
    units: int,
    workers: int = 1,
) -> int:
    """How many shards: as asked (some may be empty), or enough that each
    runs about `target` seconds on its `workers` but no more than there
    are units; never more than `cap`, and none when nothing must run."""
    if units == 0:
        return 0
    if shards is not None:
        return max(1, min(shards, cap))
    if target is None:
        return 1
    per_shard = target * max(1, workers)
    wanted = math.ceil(total / per_shard) if target > 0 else cap
    return max(1, min(wanted, cap, units))


def balance(work: Iterable[Unit], count: int) -> list[list[Job]]:
    """Deal units to `count` shards, longest first, each to the least
    loaded (the lowest numbered on a tie)."""
    shards: list[list[Job]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for unit in sorted(work, key=lambda u: (-u.seconds, u.name)):
        index = min(range(count), key=lambda n: (loads[n], n))
        shards[index].extend(unit.jobs)
        loads[index] += unit.seconds
    return shards


def make_plan(
    jobs: Iterable[Job],
    *,
    hits: int = 0,
    shards: int | None = None,
    target: float | None = None,
    cap: int = MAX_SHARDS,
    workers: int = 1,
) -> Plan:
    """The plan for the misses `jobs`, on shards of `workers` each."""
    work = units(jobs)
    total = sum(unit.seconds for unit in work)
    count = shard_count(
        total,
        shards=shards,
        target=target,
        cap=cap,
        units=len(work),
        workers=workers,
    )
    return Plan(balance(work, count), hits, max(1, workers))


def github_output(plan: Plan) -> str:
    """Lines for `$GITHUB_OUTPUT`: the matrix and the shard count."""
    matrix = json.dumps({"shard": plan.to_json()["matrix"]})
    return f"matrix={matrix}\nshards={len(plan.shards)}\n"
