"""MkDocs hook: every notebook of a language in one zip file.

execnotes writes a notebook beside each page that has code (and each
notebook page's download); here they are collected, after the last
language is built, into `notebooks.zip` at each language's root
(`/notebooks.zip`, `/en/notebooks.zip`), which the home pages link. Each
notebook in it is the page's own download, runnable on its own.

The archive is byte-identical between builds of the same notebooks: the
entries are sorted and carry a fixed date and mode.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority

ARCHIVE = "notebooks.zip"
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store


def language_roots(config: MkDocsConfig) -> dict[str, Path]:
    """Each built language's folder in the site, by locale ("" for the
    default language, at the root)."""
    site = Path(config.site_dir)
    i18n = config.plugins.get("i18n")
    languages = getattr(getattr(i18n, "config", None), "languages", None)
    roots = {"": site}
    for language in languages or []:
        if language.build and not language.default:
            roots[language.locale] = site / language.locale
    return roots


def write_archive(root: Path, others: list[Path], name: str) -> Path:
    """Zip the notebooks under `root` (not those under `others`, the other
    languages' folders) into root/ARCHIVE, in a folder called `name`."""
    notebooks = sorted(
        path
        for path in root.rglob("*.ipynb")
        if not any(path.is_relative_to(other) for other in others)
    )
    target = root / ARCHIVE
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in notebooks:
            entry = zipfile.ZipInfo(f"{name}/{path.name}", _FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes())
    return target


# After mkdocs-static-i18n's on_post_build (-100), which builds the other
# language (and so writes its notebooks), and after execnotes' (-200).
@event_priority(-300)
def on_post_build(config: MkDocsConfig) -> None:
    """Write each language's notebooks.zip."""
    roots = language_roots(config)
    for locale, root in roots.items():
        if not root.is_dir():
            continue  # that language is not built (yet)
        others = [path for key, path in roots.items() if key and key != locale]
        write_archive(
            root, others, f"gluon-notes{'-' + locale if locale else ''}"
        )
