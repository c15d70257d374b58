"""Notebook pages of a tiny bilingual site, built for real: executed by the
runner once for both languages, rendered by mkdocs-jupyter, cached."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from mkdocs.exceptions import Abort

from tests.notebooks.conftest import (
    CODE,
    notebook,
    twin,
    write_notebook_site,
)
from tests.runner.conftest import Site, ran


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The notebook site built once, as written, for the tests that only
    read what that build made (the others edit and build their own)."""
    site = write_notebook_site(tmp_path_factory.mktemp("nb-site"))
    site.build()
    site.close()
    return site


def page(site: Site, path: str) -> str:
    """The built HTML of a site path such as "en/nb/"."""
    return site.html(f"{path}index.html")


def test_notebook_renders_with_outputs_in_both_languages(
    built: Site,
) -> None:
    """Both pages show their own prose and the one run's outputs: text,
    value, figure file, quoted value; the twins ran once."""
    assert ran(built) == 4  # the index page's 3 blocks and the notebook
    zh, en = page(built, "nb/"), page(built, "en/nb/")
    assert "一些中文文字" in zh
    assert "Some English words" not in zh
    assert "Some English words" in en
    for html in (zh, en):
        assert "x is 1.0976" in html  # printed (seed 0, rand() = 0.5488)
        assert "<pre>1.0976270078546495</pre>" in html  # the last value
        assert "The value is 1.098;" in html  # quoted in the Markdown
        assert "{{" not in html
    for html, prefix in ((zh, "site/nb/"), (en, "site/en/nb/")):
        [src] = re.findall(r'<img alt="[^"]*" src="([^"]+\.svg)"', html)
        assert (built.root / prefix / src).is_file()
    assert not built.warnings


def test_twins_quoting_values_in_another_order_share_a_run(
    nb_site: Site,
) -> None:
    """The values a Markdown cell quotes may come in any order: the twins
    still run once."""
    cells = [("code", "a, b = 1, 2"), ("md", "{{ a }} and {{ b }}")]
    nb_site.write("docs/two.ipynb", notebook(*cells))
    cells[1] = ("md", "{{ b }} then {{ a }}")
    nb_site.write("docs/two.en.ipynb", notebook(*cells))
    nb_site.build()
    assert ran(nb_site) == 5  # the index page's 3 blocks, nb, two
    assert "2 then 1" in page(nb_site, "en/two/")


def test_page_is_light_without_running(nb_site: Site) -> None:
    """With the runner disabled, the page still has no inline CSS and its
    quoted values show as a placeholder."""
    nb_site.write(
        "mkdocs.yml",
        (nb_site.root / "mkdocs.yml")
        .read_text()
        .replace("workers: 1", "workers: 1\n      enabled: false"),
    )
    nb_site.build()
    html = page(nb_site, "nb/")
    start = html.index('<div class="jupyter-wrapper">')
    assert "<style" not in html[start : html.index("<!-- jupyter-wrapper")]
    assert "The value is …;" in html


def test_page_is_the_sites_own_html(built: Site) -> None:
    """No inline CSS or script, nothing from a CDN; theme code blocks;
    Chinese headings keep their ids; links go to site pages."""
    html = page(built, "nb/")
    start = html.index('<div class="jupyter-wrapper">')
    content = html[start : html.index("<!-- jupyter-wrapper -->")]
    assert "<style" not in content
    assert "<script" not in content
    assert "cdnjs" not in content
    assert "mathjax" not in content.lower()
    assert (
        '<div class="language-python highlight"><pre><span></span><code>'
        in (content)
    )
    assert "clipboard-copy" not in content
    assert '<h1 id="笔记本">' in content
    assert '<h2 id="第二节">' in content
    assert 'href="#第二节"' in html  # the table of contents
    assert '<a href="../">home</a>' in content
    assert len(html.encode()) < 40_000  # mkdocs-jupyter alone: ~600 KB


def test_second_build_runs_nothing(nb_site: Site) -> None:
    """Nothing runs again, and mkdocs-jupyter's cache keeps both languages'
    renders (neither language's build evicts the other's)."""
    nb_site.build()
    renders = nb_site.root / ".cache" / "mkdocs-jupyter"
    first = {(p, p.stat().st_mtime_ns) for p in renders.rglob("*.json")}
    nb_site.build()
    assert ran(nb_site) == 0
    assert {p.parent.name for p, _ in first} == {"zh", "en"}
    assert {(p, p.stat().st_mtime_ns) for p in renders.rglob("*.json")} == (
        first
    )


