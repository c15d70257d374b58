"""`executor: dask`: the same pages from a Dask LocalCluster."""

from __future__ import annotations

import shutil
from pathlib import Path

from execnotes.worker.daskpool import DaskPool
from tests.reproducible import differences
from tests.runner.conftest import (
    INDEX,
    Site,
    mkdocs,
    with_gluon_state,
    write_site,
)

ISOLATION = """\
# Isolation

```{run} snippets.gluon_state.show_state_change
```

```{run} snippets.gluon_state.show_state
resources: {cpu: 1}
```
"""


def _build(root: Path) -> str:
    process = mkdocs(Site(root), "--strict")
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output
    return output


def test_a_local_cluster_builds_the_same_pages(tmp_path: Path) -> None:
    """A tiny site built on a Dask LocalCluster (two workers, each job in a
    fresh child) is byte-identical to the local pool's build, including a
    run that must not see the state an earlier run changed."""
    local = with_gluon_state(write_site(tmp_path / "local"))
    local.write("docs/index.md", INDEX)
    local.write("docs/isolation.md", ISOLATION)
    on_dask = tmp_path / "dask"
    shutil.copytree(local.root, on_dask)
    config = on_dask / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "workers: 1", "workers: 2\n      executor: dask"
        )
    )
    _build(local.root)
    output = _build(on_dask)
    assert "5 snippets: 5 ran, 0 from the cache, 0 failed" in output
    html = (on_dask / "site" / "isolation" / "index.html").read_text()
    assert "None False" in html  # the variable and the folder, unchanged
    assert differences(local.root / "site", on_dask / "site") == {}


def test_resources_go_to_a_scheduler_not_to_the_embedded_cluster() -> None:
    """A job's resources are asked of an external cluster's workers; the
    embedded cluster's workers declare none, so there they are dropped."""
    pool = DaskPool.__new__(DaskPool)
    pool._cluster = None  # a scheduler address was given
    assert pool._resources({"gpu": 1.0}) == {"gpu": 1.0}
    assert pool._resources({}) is None
    pool._cluster = object()
    assert pool._resources({"gpu": 1.0}) is None
