"""Builds of a tiny site: outputs, the cache, and `mkdocs serve` rebuilds."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.runner.conftest import Site, entries, with_gluon_state
from tests.runner.conftest import ran as _ran


def _without_build_date(html: str) -> str:
    return re.sub(r"Build Date UTC : [^\n]*", "", html)


def _figures(site: Site) -> list[Path]:
    return sorted((site.root / "site" / "assets" / "execnotes").glob("*.svg"))


def test_run_shows_output_value_and_figure(site: Site) -> None:
    """A run shows what it printed, its returned value and its figure."""
    site.build()
    page = site.html()
    assert "double: 42" in page
    assert "plain: 3.14159" in page
    assert "{&#x27;value&#x27;: 42, &#x27;ratio&#x27;: 0.8512}" in page
    assert "The ratio is 0.85." in page
    [figure] = _figures(site)
    assert f'src="assets/execnotes/{figure.name}"' in page
    assert "<figcaption>A parabola</figcaption>" in page
    assert figure.read_text().startswith("<?xml")
    assert not site.warnings


def test_show_includes_the_imports_it_needs(site: Site) -> None:
    """The shown code is the symbol plus the imports it uses."""
    site.build()
    page = re.sub(r"<[^>]+>", "", site.html())
    assert "import math\n\ndef area(r):" in page
    assert "from snippets.helpers import double" in page


def test_second_build_runs_nothing(site: Site) -> None:
    """A rebuild with nothing changed serves every run from the cache."""
    site.build()
    assert _ran(site) == 3
    first = site.html()
    site.build()
    assert _ran(site) == 0
    assert _without_build_date(site.html()) == _without_build_date(first)


def test_prose_edit_runs_nothing(site: Site) -> None:
    """Editing the prose of a page runs no snippet."""
    site.build()
    index = (site.root / "docs/index.md").read_text()
    site.write("docs/index.md", index.replace("# Home", "# Home, edited"))
    site.build()
    assert _ran(site) == 0
    assert "Home, edited" in site.html()


def test_helper_edit_reruns_only_its_dependents(site: Site) -> None:
    """Editing a module re-runs exactly the runs that imported it (a
    function runs by importing its module, which imports the helper)."""
    site.write(
        "docs/index.md",
        "```{run} snippets.demo.show_double\n```\n\n"
        "```{run} snippets.bad.show_script\n```\n",
    )
    site.build()
    pool = site.plugin.runner.pool  # type: ignore[union-attr]
    helpers = (site.root / "snippets/helpers.py").read_text()
    site.write("snippets/helpers.py", helpers.replace("2 * x", "3 * x"))
    site.build()
    results = site.plugin.last_build.results.values()  # type: ignore[union-attr]
    ran = sorted(r.snippet.name for r in results if r.source == "ran")
    assert ran == ["snippets.demo.show_double"]
    assert "double: 63" in site.html()
    assert site.plugin.runner.pool is pool, "the pool stayed warm"  # type: ignore[union-attr]
    assert pool.started_workers == 1


def _write_reader(site: Site) -> None:
    """A page running a snippet that reads numbers.txt."""
    site.write("numbers.txt", "1 2 3\n")
    site.write(
        "snippets/reader.py",
        '''\
        def show_sum():
            """Sum the numbers in numbers.txt."""
            with open("numbers.txt") as f:
                print("sum", sum(int(n) for n in f.read().split()))
        ''',
    )
    site.write("docs/index.md", "```{run} snippets.reader.show_sum\n```\n")


def test_data_file_edit_reruns_its_reader(site: Site) -> None:
    """A data file a run read is part of its key."""
    _write_reader(site)
    site.build()
    assert "sum 6" in site.html()
    site.build()
    assert _ran(site) == 0
    site.write("numbers.txt", "1 2 3 4\n")
    site.build()
    assert _ran(site) == 1
    assert "sum 10" in site.html()


def test_truncated_cache_entry_is_run_again(site: Site) -> None:
    """A half-written cache file is ignored, re-run and replaced."""
    site.build()
    first = entries(site)
    assert len(first) == 3
    first[0].write_text(first[0].read_text()[:40])
    site.build()
    assert _ran(site) == 1
    assert "double: 42" in site.html()
    assert entries(site) == first


def test_region_runs_and_shows(site: Site) -> None:
    """A marked region of a module can be shown and run."""
    site.write("docs/index.md", "```{run} snippets.regions.loop-demo\n```\n")
    site.build()
    page = site.html()
    assert "total 6\n</code></pre>" in page
    assert "total 6\ntotal 6" not in page
    assert "# region" not in page


def test_output_is_escaped(site: Site) -> None:
    """Printed markup is shown as text, never executed."""
    site.write("docs/index.md", "```{run} snippets.bad.show_script\n```\n")
    site.build()
    page = site.html()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_long_output_is_cut_with_a_notice(site: Site) -> None:
    """Ten million characters are cut to the limit, with a visible notice."""
    site.write("docs/index.md", "```{run} snippets.bad.show_flood\n```\n")
    site.build()
    page = site.html()
    assert "y" * 2000 in page
    assert "y" * 2001 not in page
    assert "showing the first 2,000 of 10,000,001 characters" in page


def test_page_downloads_as_a_notebook_with_its_outputs(site: Site) -> None:
    """Each page with code gets an .ipynb holding its prose, code and the
    recorded outputs, linked from a download button."""
    import json

    import nbformat

    site.build()
    assert 'href="index.ipynb" download' in site.html()
    text = (site.root / "site/index.ipynb").read_text()
    nbformat.validate(nbformat.reads(text, as_version=4))
    cells = json.loads(text)["cells"]
    names = [
        cell["metadata"].get("execnotes", {}).get("name") for cell in cells
    ]
    assert names == [
        None,  # the page's title
        None,  # the setup section's title
        "execnotes.setup",
        "execnotes.helpers",
        "snippets.demo.area",
        None,  # "The ratio is ..."
        "snippets.demo.show_double",
        "snippets.demo.show_plain",
        "snippets.demo.show_figure",
    ]
    sources = ["".join(cell["source"]) for cell in cells]
    assert "The ratio is 0.85." in sources[5]
    assert sources[6].endswith("show_double()")
    assert "".join(cells[6]["outputs"][0]["text"]) == "double: 42\n"
    figure = cells[8]["outputs"][0]
    assert "".join(figure["data"]["image/svg+xml"]).startswith("<?xml")


def test_native_output_is_captured(site: Site) -> None:
    """Output written straight to the file descriptors appears too."""
    site.write("docs/index.md", "```{run} snippets.bad.show_native\n```\n")
    site.build()
    assert "from python\nfrom the fd\n" in site.html()


def test_snippets_folder_may_be_a_link(site: Site) -> None:
    """A snippets/ that links to a folder elsewhere still runs and caches."""
    real = site.root.parent / f"{site.root.name}-real-snippets"
    (site.root / "snippets").rename(real)
    (site.root / "snippets").symlink_to(real, target_is_directory=True)
    site.build()
    assert "double: 42" in site.html()
    assert not site.warnings
    site.build()
    assert _ran(site) == 0


def test_each_run_starts_from_the_same_state(site: Site) -> None:
    """Print options, Gluon's layer names, the environment and the working
    directory changed by one run do not reach the next one."""
    with_gluon_state(site)
    site.write(
        "docs/index.md", "```{run} snippets.gluon_state.show_state\n```\n"
    )
    site.build()
    alone = site.html()
    site.write(
        "docs/index.md",
        "```{run} snippets.gluon_state.show_state_change\n```\n\n"
        "```{run} snippets.gluon_state.show_state\n```\n",
    )
    (site.root / ".execnotes-cache").rename(site.root / "old-cache")
    site.build()
    state = re.search(r"\[0\.33333333\] dense0\nNone False\n", alone)
    assert state is not None
    assert state.group(0) in site.html()
    assert "dense0\n</code>" in site.html()


def test_data_files_are_named_relative_to_the_project(site: Site) -> None:
    """A data file inside the project is recorded by its relative path,
    so the cache stays valid when the project moves."""
    import json

    _write_reader(site)
    site.build()
    [entry] = entries(site)
    recorded = json.loads(entry.read_text())["inputs"]
    assert "file:numbers.txt" in recorded
    assert not [key for key in recorded if str(site.root) in key]


def test_longest_timeout_of_a_snippet_wins(site: Site) -> None:
    """Two blocks running the same snippet: the larger timeout applies,
    whatever the order of the pages."""
    site.write(
        "docs/index.md",
        "```{run} snippets.bad.show_sleep\ntimeout: 1\n```\n",
    )
    site.write(
        "docs/again.md",
        "```{run} snippets.bad.show_sleep\ntimeout: 2\n```\n",
    )
    site.build()
    assert "timeout of 2 s" in site.html()
    assert "timeout of 2 s" in site.html("again/index.html")


def test_inline_values_are_escaped(site: Site) -> None:
    """A returned string is text in the page, never markup."""
    site.write(
        "snippets/markup.py",
        '''\
        def show_markup():
            """Return markup."""
            return {"tag": "<b>bold</b>"}
        ''',
    )
    site.write(
        "docs/index.md",
        'tag {{ snippets.markup.show_markup["tag"] }}\n\n'
        "```{run} snippets.markup.show_markup\nhide: output\n```\n",
    )
    site.build()
    page = site.html()
    assert "<b>bold" not in page
    assert "tag &#60;b&#62;bold&#60;/b&#62;" in page


def test_disabled_runner_shows_code_and_runs_nothing(site: Site) -> None:
    """With `enabled: false` the code is shown, nothing runs, the cache is
    kept, and inline values are left as a mark."""
    site.build()
    yml = (site.root / "mkdocs.yml").read_text()
    site.write("mkdocs.yml", yml.replace("workers: 1", "enabled: false"))
    site.build()
    page = re.sub(r"<[^>]+>", "", site.html())
    assert "def show_double():" in page
    assert "double: 42" not in page
    assert "The ratio is …." in page
    assert _ran(site) == 0
    assert len(entries(site)) == 3


def test_serve_watches_the_snippets(site: Site) -> None:
    """`mkdocs serve` rebuilds on changes under snippets/."""
    site.build()
    watched: list[str] = []

    class Server:
        def watch(self, path: str) -> None:
            watched.append(path)

    assert site.plugin is not None
    site.plugin.on_serve(Server(), config=None, builder=None)  # type: ignore[arg-type]
    assert watched == [str(site.root / "snippets")]


def test_serve_starts_the_workers_at_once(site: Site) -> None:
    """Under `mkdocs serve` the workers start before any snippet needs
    them, so the first edit does not wait for mxnet to import."""
    site.write("docs/index.md", "# Prose only\n")
    site.build()
    assert site.plugin is not None
    assert site.plugin.runner is not None
    pool = site.plugin.runner.pool
    assert pool.warm
    deadline = time.monotonic() + 120
    while pool.started_workers < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.started_workers == 1


def test_reverting_an_edit_runs_nothing(site: Site) -> None:
    """Edit a module, build, undo the edit, build: the undo is a cache hit
    (every generation of a result is kept), and the page is as before."""
    site.build()
    first = site.html()
    helpers = (site.root / "snippets/helpers.py").read_text()
    site.write("snippets/helpers.py", helpers.replace("2 * x", "3 * x"))
    site.build()
    assert _ran(site) == 1  # only show_double executed double()
    site.write("snippets/helpers.py", helpers)
    site.build()
    assert _ran(site) == 0
    assert _without_build_date(site.html()) == _without_build_date(first)
    assert len(entries(site)) == 4  # three results, show_double's twice
