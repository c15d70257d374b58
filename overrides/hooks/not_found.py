"""MkDocs hook: a 404 page in each language.

MkDocs renders the theme's 404.html once per build, and
mkdocs-static-i18n runs one build per language into the same folder, so
the last language's 404 replaced the others, and its language links were
those of whichever page was rendered before. Here:

- the default language's 404 stays at the site root (`404.html`), every
  other language's goes to its own folder (`en/404.html`);
- each 404 links the home pages of all languages and knows its language
  (for overrides/404.html and assets/javascripts/i18n.js).

GitHub Pages (and most static hosts) serve only the root `404.html` for a
missing path; overrides/404.html sends a reader whose path is under
`en/` to the English one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("mkdocs.hooks.not_found")

TEMPLATE = "404.html"


def _languages(config: MkDocsConfig) -> list[Any]:
    """The languages mkdocs-static-i18n builds, default first."""
    i18n = config.plugins["i18n"].config
    built = [language for language in i18n.languages if language.build]
    return sorted(built, key=lambda language: not language.default)


def _current(config: MkDocsConfig) -> Any:
    """The language being built (mkdocs-static-i18n sets the theme's)."""
    locale = config.theme["language"]
    return next(x for x in _languages(config) if x.locale == locale)


def _home(config: MkDocsConfig, language: Any) -> str:
    """Absolute path of a language's home page, e.g. /gluon-notes/en/.

    Absolute because the 404 page is served at any depth; without
    site_url the site is assumed to be served from the server's root.
    """
    base = urlsplit(config.site_url or "/").path.rstrip("/")
    return f"{base}{language.link}"


def on_template_context(
    context: dict[str, Any], template_name: str, config: MkDocsConfig
) -> dict[str, Any]:
    """Give the 404 page its language and links to every home page."""
    if template_name != TEMPLATE:
        return context
    languages, current = _languages(config), _current(config)
    homes = [
        {"name": lang.name, "link": _home(config, lang), "lang": lang.locale}
        for lang in languages
    ]
    # mkdocs-static-i18n resets the item but sets each page's links as an
    # attribute, which templates read first: the 404 showed the links of
    # the page rendered before it. Set both.
    config.extra["alternate"] = homes
    config.extra.alternate = homes
    context["i18n_config"] = config.plugins["i18n"].config
    context["i18n_page_locale"] = current.locale
    context["not_found"] = {
        "home": _home(config, current),
        "default": bool(current.default),
        "others": [_home(config, lang) for lang in languages[1:]],
    }
    return context


def on_post_template(
    output_content: str, template_name: str, config: MkDocsConfig
) -> str:
    """Write a non-default language's 404 into its own folder.

    Returning an empty page keeps MkDocs from writing it over the default
    language's `404.html` (MkDocs logs "Template skipped" for it).
    """
    if template_name != TEMPLATE:
        return output_content
    language = _current(config)
    if language.default:
        return output_content
    path = Path(config.site_dir) / language.link.strip("/") / TEMPLATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(output_content, encoding="utf-8")
    log.debug(f"Wrote the {language.locale} 404 page to {path}")
    return ""