def test_editing_a_cell_reruns_that_notebook_only(nb_site: Site) -> None:
    """A code cell edited re-runs its notebook (once for both twins) and
    nothing else; prose edited runs nothing; going back is a cache hit."""
    nb_site.write("docs/other.ipynb", notebook(("code", "print('other')")))
    nb_site.build()
    edited = CODE[1].replace("[1, 2, 4]", "[1, 2, 8]")
    for name in ("nb.ipynb", "nb.en.ipynb"):
        text = (nb_site.root / "docs" / name).read_text(encoding="utf-8")
        source = json.dumps(CODE[1])[1:-1]
        nb_site.write(
            f"docs/{name}", text.replace(source, json.dumps(edited)[1:-1])
        )
    nb_site.build()
    assert ran(nb_site) == 1
    nb_site.write("docs/nb.ipynb", twin("新的标题", "改过的文字"))
    nb_site.write(
        "docs/nb.en.ipynb", twin("New title", "Edited words", "Part two")
    )
    nb_site.build()
    assert ran(nb_site) == 0
    assert "改过的文字" in page(nb_site, "nb/")


def test_helper_edit_reruns_exactly_the_notebooks_that_import_it(
    nb_site: Site,
) -> None:
    """Editing snippets/helpers.py re-runs the notebook that imports it (and
    the blocks of snippets/demo.py, which imports it), not the other."""
    nb_site.write(
        "docs/plain.ipynb", notebook(("code", "import math\nprint(math.pi)"))
    )
    nb_site.build()
    helpers = nb_site.root / "snippets" / "helpers.py"
    helpers.write_text(
        helpers.read_text(encoding="utf-8") + "\nOTHER = 1\n", encoding="utf-8"
    )
    nb_site.build()
    build = nb_site.plugin.last_build if nb_site.plugin else None
    assert build is not None
    rerun = sorted(r.name for r in build.results.values() if r.source == "ran")
    demos = ["show_double", "show_figure", "show_plain"]
    assert rerun == ["nb.ipynb", *(f"snippets.demo.{d}" for d in demos)]


def test_failing_cell_is_a_located_warning_with_an_error_box(
    nb_site: Site,
) -> None:
    """The warning names the notebook and cell; the page shows the error
    in a box and says which cells did not run; --strict fails."""
    nb_site.write(
        "docs/bad.ipynb",
        notebook(
            ("md", "# Bad"),
            ("code", "print('before')"),
            ("code", "y = 1\n{}['missing']"),
            ("code", "print('never')"),
        ),
    )
    with pytest.raises(Abort):
        nb_site.build(strict=True)
    [warning] = [w for w in nb_site.warnings if "bad.ipynb" in w][:1]
    assert warning.startswith(
        "WARNING execnotes: bad.ipynb: cell 3: KeyError: 'missing'"
    )
    assert 'File "<In [2]>", line 2, in <module>' in warning
    assert nb_site.warnings[-1].startswith(
        "WARNING execnotes: 5 snippets: 5 ran, 0 from the cache, 1 failed"
    )
    html = page(nb_site, "bad/")
    assert 'class="admonition failure execnotes-error"' in html
    assert "execnotes: cell 3" in html
    assert "未运行：上面的第 3 个单元格出错了。" in html
    assert "<pre>before" in html
    assert "<pre>never" not in html


def test_inline_value_without_value_is_a_located_warning(
    nb_site: Site,
) -> None:
    """A quoted name the run does not define, one quoted before any code,
    and a malformed one: each a warning naming its cell; shown as ?."""
    nb_site.write(
        "docs/values.ipynb",
        notebook(
            ("md", "Too early: {{ x }}."),
            ("code", "x = 2"),
            ("md", "Fine {{ x:.1f }}, missing {{ y }}, bad {{ 1 + 1 }}."),
        ),
    )
    nb_site.build()
    found = [w for w in nb_site.warnings if "values.ipynb" in w]
    assert found[0].startswith(
        "WARNING execnotes: values.ipynb: cell 3: {{ 1 + 1 }} is not an "
        "inline value"
    )
    assert any(
        "cell 1: {{ x }} comes before any code cell" in w for w in found
    )
    assert any(
        "cell 3: {{ y }}: NameError: name 'y' is not defined" in w
        for w in found
    )
    html = page(nb_site, "values/")
    assert "Fine 2.0, missing" in html
    assert html.count('<span class="execnotes-error">?</span>') == 3


