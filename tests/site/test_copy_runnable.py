"""Copying code, following code links and reading outputs in a browser
(Debian's Chromium through playwright), as issue 8 asks."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.site.site_helpers import page_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLOCK = "div.execnotes-code"
COPY_RUNNABLE = ".execnotes-copy-runnable"
LABELS = {
    "zh": ("复制可运行版本", "已复制"),
    "en": ("Copy runnable", "Copied"),
}


def visit(page: Page, path: str) -> None:
    """Open a site path and wait for Material and the plugin's script."""
    page.goto(path, wait_until="load")
    page.wait_for_function("typeof document$ !== 'undefined'")
    page.wait_for_selector(COPY_RUNNABLE)


def clipboard(page: Page) -> str:
    """The clipboard's text."""
    return str(page.evaluate("navigator.clipboard.readText()"))


@pytest.mark.parametrize(
    ("name", "language", "index"),
    [("training", "zh", 3), ("losses", "en", 0), ("fashion-mnist", "zh", 1)],
)
def test_both_copy_actions_copy_what_they_say(
    context: BrowserContext,
    page: Page,
    base_url: str,
    name: str,
    language: str,
    index: int,
) -> None:
    """Material's button copies the code as shown; "copy runnable" copies
    the hidden standalone text, which holds no snippets import, and says
    it did."""
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/")
    )
    visit(page, page_path(name, language))
    block = page.locator(BLOCK).nth(index)
    block.scroll_into_view_if_needed()
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    shown = block.locator(".highlight code").text_content() or ""
    assert clipboard(page).rstrip() == shown.rstrip()
    button = block.locator(COPY_RUNNABLE)
    label, done = LABELS[language]
    assert button.inner_text() == label
    button.click()
    runnable = block.locator("pre.execnotes-runnable").text_content() or ""
    assert clipboard(page) == runnable
    assert button.inner_text() == done
    assert "from snippets" not in runnable
    definition = next(
        line for line in shown.splitlines() if line.startswith("def ")
    )
    assert definition in runnable
    assert len(runnable) > len(shown) or "from snippets" not in shown


def test_cross_link_opens_the_definition(page: Page) -> None:
    """A name in shown code opens the block that defines it."""
    visit(page, page_path("training", "zh"))
    link = page.locator(f"{BLOCK} a.execnotes-xref", has_text="data_iter")
    link.first.click()
    page.wait_for_load_state("load")
    url = urlsplit(page.url)
    assert url.path == "/" + page_path("minibatches", "zh")
    anchor = page.locator(f"[id='{unquote(url.fragment)}']")
    block = anchor.locator("xpath=..")
    assert "execnotes-code" in (block.get_attribute("class") or "")
    assert "def data_iter(" in (block.locator("code").text_content() or "")
    assert block.locator(".highlight").is_visible()
    assert anchor.evaluate("a => a.getBoundingClientRect().top") < 200


def styles(page: Page, selector: str) -> tuple[str, str]:
    """Background and left border colours of an element."""
    found = page.evaluate(
        """selector => {
            const style = getComputedStyle(document.querySelector(selector));
            return [style.backgroundColor, style.borderLeftColor];
        }""",
        selector,
    )
    return found[0], found[1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_output_looks_unlike_code(
    browser: Browser, base_url: str, scheme: str
) -> None:
    """In both colour schemes printed output has its own background and
    a coloured edge, unlike the code above it, and a visible label."""
    context = browser.new_context(base_url=base_url, color_scheme=scheme)
    try:
        page = context.new_page()
        visit(page, page_path("sgd", "en"))
        code_bg, _ = styles(page, f"{BLOCK} .highlight pre > code")
        output_bg, output_edge = styles(page, ".execnotes-output > code")
        assert output_bg != code_bg
        assert output_edge not in ("rgba(0, 0, 0, 0)", output_bg)
        label = page.locator(".execnotes-result .execnotes-label").first
        assert label.is_visible()
        assert label.inner_text().lower() == "output"
    finally:
        context.close()


def test_long_output_stays_clear_of_the_copy_button(
    browser: Browser, base_url: str
) -> None:
    """On a phone-wide screen long output lines wrap inside their box and
    no line runs under Material's copy button."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 360, "height": 740}
    )
    try:
        page = context.new_page()
        visit(page, page_path("sgd", "en"))
        # Outputs in folded exercise solutions are not on screen.
        outputs = page.locator(".execnotes-output:visible")
        assert outputs.count() > 0
        for number in range(outputs.count()):
            output = outputs.nth(number)
            output.scroll_into_view_if_needed()
            output.hover()
            overlaps = output.evaluate(
                """pre => {
                    const code = pre.querySelector("code");
                    const button = pre.querySelector(".md-code__button");
                    const box = button.getBoundingClientRect();
                    const range = document.createRange();
                    range.selectNodeContents(code);
                    const lines = [...range.getClientRects()];
                    const hit = lines.filter(r => r.right > box.left
                        && r.left < box.right && r.bottom > box.top
                        && r.top < box.bottom && r.width > 0);
                    return [hit.length, code.scrollWidth - code.clientWidth];
                }"""
            )
            assert overlaps == [0, 0], f"output {number}: {overlaps}"
    finally:
        context.close()
