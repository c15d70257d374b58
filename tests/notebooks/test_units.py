"""The parts of notebook support, one at a time: reading a notebook, the
per-cell protocol, the output pipe cut at each cell, the HTML made over."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from execnotes.core.protocol import CellResult, CodeCell, Outcome, SchemaError
from execnotes.pages import ipynb
from execnotes.plugin import notebook_html as nbhtml
from execnotes.worker import cells
from execnotes.worker.capture import OutputSink
from tests.notebooks.conftest import notebook

MARK = b"\0\x1bend-secret"
SEP = b"\0\x1bcell-secret"


# -- reading notebooks -----------------------------------------------------
def test_reads_cells_sources_and_inline_values() -> None:
    """Lists of lines are joined; values found outside code only."""
    text = notebook(
        ("md", "# T\n\nA {{ a }} and `{{ b }}`\n\n```\n{{ c }}\n```"),
        ("code", "a = 1"),
        ("md", 'Then {{ a:.2f }}, {{ d["k"][0].real }} and {{ a }}.'),
    )
    data = json.loads(text)
    data["cells"][1]["source"] = ["a = ", "1"]
    read = ipynb.read_notebook("p.ipynb", json.dumps(data))
    assert [c.kind for c in read.cells] == ["markdown", "code", "markdown"]
    assert read.cells[1].source == "a = 1"
    assert [v.expression for v in read.cells[0].values] == ["a"]
    assert [(v.expression, v.spec) for v in read.cells[2].values] == [
        ("a", ".2f"),
        ('d["k"][0].real', ""),
        ("a", ""),
    ]
    # Values after a code cell are evaluated once, after it, in an order
    # that does not depend on the prose (twins share one run).
    assert read.job_cells() == (CodeCell("a = 1", ("a", 'd["k"][0].real')),)
    assert read.problems == ()
    twin = notebook(
        ("code", "a = 1"), ("md", '{{ d["k"][0].real }}, {{ a:.1f }}')
    )
    assert ipynb.read_notebook("t.ipynb", twin).job_cells() == read.job_cells()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "it is not valid JSON"),
        ("[]", "it is not a JSON object"),
        ('{"nbformat": 3, "cells": []}', "nbformat 3 is not supported"),
        ('{"nbformat": 4}', "it has no list of 'cells'"),
        ('{"nbformat": 4, "cells": [1]}', "cell 1 is not a JSON object"),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "x"}]}',
            "cell 1: unknown cell_type 'x'",
        ),
        (
            '{"nbformat": 4, "cells": [{"cell_type": "code", "source": 1}]}',
            "cell 1: 'source' is not text",
        ),
    ],
)
def test_unreadable_notebooks_say_why(text: str, reason: str) -> None:
    """Each way a notebook cannot be read is named."""
    with pytest.raises(ipynb.NotebookError, match=reason):
        ipynb.read_notebook("p.ipynb", text)


def test_other_kernels_are_a_problem_not_a_run() -> None:
    """An R notebook is read, marked as not Python, with a problem."""
    data = json.loads(notebook(("code", "x <- 1")))
    data["metadata"]["kernelspec"]["language"] = "R"
    read = ipynb.read_notebook("r.ipynb", json.dumps(data))
    assert not read.runs_python
    assert read.problems[0][0] == 0
    assert "kernel runs 'R'" in read.problems[0][1]


# -- the protocol ----------------------------------------------------------
def test_outcome_with_cells_round_trips() -> None:
    """A notebook's outcome survives JSON (the cache) unchanged."""
    outcome = Outcome(
        status="error",
        cells=[
            CellResult("ok", "out\n", "2", ["<svg/>"], 0.5, {"x": 2.0}),
            CellResult("error", missing={"y": "NameError: y"}),
            CellResult("not run"),
        ],
    )
    again = Outcome.from_json(json.loads(json.dumps(outcome.to_json())))
    assert again == outcome
    assert again.failed_cell == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": "skipped"},
        {"output": None},
        {"figures": [1]},
        {"values": {"x": [1]}},
        {"missing": {"x": 1}},
        {"duration": -1.0},
        {"extra": 1},
    ],
)
def test_cell_results_of_the_wrong_shape_are_refused(
    change: dict[str, object],
) -> None:
    """A cell with a wrong field (from a child or the cache) is an error."""
    cell = asdict(CellResult("ok")) | change
    data = Outcome("ok").to_json() | {"cells": [cell]}
    with pytest.raises(SchemaError):
        Outcome.from_json(data)


def test_outcome_without_cells_is_refused() -> None:
    """An entry of the format before notebooks is not read as one."""
    data = Outcome("ok").to_json()
    del data["cells"]
    with pytest.raises(SchemaError):
        Outcome.from_json(data)


# -- the output pipe, cut at each cell -------------------------------------
def test_sink_cuts_at_each_separator_even_across_chunks() -> None:
    """Marks split between two reads still cut; the end mark ends it."""
    sink = OutputSink(1000, MARK, SEP)
    stream = b"pre" + SEP + b"one\n" + SEP + "二\n".encode() + MARK + b"late"
    for at in range(0, len(stream), 5):
        sink.feed(stream[at : at + 5])
    sink.close()
    assert sink.segments() == ["pre", "one\n", "二\n"]
    assert sink.text() == "preone\n二\n"


