"""With mkdocs-static-i18n: execute once, render in every language."""

from __future__ import annotations

import re

from tests.runner.conftest import INDEX, Site, entries

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
    assert len(entries(site)) == 3


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


def test_errors_name_file_lines_in_both_languages(site: Site) -> None:
    """Line numbers count the file as written, front matter included."""
    _bilingual(site)
    page = (
        "---\ntitle: Bad\n---\n\n# Bad\n\n"
        "```{run} snippets.bad.show_raise\n```\n"
    )
    site.write("docs/bad.md", page)
    site.write("docs/bad.en.md", page)
    site.build()
    failures = [w for w in site.warnings if "show_raise: KeyError" in w]
    assert failures[0].startswith(
        "WARNING execnotes: bad.md:7: {run} snippets.bad.show_raise"
    )
    assert failures[1].startswith(
        "WARNING execnotes: bad.en.md:7: {run} snippets.bad.show_raise"
    )


def test_strict_build_still_sums_up(site: Site) -> None:
    """When --strict stops the build in the second language, the summary
    of all failures is still logged."""
    import pytest
    from mkdocs.exceptions import Abort

    _bilingual(site)
    site.write("docs/index.en.md", "```{run} snippets.bad.show_raise\n```\n")
    with pytest.raises(Abort):
        site.build(strict=True)
    assert site.warnings[-1].startswith(
        "WARNING execnotes: 4 snippets: 4 ran, 0 from the cache, 1 failed"
    )
