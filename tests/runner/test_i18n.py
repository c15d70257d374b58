"""With mkdocs-static-i18n: execute once, render in every language."""

from __future__ import annotations

import re

from tests.runner.conftest import INDEX, Site

I18N_YML = """\
site_name: tiny
theme: mkdocs
plugins:
  - execnotes:
      workers: 1
  - i18n:
      docs_structure: suffix
      languages:
        - locale: zh
          default: true
          name: 中文
        - locale: en
          name: English
markdown_extensions:
  - pymdownx.highlight
  - pymdownx.superfences
"""

REPORT = "# Report\n\n```{report}\n```\n"


def _bilingual(site: Site) -> None:
    site.write("mkdocs.yml", I18N_YML)
    site.write("docs/index.en.md", INDEX.replace("# Home", "# Home (en)"))
    site.write("docs/report.md", REPORT)
    site.write("docs/report.en.md", REPORT)


def test_each_snippet_runs_once_for_both_languages(site: Site) -> None:
    """Both languages show the output; each snippet ran once."""
    _bilingual(site)
    site.build()
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    assert site.plugin.last_build.executed == 3
    zh, en = site.html("index.html"), site.html("en/index.html")
    assert "double: 42" in zh
    assert "double: 42" in en
    assert "Home (en)" in en
    for page, prefix in ((zh, "site/"), (en, "site/en/")):
        [src] = re.findall(r'<img src="([^"]+\.svg)"', page)
        assert (site.root / prefix / src).is_file()
    assert not site.warnings


def test_cache_survives_both_language_builds(site: Site) -> None:
    """The second language never evicts the first's entries."""
    _bilingual(site)
    site.build()
    site.build()
    assert site.plugin is not None
    assert site.plugin.last_build is not None
    assert site.plugin.last_build.executed == 0
    assert len(list((site.root / ".execnotes-cache").glob("*.json"))) == 3


def test_report_lists_snippets_with_pages_of_its_language(site: Site) -> None:
    """The report page lists every run with its page, status and source."""
    _bilingual(site)
    site.build()
    report = re.sub(r"\s+", " ", site.html("en/report/index.html"))
    assert (
        "<td><code>snippets.demo.show_double</code></td> "
        '<td><a href="../">index</a></td> <td>ok</td> <td>ran</td>'
    ) in report
    assert (
        "3 snippets: 3 ran in this build, 0 came from the cache, 0 failed"
    ) in report
    zh_report = re.sub(r"\s+", " ", site.html("report/index.html"))
    assert '<td><a href="../">index</a></td> <td>ok</td> <td>运行</td>' in (
        zh_report
    )
    assert "共 3 个代码片段：本次构建运行 3 个" in zh_report
