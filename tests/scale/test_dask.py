"""`executor: dask`: the same pages from a Dask LocalCluster."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from distributed.diagnostics.plugin import SchedulerPlugin

from execnotes.worker.daskpool import DaskPool
from tests.reproducible import differences
from tests.runner.conftest import (
    INDEX,
    Site,
    mkdocs,
    on_dask,
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


RESOURCES = """\
```{run} snippets.demo.show_plain
resources: {gpu: 1}
```

```{run} snippets.demo.show_double
resources: {gpu: 2}
```

```{run} snippets.demo.show_figure
resources: {tpu: 1}
```
"""


class _Restrictions(SchedulerPlugin):
    """Records the resources each task of a build asked the scheduler for."""

    def __init__(self, scheduler: Any) -> None:
        self.asked: list[dict[str, float]] = []
        self.scheduler = scheduler

    def transition(
        self, key: Any, start: str, finish: str, *a: Any, **k: Any
    ) -> None:
        task = self.scheduler.tasks.get(key)
        if finish == "processing" and str(key).startswith("execnotes-"):
            self.asked.append(dict(task.resource_restrictions or {}))


@pytest.mark.tiny  # `make test`, not the edit loop: it builds on Dask
def test_resources_reach_the_cluster_and_a_missing_one_fails_at_once(
    tmp_path: Path, dask_cluster: Any
) -> None:
    """On a cluster whose worker declares one gpu, a block asking for it
    runs there (the scheduler saw the restriction); blocks asking for two
    gpus or a tpu fail at once, naming what no worker declares, instead of
    waiting for a worker that never comes."""
    site = write_site(tmp_path)
    site.write("docs/index.md", RESOURCES)
    on_dask(site, str(dask_cluster.scheduler_address))
    witness = _Restrictions(dask_cluster.scheduler)
    dask_cluster.scheduler.add_plugin(witness, name="execnotes-witness")
    try:
        build = mkdocs(site)
        try:
            output, _ = build.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            build.kill()
            pytest.fail(
                "the build still waits, 300 s on: a job asking for "
                "an absent resource hangs instead of failing"
            )
    finally:
        dask_cluster.scheduler.remove_plugin(name="execnotes-witness")
    assert build.returncode == 0, output
    assert "plain: 3.14" in site.html()
    assert witness.asked == [{"gpu": 1.0}]
    for wanted in ("gpu=2", "tpu=1"):
        assert (
            f"MissingResource: it asks for resources {wanted}, which no "
            "worker of the Dask cluster at tcp://" in output
        ), output
    assert "(its workers declare: gpu=1)" in output
    assert '`dask worker --resources "tpu=1"`' in output
