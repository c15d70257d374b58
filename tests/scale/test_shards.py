"""Three machines' worth of shards, merged, give the one-machine site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.reproducible import ALLOWED, differences
from tests.runner.conftest import Site, mkdocs, write_site
from tests.scale.conftest import execnotes, ok

GROUPED = """\
# Grouped

```{run} snippets.helpers_demo.first
group: together
```

```{run} snippets.helpers_demo.second
group: together
```
"""
HELPERS_DEMO = '''\
def first():
    """Print one."""
    print("one")


def second():
    """Print two."""
    print("two")
'''


def _built(root: Path) -> Path:
    process = mkdocs(Site(root), "--strict")
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    return root / "site"


def test_three_shards_merged_build_the_same_site(tmp_path: Path) -> None:
    """`run --shard i/3` into three caches, `cache merge`, then `check`
    passes, a frozen build is byte-identical to a one-machine build, and
    a second `plan` finds nothing to run."""
    one = write_site(tmp_path / "one")
    one.write("snippets/helpers_demo.py", HELPERS_DEMO)
    one.write("docs/grouped.md", GROUPED)
    many = tmp_path / "many"
    shutil.copytree(one.root, many)
    single = _built(one.root)

    plan = json.loads(ok(execnotes(many, "plan", "--shards", "3", "--json")))
    assert plan["misses"] == 5
    shards = {job["name"]: job["shard"] for job in plan["jobs"]}
    assert (
        shards["snippets.helpers_demo.first"]
        == (shards["snippets.helpers_demo.second"])
    )
    for index in (1, 2, 3):
        ok(
            execnotes(
                many,
                "run",
                "--shard",
                f"{index}/3",
                "--cache-dir",
                f"shard{index}",
            )
        )
    merged = ok(
        execnotes(many, "cache", "merge", "shard1", "shard2", "shard3")
    )
    assert "5 new results" in merged
    assert "5 snippets: 0 ran, 5 from the cache" in ok(
        execnotes(many, "check")
    )
    (many / "mkdocs.yml").write_text(
        (many / "mkdocs.yml")
        .read_text()
        .replace("workers:", "frozen: true\n      workers:")
    )
    frozen = _built(many)
    found = differences(single, frozen)
    assert set(found) <= set(ALLOWED), found
    again = json.loads(ok(execnotes(many, "plan", "--json")))
    assert (again["misses"], again["shards"], again["hits"]) == (0, 0, 5)


def test_a_failing_shard_keeps_its_successes_and_exits_non_zero(
    tmp_path: Path,
) -> None:
    """A shard runs all its jobs, keeps every success, and fails if one
    failed; another shard's jobs are neither run nor reported."""
    site = write_site(tmp_path)
    site.write(
        "docs/index.md",
        "```{run} snippets.bad.show_raise\n```\n\n"
        "```{run} snippets.demo.show_plain\n```\n\n"
        "```{run} snippets.demo.show_double\n```\n",
    )
    planning = ("plan", "--shards", "2", "-j", "2", "--json", "plan.json")
    ok(execnotes(site.root, *planning))
    plan = json.loads((site.root / "plan.json").read_text())
    # Equal estimates (nothing recorded): dealt in name order.
    first = sorted(job["name"] for job in plan["jobs"] if job["shard"] == 1)
    assert first == ["snippets.bad.show_raise", "snippets.demo.show_plain"]
    # Shard 1's two jobs of 1 s each run side by side on its two workers.
    assert (plan["workers"], plan["loads"], plan["spans"]) == (
        2,
        [2.0, 1.0],
        [1.0, 1.0],
    )
    result = execnotes(
        site.root, "run", "--shard", "1/2", "--plan", "plan.json"
    )
    assert result.returncode == 1
    assert "2 snippets: 2 ran, 0 from the cache, 1 failed" in result.stdout
    assert "show_double" not in result.stdout
    check = execnotes(site.root, "check").stdout
    assert "3 snippets: 0 ran, 1 from the cache, 2 failed" in check