def test_sink_limit_counts_every_cell() -> None:
    """The output limit holds for the notebook as a whole."""
    sink = OutputSink(5, MARK, SEP)
    sink.feed(SEP + b"abcd" + SEP + b"efgh" + MARK)
    assert sink.segments() == ["", "abcd", "e"]
    assert sink.total == 8


def test_cells_of_a_run_that_died_name_the_cell_it_was_in() -> None:
    """Started cells keep their output, the last one failed, the rest did
    not run; what came before the first cell is kept with it."""
    found = cells.with_outputs(4, ["x", "a", "b"], None)
    assert [(c["status"], c["output"]) for c in found] == [
        ("ok", "xa"),
        ("error", "b"),
        ("not run", ""),
        ("not run", ""),
    ]
    assert cells.with_outputs(2, [""], None)[0]["status"] == "not run"


# -- the page's HTML ---------------------------------------------------------
RENDERED = (
    '<style type="text/css">.jp{}</style>\n<script>x()</script>\n'
    '<div class="jupyter-wrapper">\n<div class="jp-Notebook">\n'
    '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell" id="cell-id=a">\n'
    '<div class="jp-Cell-inputWrapper" tabindex="0">\n'
    '<div class="jp-Collapser jp-InputCollapser">\n</div>\n'
    '<div class="jp-InputArea jp-Cell-inputArea">'
    '<div class="jp-InputPrompt jp-InputArea-prompt">\n</div>'
    '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown" data-x="y">\n'
    '<h1 id="">损失 <code>L</code><a class="anchor-link" href="#">¶</a></h1>'
    '<h2 id="">损失<a class="anchor-link" href="#">¶</a></h2>\n'
    "<div>raw html</div>\n</div>\n</div>\n</div>\n</div>"
    '<div class="jp-Cell jp-CodeCell jp-Notebook-cell">\n'
    '<div class="jp-InputPrompt jp-InputArea-prompt">In [1]:</div>'
    '<div class="zeroclipboard-container">\n<clipboard-copy for="cell-1">'
    "<div>x</div></clipboard-copy>\n</div>\n"
    '<div class="highlight-ipynb hl-python"><pre><span></span>'
    '<span class="n">x</span>\n</pre></div>\n'
    '<div class="clipboard-copy-txt" id="cell-1">x</div>\n</div>\n'
    "</div> <!-- jp-Notebook -->\n</div> <!-- jupyter-wrapper -->"
)


def test_tidy_makes_the_notebook_a_page_of_the_site() -> None:
    """No style, script or copy widget; Markdown cells unwrapped; code in
    the theme's markup; ids by the site's slugify, unique, in the toc."""
    html, toc = nbhtml.tidy(RENDERED, lambda text, sep: text.replace(" ", sep))
    assert "<style" not in html
    assert "<script" not in html
    assert "clipboard" not in html
    assert "jp-MarkdownCell" not in html
    assert (
        '<div class="language-python highlight"><pre><span></span><code>'
        '<span class="n">x</span>\n</code></pre></div>'
    ) in html
    assert '<h1 id="损失-L">损失 <code>L</code><a class="headerlink" ' in html
    assert '<h2 id="损失">' in html
    assert "<div>raw html</div>" in html
    assert (
        'jp-InputPrompt jp-InputArea-prompt" data-search-exclude>In [1]'
        in (html)
    )
    assert [(t["id"], t["level"]) for t in toc] == [("损失-L", 1)]
    assert [c["id"] for c in toc[0]["children"]] == ["损失"]


def test_tidy_marks_math_up_as_the_sites_other_pages() -> None:
    """Jupyter's $ and $$ become arithmatex's markup (the site's KaTeX
    renders it, search indexes it as text); dollars in code stay."""
    cell = RENDERED.replace(
        "<div>raw html</div>",
        "<p>loss $\\hat y - y$ and $1-\\eta =$ 0.5, price \\$3</p>\n"
        "<p>$$\\sum_i x_i$$</p>\n<p>a <code>$HOME</code> b</p>"
        "<pre>echo $x $y</pre><p>inline $$a$$ here</p>",
    )
    html, _ = nbhtml.tidy(cell, lambda text, sep: text)
    assert (
        '<p>loss <span class="arithmatex">\\(\\hat y - y\\)</span> and '
        '<span class="arithmatex">\\(1-\\eta =\\)</span> 0.5, price \\$3</p>'
    ) in html
    assert '<div class="arithmatex">\\[\\sum_i x_i\\]</div>' in html
    assert "<code>$HOME</code>" in html
    assert "<pre>echo $x $y</pre>" in html
    assert '<p>inline <span class="arithmatex">\\[a\\]</span> here</p>' in html


def test_code_cells_get_their_copy_runnable_text() -> None:
    """Each code cell's code becomes a block with its runnable text; with
    a text count that does not match the cells, the page is unchanged."""
    cell = RENDERED.replace(
        '<div class="highlight-ipynb',
        '<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" '
        'data-type="inline">\n<div class="CodeMirror cm-s-jupyter">\n'
        '<div class="highlight-ipynb',
    )
    html, _ = nbhtml.tidy(cell, lambda text, sep: text)
    closing = '<pre class="execnotes-runnable" hidden>x = 1</pre></div>'
    made = nbhtml.with_runnables(html, [closing])
    assert (
        '<div class="execnotes-code"><div class="language-python highlight">'
        '<pre><span></span><code><span class="n">x</span>\n</code></pre>'
        f"</div>{closing}"
    ) in made
    assert nbhtml.with_runnables(html, [closing, closing]) == html
    assert nbhtml.with_runnables(html, []) == html
