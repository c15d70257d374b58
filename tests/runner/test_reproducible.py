"""Two clean builds are identical, whatever the worker count, except what
blocks mark as varying (see tests/reproducible.py)."""

from __future__ import annotations

from pathlib import Path

from tests.reproducible import differences
from tests.runner.conftest import Site, mkdocs, with_gluon_state, write_site

TIMER = '''\
import time


def show_time():
    """Print and return how long a short sleep took."""
    started = time.perf_counter()
    time.sleep(0.01)
    seconds = time.perf_counter() - started
    print(f"slept {seconds:.6f} s")
    return {"seconds": seconds}
'''

PAGE = """\
# Page

It took {{ snippets.timer.show_time["seconds"]:.6f }} s.

```{run} snippets.timer.show_time
varies: true
```

```{run} snippets.gluon_state.show_state
```

```{run} snippets.demo.show_figure
```
"""


def _clean_build(site: Site, out: str, **env: str) -> Path:
    build = mkdocs(site, "-d", out, **env)
    log, _ = build.communicate(timeout=300)
    assert build.returncode == 0, log
    return site.root / out


def _site(root: Path, workers: int) -> Site:
    site = with_gluon_state(write_site(root, workers=workers))
    site.write("snippets/timer.py", TIMER)
    site.write("docs/index.md", PAGE)
    return site


def test_only_marked_output_differs(tmp_path: Path) -> None:
    """Two clean builds under different hash seeds differ only inside the
    varying block's marks (output, value, notebook cell)."""
    builds = []
    for seed in ("1", "2"):
        site = _site(tmp_path / seed, workers=1)
        builds.append(_clean_build(site, "site", PYTHONHASHSEED=seed))
    raw = [(b / "index.html").read_bytes() for b in builds]
    assert raw[0] != raw[1], "the timing was not different: no test"
    assert b"data-search-exclude" in raw[0]
    assert differences(*builds) == {}


def test_worker_counts_give_the_same_site(tmp_path: Path) -> None:
    """Builds with 1, 2 and 4 workers give identical sites."""
    builds = [
        _clean_build(_site(tmp_path / str(n), workers=n), "site")
        for n in (1, 2, 4)
    ]
    assert differences(builds[0], builds[1]) == {}
    assert differences(builds[0], builds[2]) == {}
