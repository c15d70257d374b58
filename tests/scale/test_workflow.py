"""The site workflow: its job graph, and who may write the shared cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).parents[2] / ".github" / "workflows" / "site.yml"
DEFAULT_BRANCH_PUSH = (
    "github.event_name == 'push'",
    "github.ref == format('refs/heads/{0}', "
    "github.event.repository.default_branch)",
)


def _workflow() -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def _steps(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action)]


def test_plan_run_build_deploy_graph() -> None:
    """plan -> run (a matrix from plan's output) -> build -> deploy, with
    one artifact per shard merged by build."""
    jobs = _workflow()["jobs"]
    assert jobs["run"]["needs"] == "plan"
    assert jobs["run"]["strategy"]["matrix"] == (
        "${{ fromJSON(needs.plan.outputs.matrix) }}"
    )
    assert "--github-output" in str(jobs["plan"]["steps"])
    assert set(jobs["build"]["needs"]) == {"plan", "run"}
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["share"]["needs"] == "build"
    [upload] = _steps(jobs["run"], "actions/upload-artifact@v4")
    assert "${{ matrix.shard }}" in upload["with"]["name"]
    [download] = _steps(jobs["build"], "actions/download-artifact@v4")
    assert download["with"]["pattern"] == "cache-shard-*"
    assert download["with"]["merge-multiple"] is True
    commands = " ".join(s.get("run", "") for s in jobs["build"]["steps"])
    for command in ("cache merge", "execnotes check", "build --strict"):
        assert command in commands
    frozen = [
        s
        for s in jobs["build"]["steps"]
        if "build --strict" in s.get("run", "")
    ]
    assert frozen[0]["env"]["EXECNOTES_FROZEN"] == "true"


def test_only_a_push_to_the_default_branch_writes_or_deploys() -> None:
    """The workflow reads by default; the jobs that write the cache or
    deploy run only for a push to the default branch, and only they hold
    secrets or write permissions."""
    workflow = _workflow()
    assert workflow["permissions"] == {"contents": "read"}
    assert "pull_request" in workflow["on"]
    assert workflow["env"]["EXECNOTES_REMOTE_MODE"] == "read"
    text = WORKFLOW.read_text()
    for name, job in workflow["jobs"].items():
        writes = name in ("share", "deploy")
        for condition in DEFAULT_BRANCH_PUSH:
            assert (condition in job.get("if", "")) == writes, name
        assert ("permissions" in job) == (name == "deploy"), name
        uses_secrets = "secrets." in yaml.safe_dump(job)
        assert uses_secrets == (name == "share"), name
    share = workflow["jobs"]["share"]
    assert share["env"]["EXECNOTES_REMOTE_MODE"] == "write"
    assert share["environment"] == "cache-writer"
    assert workflow["jobs"]["deploy"]["permissions"] == {
        "pages": "write",
        "id-token": "write",
    }
    assert text.count("EXECNOTES_REMOTE_MODE: write") == 1
