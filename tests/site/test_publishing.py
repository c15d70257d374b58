"""`mkdocs gh-deploy` with overrides/hooks/publishing.py, on tiny sites.

Each test writes a one-page site into a git repository whose remote is a
local bare repository (gh-deploy pushes there, offline) and runs the real
command. The full site's deploy is tested in test_gh_deploy.py.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.site.site_helpers import ROOT

HOOK = ROOT / "overrides" / "hooks" / "publishing.py"
_spec = importlib.util.spec_from_file_location("publishing", HOOK)
assert _spec is not None
assert _spec.loader is not None
publishing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(publishing)

GITHUB_REMOTE = "https://github.com/Gluon-Owner/tiny-notes.git"
GITHUB_SITE = "https://gluon-owner.github.io/tiny-notes/"


@pytest.mark.parametrize(
    ("remote", "site"),
    [
        (GITHUB_REMOTE, GITHUB_SITE),
        ("https://github.com/Gluon-Owner/tiny-notes", GITHUB_SITE),
        ("https://github.com/Gluon-Owner/tiny-notes/", GITHUB_SITE),
        ("git@github.com:Gluon-Owner/tiny-notes.git", GITHUB_SITE),
        ("ssh://git@github.com/Gluon-Owner/tiny-notes.git", GITHUB_SITE),
        ("https://token:abc@github.com/Gluon-Owner/tiny-notes", GITHUB_SITE),
        (
            "https://github.com/owner/owner.github.io",
            "https://owner.github.io/",
        ),
        ("https://gitlab.com/owner/tiny-notes.git", None),
        ("/srv/git/tiny-notes.git", None),
        ("https://github.com/owner", None),
    ],
)
def test_github_pages_url(remote: str, site: str | None) -> None:
    """A GitHub remote gives its Pages address; other remotes give none."""
    assert publishing.github_pages_url(remote) == site


@dataclass
class Repo:
    """A tiny site's git repository, and the bare one it pushes to."""

    path: Path
    remote: Path

    def git(self, *args: str) -> str:
        """Run git in the site's repository; its output."""
        return _git(self.path, *args)

    def mkdocs(self, *args: str, **env: str) -> tuple[int, str]:
        """Run `mkdocs ARGS` without SITE_URL: exit code, all output."""
        environ = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", *args],
            cwd=self.path,
            env={**environ, "NO_MKDOCS_2_WARNING": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        return result.returncode, result.stdout

    def published(self) -> list[str]:
        """Files of the remote's gh-pages branch ([] if there is none)."""
        result = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", "gh-pages"],
            cwd=self.remote,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.split()


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A committed one-page site whose origin is a local bare repository."""
    site, remote = tmp_path / "site", tmp_path / "remote.git"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text(
        f"site_name: tiny\nsite_url: !ENV [SITE_URL, null]\n"
        f"theme: mkdocs\nhooks:\n  - {HOOK}\n",
        encoding="utf-8",
    )
    (site / "docs" / "index.md").write_text("# Tiny\n", encoding="utf-8")
    _git(tmp_path, "init", "-q", "--bare", str(remote))
    repo = Repo(site, remote)
    repo.git("init", "-q")
    repo.git("config", "user.name", "Tester")
    repo.git("config", "user.email", "tester@example.org")
    repo.git("remote", "add", "origin", str(remote))
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "tiny site")
    return repo


def test_deploy_derives_the_address_from_a_github_remote(repo: Repo) -> None:
    """With SITE_URL unset, a GitHub origin gives the published address."""
    repo.git("remote", "set-url", "origin", GITHUB_REMOTE)
    repo.git("remote", "set-url", "--push", "origin", str(repo.remote))
    code, output = repo.mkdocs("gh-deploy")
    assert code == 0, output
    assert f"publishing to {GITHUB_SITE}" in output
    sitemap = _git(repo.remote, "show", "gh-pages:sitemap.xml")
    assert f"<loc>{GITHUB_SITE}</loc>" in sitemap


def test_deploy_refuses_without_an_address(repo: Repo) -> None:
    """A non-GitHub remote and no SITE_URL: refused, saying how to fix it."""
    code, output = repo.mkdocs("gh-deploy")
    assert code != 0
    assert (
        "gh-deploy: the address of the published site is unknown. "
        f"SITE_URL is unset and the URL of the remote 'origin' is "
        f"{str(repo.remote)!r}, which is not a GitHub repository."
    ) in output
    assert "SITE_URL=https://OWNER.github.io/REPO/ mkdocs gh-deploy" in output
    assert repo.published() == []


def test_deploy_uses_site_url_when_set(repo: Repo) -> None:
    """SITE_URL wins over the remote (here not a GitHub one)."""
    code, output = repo.mkdocs(
        "gh-deploy", SITE_URL="https://notes.example.org/"
    )
    assert code == 0, output
    sitemap = _git(repo.remote, "show", "gh-pages:sitemap.xml")
    assert "<loc>https://notes.example.org/</loc>" in sitemap


def test_deploy_is_strict(repo: Repo) -> None:
    """A warning aborts the deploy before anything is pushed."""
    (repo.path / "docs" / "index.md").write_text(
        "# Tiny\n\nSee [the missing page](missing.md).\n", encoding="utf-8"
    )
    code, output = repo.mkdocs(
        "gh-deploy", SITE_URL="https://notes.example.org/"
    )
    assert code != 0
    assert "contains a link 'missing.md'" in output
    assert "gh-deploy: aborted with 1 warnings; nothing was published." in (
        output
    )
    assert repo.published() == []


def test_deploy_never_publishes_a_failing_snippet(repo: Repo) -> None:
    """A snippet that raises aborts the deploy: no error box is pushed."""
    (repo.path / "snippets").mkdir()
    (repo.path / "snippets" / "__init__.py").write_text("", encoding="utf-8")
    (repo.path / "snippets" / "broken.py").write_text(
        'def show_broken():\n    """Fail."""\n    return {}["missing"]\n',
        encoding="utf-8",
    )
    (repo.path / "docs" / "index.md").write_text(
        "# Tiny\n\n```{run} snippets.broken.show_broken\n```\n",
        encoding="utf-8",
    )
    config = repo.path / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "plugins:\n  - execnotes\nmarkdown_extensions:\n"
        "  - pymdownx.superfences\n",
        encoding="utf-8",
    )
    code, output = repo.mkdocs(
        "gh-deploy", SITE_URL="https://notes.example.org/"
    )
    assert code != 0
    assert "execnotes" in output
    assert "KeyError" in output
    assert "nothing was published" in output
    assert repo.published() == []


def test_build_is_left_alone(repo: Repo) -> None:
    """`mkdocs build` neither derives an address nor turns strict."""
    repo.git("remote", "set-url", "origin", GITHUB_REMOTE)
    (repo.path / "docs" / "index.md").write_text(
        "# Tiny\n\nSee [the missing page](missing.md).\n", encoding="utf-8"
    )
    code, output = repo.mkdocs("build")
    assert code == 0, output
    assert "publishing to" not in output
    sitemap = (repo.path / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "github.io" not in sitemap


def test_actions_deploy_only_after_the_tests() -> None:
    """The workflow's deploy waits for every test job and builds strictly,
    and each workflow that can deploy does so only for its own value of
    PAGES_DEPLOY, so two never deploy the same push."""
    folder = ROOT / ".github" / "workflows"
    workflow = yaml.safe_load((folder / "ci.yml").read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    tests = set(jobs) - {"pages", "deploy", "site"}
    assert set(jobs["pages"]["needs"]) == tests
    assert jobs["deploy"]["needs"] == "pages"
    assert "refs/heads/main" in jobs["pages"]["if"]
    builds = [step.get("run", "") for step in jobs["pages"]["steps"]]
    assert any("mkdocs build --strict" in run for run in builds)
    ways = {}
    for path in sorted(folder.glob("*.yml")):
        graph = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]
        for job in graph.values():
            if any("deploy-pages" in s.get("uses", "") for s in job["steps"]):
                needs = job.get("needs", [])
                needs = [needs] if isinstance(needs, str) else needs
                # The condition stands on the job or on the one it waits for.
                conditions = [job.get("if", "")]
                conditions += [graph[n].get("if", "") for n in needs]
                found = re.findall(
                    r"PAGES_DEPLOY == '(\w+)'", " ".join(conditions)
                )
                assert len(found) == 1, path.name
                ways[found[0]] = path.name
    assert ways == {"actions": "ci.yml", "sharded": "site.yml"}


@pytest.mark.parametrize(
    ("remote", "repo"),
    [
        (GITHUB_REMOTE, "https://github.com/Gluon-Owner/tiny-notes"),
        (
            "https://token:abc@github.com/Gluon-Owner/tiny-notes/",
            "https://github.com/Gluon-Owner/tiny-notes",
        ),
        ("git@github.com:o/r.git", "https://github.com/o/r"),
        ("https://gitlab.com/owner/tiny-notes.git", None),
    ],
)
def test_github_repo_url(remote: str, repo: str | None) -> None:
    """A GitHub remote gives its web address, without user or `.git`."""
    assert publishing.github_repo_url(remote) == repo


def test_deploy_links_the_repository_and_edit_pages(repo: Repo) -> None:
    """With REPO_URL unset, the GitHub origin gives the repository link
    and "edit this page" on the checked-out branch; EDIT_URI wins."""
    config = repo.path / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "edit_uri: !ENV [EDIT_URI, null]\n",
        encoding="utf-8",
    )
    repo.git("checkout", "-q", "-b", "trunk")
    repo.git("commit", "-q", "-am", "edit_uri as mkdocs.yml has it")
    repo.git("remote", "set-url", "origin", GITHUB_REMOTE)
    repo.git("remote", "set-url", "--push", "origin", str(repo.remote))
    for env, edit in (
        ({}, "edit/trunk/docs/index.md"),
        ({"EDIT_URI": "blob/stable/docs/"}, "blob/stable/docs/index.md"),
    ):
        code, output = repo.mkdocs("gh-deploy", "--force", **env)
        assert code == 0, output
        assert "gh-deploy: linking https://github.com/Gluon-Owner/" in output
        home = _git(repo.remote, "show", "gh-pages:index.html")
        repository = "https://github.com/Gluon-Owner/tiny-notes"
        assert f'href="{repository}/{edit}"' in home


def test_actions_build_links_the_repository() -> None:
    """The Actions build sets REPO_URL and EDIT_URI, as gh-deploy derives
    them: the published site links its source either way."""
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    )
    build = next(
        step
        for step in workflow["jobs"]["pages"]["steps"]
        if "mkdocs build" in step.get("run", "")
    )
    assert build["env"]["REPO_URL"].endswith("/${{ github.repository }}")
    assert build["env"]["EDIT_URI"].startswith("edit/")
    assert build["env"]["EDIT_URI"].endswith("/docs/")
