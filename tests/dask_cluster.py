"""One Dask cluster for the whole test session (`executor: dask` tests).

Starting a cluster costs seconds, so the tests that run the guarantees
under Dask share this one: a `LocalCluster` of one single-threaded worker
process, which declares one `gpu` so that `resources:` can be tested.
Sites reach it by its address (the plugin's `scheduler:`), as a lab's
cluster is reached; each build's pools stop with the build, so the
tests share nothing but the cluster's processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

RESOURCES = {"gpu": 1.0}
"""What the session cluster's worker declares."""


@contextmanager
def local_cluster() -> Iterator[Any]:
    """A running LocalCluster (its scheduler in this process)."""
    import dask
    from distributed import LocalCluster

    from execnotes.worker.daskpool import WORKER_CONFIG

    # As the plugin's own cluster: workers that may start zygotes, with
    # the environment of this process.
    with (
        dask.config.set(WORKER_CONFIG),
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            resources=RESOURCES,
        ) as cluster,
    ):
        yield cluster
