"""The plan: every miss once, groups whole, deterministic, balanced."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from execnotes.build.plan import (
    Job,
    Plan,
    balance,
    estimates,
    github_output,
    make_plan,
    span,
    units,
)

_JOBS = st.lists(
    st.builds(
        Job,
        key=st.text("0123456789abcdef", min_size=8, max_size=8),
        name=st.sampled_from(["a.f", "a.g", "b.h", "nb.ipynb", "c.k"]),
        seconds=st.floats(0, 100, allow_nan=False),
        group=st.sampled_from(["", "", "", "train", "data"]),
    ),
    max_size=40,
    unique_by=lambda job: job.key,
)


@settings(max_examples=200, deadline=None)
@given(jobs=_JOBS, shards=st.integers(1, 8), workers=st.integers(1, 4))
def test_each_job_once_groups_whole_within_the_greedy_bound(
    jobs: list[Job], shards: int, workers: int
) -> None:
    """Every job is in exactly one shard, a group's jobs share a shard,
    and the most work a shard gets exceeds the mean by at most the
    longest unit."""
    plan = make_plan(jobs, shards=shards, workers=workers)
    placed = [job.key for shard in plan.shards for job in shard]
    assert sorted(placed) == sorted(job.key for job in jobs)
    for group in {job.group for job in jobs} - {""}:
        holding = [s for s in plan.shards if any(j.group == group for j in s)]
        assert len(holding) == 1
    if jobs:
        work = units(jobs)
        mean = sum(u.seconds for u in work) / len(plan.shards)
        longest = max(u.seconds for u in work)
        assert max(plan.loads) <= mean + longest + 1e-6


@settings(max_examples=200, deadline=None)
@given(
    seconds=st.lists(st.floats(0, 100, allow_nan=False), max_size=30),
    workers=st.integers(1, 6),
)
def test_a_shard_lasts_its_schedule_on_its_workers(
    seconds: list[float], workers: int
) -> None:
    """A shard's span is its work on one worker; on W it lies between the
    best any schedule could do (work / W, and the longest job) and the
    list-scheduling bound (work / W + the longest job)."""
    work, longest = sum(seconds), max(seconds, default=0.0)
    assert span(seconds, 1) == pytest.approx(work)
    lasts = span(seconds, workers)
    assert max(work / workers, longest) - 1e-6 <= lasts
    assert lasts <= work / workers + longest + 1e-6


def test_a_shard_of_two_workers_lasts_its_longest_worker() -> None:
    """Jobs of 4, 3, 3 and 2 s on two workers: 4+2 and 3+3, so 6 s, not
    the 12 s of their sum; the plan's makespan is that span."""
    assert span([3, 2, 4, 3], 2) == 6.0
    jobs = [Job(str(n), f"m.f{n}", s) for n, s in enumerate([3, 2, 4, 3])]
    plan = make_plan(jobs, shards=1, workers=2)
    assert (plan.loads, plan.spans, plan.makespan) == ([12.0], [6.0], 6.0)
    assert Plan.from_json(plan.to_json()).makespan == 6.0


@settings(max_examples=100, deadline=None)
@given(
    jobs=_JOBS,
    shards=st.integers(1, 8),
    workers=st.integers(1, 4),
    seed=st.randoms(),
)
def test_the_plan_depends_on_the_jobs_not_their_order(
    jobs: list[Job], shards: int, workers: int, seed: object
) -> None:
    """The same misses in any order give the same plan, and a plan read
    back from its JSON is the same plan."""
    shuffled = list(jobs)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    first, second = (
        make_plan(jobs, shards=shards, workers=workers),
        make_plan(shuffled, shards=shards, workers=workers),
    )
    assert first.to_json() == second.to_json()
    assert Plan.from_json(first.to_json()).to_json() == first.to_json()


def test_longest_first_to_the_least_loaded() -> None:
    """Units of 5, 4, 3, 3 and 3 seconds on two shards: 5+3 and 4+3+3,
    never the 5+4 a first-come split would give."""
    jobs = [Job(str(n), f"m.f{n}", s) for n, s in enumerate([3, 5, 3, 4, 3])]
    loads = [sum(j.seconds for j in s) for s in balance(units(jobs), 2)]
    assert loads == [8.0, 10.0]


def test_no_misses_no_shards_and_the_target_is_capped() -> None:
    """Nothing to run gives zero shards; `target` asks for enough shards
    of that length, at most one per unit and at most the cap."""
    assert make_plan([], shards=4).shards == []
    jobs = [Job(str(n), f"m.f{n}", 10.0) for n in range(10)]
    assert len(make_plan(jobs, target=25).shards) == 4
    assert len(make_plan(jobs, target=0.5).shards) == 10
    assert len(make_plan(jobs, target=25, cap=3).shards) == 3
    # Two workers a shard do 50 s of work in 25 s.
    assert len(make_plan(jobs, target=25, workers=2).shards) == 2


def test_unknown_durations_take_the_mean_of_the_known() -> None:
    """A job never run is expected to take the mean of those recorded."""
    assert estimates(["a", "b"], {"a": 2.0, "c": 4.0}) == {"a": 2.0, "b": 3.0}
    assert estimates(["x"], {}) == {"x": 1.0}


def test_github_output_is_a_matrix_of_shard_numbers() -> None:
    """`--github-output` writes the matrix a workflow's `fromJSON` reads,
    and the count; no misses give an empty matrix."""
    jobs = [Job(str(n), f"m.f{n}", 1.0) for n in range(3)]
    assert github_output(make_plan(jobs, shards=2)) == (
        'matrix={"shard": [1, 2]}\nshards=2\n'
    )
    assert github_output(make_plan([], shards=2)) == (
        'matrix={"shard": []}\nshards=0\n'
    )