def test_one_language_notebook_does_not_overwrite_the_other(
    nb_site: Site,
) -> None:
    """A Chinese-only notebook keeps its page, with an English fallback
    under en/; an English-only one exists under en/ only."""
    nb_site.write("docs/zh-only.ipynb", twin("只有中文", "中文独有"))
    nb_site.write("docs/en-only.en.ipynb", twin("English only", "Only en"))
    nb_site.build()
    zh = page(nb_site, "zh-only/")
    assert '<html lang="zh"' in zh
    assert "中文独有" in zh
    assert '"cells"' not in zh  # not the notebook's raw JSON
    assert '<html lang="en"' in page(nb_site, "en/zh-only/")
    assert "Only en" in page(nb_site, "en/en-only/")
    assert not (nb_site.root / "site" / "en-only").exists()
    assert not list((nb_site.root / "site").rglob("*.ipynb/index.html"))


def test_search_has_notebook_text_and_no_json_or_base64(
    built: Site,
) -> None:
    """Both languages' notebook pages are indexed by their headings, with
    the prose and the outputs; no cell JSON, no data URI."""
    index = json.loads(
        (built.root / "site" / "search" / "search_index.json").read_text()
    )
    entries = {e["location"]: e for e in index["docs"]}
    assert "一些中文文字" in entries["nb/#笔记本"]["text"]
    assert "Some English words" in entries["en/nb/#notebook"]["text"]
    assert "x is 1.0976" in entries["en/nb/#part-two"]["text"]
    text = json.dumps(index)
    for leak in ('\\"cell_type\\"', "base64", "data:image"):
        assert leak not in text


def test_download_is_a_standalone_notebook(built: Site) -> None:
    """The download is valid nbformat, imports nothing from snippets, sets
    up the seed and the helpers first, and keeps the run's outputs."""
    path = (
        built.root / "site" / "en" / "nb" / "nb.en.ipynb"
    )  # its language's name
    downloaded = nbformat.reads(path.read_text(encoding="utf-8"), 4)
    nbformat.validate(downloaded)
    code = [c for c in downloaded.cells if c.cell_type == "code"]
    names = [c.metadata.get("execnotes", {}).get("name") for c in code]
    assert names[:2] == ["execnotes.setup", "execnotes.helpers"]
    assert "mx.random.seed(0)" in code[0].source
    assert "def double(x):" in code[1].source
    assert not any(
        re.search(r"^\s*from snippets", c.source, re.M) for c in code
    )
    assert code[2].outputs[0]["text"] == "x is 1.0976\n"
    assert "data" in code[3].outputs[0]
    assert "image/svg+xml" in code[3].outputs[0]["data"]
    assert "The value is 1.098;" in "".join(
        c.source for c in downloaded.cells if c.cell_type == "markdown"
    )
    source = built.root / "docs" / "nb.en.ipynb"
    assert '"outputs": []' in source.read_text(encoding="utf-8").replace(
        '"outputs":[]', '"outputs": []'
    )


def test_executing_notebook_renderer_is_refused(nb_site: Site) -> None:
    """mkdocs-jupyter with execute: true stops the build, saying why."""
    nb_site.write(
        "mkdocs.yml",
        (nb_site.root / "mkdocs.yml")
        .read_text()
        .replace("execute: false", "execute: true"),
    )
    with pytest.raises(Abort):
        nb_site.build()
    assert any("set `execute: false` under" in m for m in nb_site.logs)


def test_unreadable_notebook_is_a_warning_not_a_crash(nb_site: Site) -> None:
    """A notebook that is not JSON: a warning naming it, an error box."""
    nb_site.write("docs/broken.ipynb", "{not json")
    nb_site.build()
    assert any(
        w.startswith("WARNING execnotes: broken.ipynb: cannot read it:")
        for w in nb_site.warnings
    )
    assert "execnotes-error" in page(nb_site, "broken/")
