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


def derived_site_url(config: MkDocsConfig) -> str:
    """The site's address from docs/CNAME or the deploy remote's URL.

    Raises:
        Abort: neither tells the address; the message says how to set it.
    """
    cname = Path(config.docs_dir) / "CNAME"
    if cname.is_file() and cname.read_text(encoding="utf-8").strip():
        return f"https://{cname.read_text(encoding='utf-8').strip()}/"
    remote = config.remote_name
    url = _git_config(f"remote.{remote}.url", Path(config.config_file_path))
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


def _git_config(key: str, config_file: Path) -> str:
    result = subprocess.run(
        ["git", "config", "--get", key],
        cwd=config_file.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


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
