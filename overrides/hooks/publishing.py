"""MkDocs hook: `mkdocs gh-deploy` publishes a working site, or nothing.

Two things the plain command gets wrong for this site, fixed here for
`gh-deploy` only (`build` and `serve` are left as they are):

- The site's address. A project site lives under a sub-path
  (https://OWNER.github.io/REPO/), and pages that are not at a fixed place
  (the 404 page, served for every missing path) and the language switch on
  the home pages need that path. When `site_url` (SITE_URL) is unset it is
  derived from a `docs/CNAME` file or from the GitHub URL of the remote
  gh-deploy pushes to; if neither tells, the deploy is refused with a
  message saying how to set it.
- The repository. The header's repository link, "edit this page" and the
  home page's `pip install "git+..."` line need `repo_url` and `edit_uri`.
  When REPO_URL is unset they are derived from the same GitHub remote
  (https://github.com/OWNER/REPO, and `edit/BRANCH/docs/` with the
  remote's default branch, else the branch checked out); EDIT_URI wins.
- Strictness. Any warning (a failing snippet, a broken link) aborts the
  deploy before anything is pushed, as `mkdocs build --strict` would: a
  failing snippet must never be published as an error box. MkDocs decides
  whether a build counts warnings before any plugin sees the config, so the
  hook counts them itself.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs.utils import CountHandler

log = logging.getLogger("mkdocs.hooks.publishing")

# https://github.com/OWNER/REPO(.git), git@github.com:OWNER/REPO(.git),
# ssh://git@github.com/OWNER/REPO(.git), with or without a user or token.
_GITHUB = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]+@)?github\.com[:/]"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def github_pages_url(remote_url: str) -> str | None:
    """The GitHub Pages address of a GitHub remote, or None for others."""
    match = _GITHUB.match(remote_url.strip())
    if match is None:
        return None
    owner, repo = match["owner"].lower(), match["repo"]
    if repo.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"  # a user or organization site
    return f"https://{owner}.github.io/{repo}/"


def github_repo_url(remote_url: str) -> str | None:
    """The web address of a GitHub remote's repository (no user, token or
    `.git`), or None for other remotes."""
    match = _GITHUB.match(remote_url.strip())
    if match is None:
        return None
    return f"https://github.com/{match['owner']}/{match['repo']}"


def derived_edit_uri(config: MkDocsConfig) -> str:
    """`edit/BRANCH/DOCS/`: the deploy remote's default branch (else the
    branch checked out, else main) and docs_dir inside the repository."""
    where = Path(config.config_file_path)
    remote = config.remote_name
    head = _git(
        "symbolic-ref", "--short", f"refs/remotes/{remote}/HEAD", cwd=where
    )
    branch = head.removeprefix(f"{remote}/") or _git(
        "symbolic-ref", "--short", "HEAD", cwd=where
    )
    top = Path(_git("rev-parse", "--show-toplevel", cwd=where) or ".")
    docs = Path(config.docs_dir).resolve()
    inside = docs.name
    if docs.is_relative_to(top.resolve()):
        inside = docs.relative_to(top.resolve()).as_posix()
    return f"edit/{branch or 'main'}/{inside}/"


def derived_site_url(config: MkDocsConfig) -> str:
    """The site's address from docs/CNAME or the deploy remote's URL.

    Raises:
        Abort: neither tells the address; the message says how to set it.
    """
    cname = Path(config.docs_dir) / "CNAME"
    if cname.is_file() and cname.read_text(encoding="utf-8").strip():
        return f"https://{cname.read_text(encoding='utf-8').strip()}/"
    remote = config.remote_name
    url = _remote_url(config)
    pages = github_pages_url(url) if url else None
    if pages is None:
        found = f"is {url!r}" if url else "is not set"
        raise Abort(
            "gh-deploy: the address of the published site is unknown. "
            f"SITE_URL is unset and the URL of the remote {remote!r} "
            f"{found}, which is not a GitHub repository. The 404 page and "
            "the language switch need the address: set it, e.g. "
            "`SITE_URL=https://OWNER.github.io/REPO/ mkdocs gh-deploy`."
        )
    return pages


def _remote_url(config: MkDocsConfig) -> str:
    where = Path(config.config_file_path)
    return _git(
        "config", "--get", f"remote.{config.remote_name}.url", cwd=where
    )


def _git(*args: str, cwd: Path) -> str:
    """Git's answer in the folder of `cwd` (a file), "" if it fails."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def _derive_repository(config: MkDocsConfig) -> None:
    """repo_url, repo_name and edit_uri from a GitHub deploy remote (none
    for other remotes: the site then shows no repository)."""
    repo_url = github_repo_url(_remote_url(config))
    if repo_url is None:
        return
    config.repo_url = repo_url
    config.repo_name = config.repo_name or repo_url.removeprefix(
        "https://github.com/"
    )
    config.edit_uri = config.edit_uri or derived_edit_uri(config)
    log.info(f"gh-deploy: linking {repo_url}, edit links {config.edit_uri}")


class _Deploy:
    """What gh-deploy needs across events of one MkDocs run.

    MkDocs loads a hook module once per run and uses the module itself as
    the plugin instance, so the run's state lives in this one object (see
    `_DEPLOY` below) rather than in a plugin class of its own.
    """

    def __init__(self) -> None:
        self.deploying = False
        self.warnings = CountHandler()
        self.warnings.setLevel(logging.WARNING)

    def on_startup(self, command: str) -> None:
        self.deploying = command == "gh-deploy"

    def on_config(self, config: MkDocsConfig) -> None:
        if not self.deploying:
            return
        logger = logging.getLogger("mkdocs")
        if self.warnings not in logger.handlers:
            logger.addHandler(self.warnings)
        if not config.site_url:
            config.site_url = derived_site_url(config)
            log.info(f"gh-deploy: publishing to {config.site_url}")
        if not config.repo_url:
            _derive_repository(config)

    def on_post_build(self) -> None:
        counts = self.warnings.get_counts()
        if self.deploying and counts:
            found = ", ".join(f"{n} {level.lower()}s" for level, n in counts)
            raise Abort(
                f"gh-deploy: aborted with {found}; nothing was published. "
                "gh-deploy always builds strictly, so that a failing snippet "
                "or a broken link never reaches the published site: fix "
                "what the messages above say (`mkdocs build --strict` shows "
                "them again) and deploy again."
            )

    def on_shutdown(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self.warnings)


_DEPLOY = _Deploy()


def on_startup(command: str, **kwargs: Any) -> None:
    """Remember whether this run deploys."""
    _DEPLOY.on_startup(command)


# Before mkdocs-static-i18n's on_config (-100), which derives the language
# switch's links from site_url.
@event_priority(50)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """When deploying: count warnings, and know the site's address."""
    _DEPLOY.on_config(config)
    return config


# Last of all: after mkdocs-static-i18n (-100) has built the other language
# and execnotes (-200) has summed up the snippets, both of which may warn.
@event_priority(-1000)
def on_post_build(config: MkDocsConfig) -> None:
    """When deploying: abort, so nothing is pushed, if anything warned."""
    _DEPLOY.on_post_build()


def on_shutdown() -> None:
    """Stop counting warnings."""
    _DEPLOY.on_shutdown()
