"""Reading the site: on a phone, one language per page, line breaks.

Browser tests over every page of both languages (and the 404 pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.site.browsing import logged_context, logged_page, visit
from tests.site.site_helpers import (
    LANGUAGES,
    NOT_FOUND,
    PageLog,
    page_names,
    page_path,
    site_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15 in portrait
# Widths at which Chinese lines are checked: small phone, phone, tablet,
# laptop (a line that starts with "。" depends on where lines happen to end).
WIDTHS = (320, 390, 768, 1280)
# Names that are the same in every language (checked as whole strings).
PROPER_NAMES = {"Material for MkDocs"}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Every element of the article whose box reaches past the viewport's left
# or right edge, unless an ancestor inside the viewport clips it: a scroll
# box (if the element is not cut off on its left, where no scrolling
# reaches) or a box that hides its overflow.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const inside = rect => rect.left >= -0.5 && rect.right <= width + 0.5;
    const clip = element => {
        const left = element.getBoundingClientRect().left;
        for (let box = element.parentElement;
             box && box !== document.body; box = box.parentElement) {
            const overflow = getComputedStyle(box).overflowX;
            const rect = box.getBoundingClientRect();
            if (overflow === "visible" || !inside(rect)) { continue; }
            const scrolls = overflow === "auto" || overflow === "scroll";
            return !scrolls || left >= rect.left - 0.5;
        }
        return false;
    };
    const found = [];
    for (const element of document.querySelectorAll("article *")) {
        const rect = element.getBoundingClientRect();
        if (rect.width === 0 || inside(rect) || clip(element)) { continue; }
        found.push(`${element.tagName.toLowerCase()}.${element.classList}`
                   + ` ${Math.round(rect.left)}..${Math.round(rect.right)}`
                   + `: ${(element.textContent || "").slice(0, 60)}`);
    }
    if (document.documentElement.scrollWidth > width) {
        found.push(`the page scrolls sideways`);
    }
    return found;
}"""

# Table cells whose text is (partly) out of sight on the right, past the
# table's scroll box or the viewport: a hidden column.
HIDDEN_CELLS = """() => {
    const width = document.documentElement.clientWidth;
    const visibleRight = table => {
        for (let box = table.parentElement;
             box && box !== document.body; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== "visible") {
                return Math.min(box.getBoundingClientRect().right, width);
            }
        }
        return width;
    };
    const found = [];
    for (const table of document.querySelectorAll("article table")) {
        const right = visibleRight(table);
        for (const cell of table.querySelectorAll("td")) {
            const walker = document.createTreeWalker(
                cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node;
                 node = walker.nextNode()) {
                if (node.parentElement.closest(".katex-mathml")) {
                    continue;  // MathML for screen readers, not shown
                }
                const range = document.createRange();
                range.selectNodeContents(node);
                const rect = range.getBoundingClientRect();
                if (rect.width > 0 && rect.right > right + 0.5) {
                    found.push(cell.textContent.trim().slice(0, 40));
                    break;
                }
            }
        }
    }
    return found;
}"""

# Punctuation that starts a visual line in the article, with what
# precedes it in the text.
LINE_STARTS = """() => {
    const closing = /[。，、；：！？）」』】》]/;
    const found = [];
    const walker = document.createTreeWalker(
        document.querySelector("article"), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.data.length; i++) {
            if (!closing.test(node.data[i])) { continue; }
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const mark = range.getClientRects()[0];
            if (i > 0) { range.setStart(node, i - 1); range.setEnd(node, i); }
            else if (node.previousSibling) {
                range.selectNode(node.previousSibling);
            } else { continue; }
            const before = [...range.getClientRects()].pop();
            if (mark && before && mark.top > before.top + before.height / 2) {
                found.push(range.toString().slice(-20) + node.data[i]);
            }
        }
    }
    return found;
}"""

# The page's own interface text: titles, labels and placeholders, and the
# text of buttons, labels, the search dialog and the footer's credit; not
# code, formulas, the names of languages in the language selector, or
# titles of pages, sections and tabs (content, also as the names of the
# navigation of a section).
UI_TEXT = """() => {
    const skip = "pre, code, .katex, .md-select__list, .tabbed-labels, "
        + ".md-nav__link, .md-nav__item .md-nav";
    const strings = new Set();
    for (const element of document.querySelectorAll("*")) {
        if (element.closest(skip)) { continue; }
        for (const name of ["title", "aria-label", "placeholder"]) {
            const value = element.getAttribute(name);
            if (value && value.trim()) { strings.add(value.trim()); }
        }
    }
    const chrome = "button, label, .md-search, .md-copyright, .md-top";
    for (const element of document.querySelectorAll(chrome)) {
        const walker = document.createTreeWalker(
            element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.data.trim() && !node.parentElement.closest(skip)) {
                strings.add(node.data.trim());
            }
        }
    }
    return [...strings];
}"""

# Material adds each code block's copy button once the block is shown.
SHOW_CODE_BLOCKS = """async () => {
    for (const block of document.querySelectorAll("article pre")) {
        block.scrollIntoView();
        await new Promise(done => requestAnimationFrame(done));
    }
}"""


@pytest.fixture
def phone(
    browser: Browser, base_url: str, page_log: PageLog
) -> Iterator[Page]:
    """A page on a phone's screen (390 px wide, touch)."""
    context = logged_context(
        browser,
        base_url,
        page_log,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    yield logged_page(context, page_log)
    context.close()


@pytest.mark.parametrize("name", [*page_names(), NOT_FOUND])
@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_is_wider_than_a_phone(
    phone: Page, language: str, name: str
) -> None:
    """On a phone, nothing sticks out, and every table column is in sight."""
    visit(phone, site_path(name, language))
    assert phone.evaluate(OVERFLOWING) == []
    assert phone.evaluate(HIDDEN_CELLS) == []


@pytest.mark.parametrize("name", page_names())
def test_no_chinese_line_starts_with_punctuation(
    page: Page, name: str
) -> None:
    """No line of a Chinese page starts with a full stop "。" or the like."""
    visit(page, page_path(name, "zh"))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(LINE_STARTS) == [], f"{width} px wide"


@pytest.mark.parametrize("name", [*page_names(), NOT_FOUND])
@pytest.mark.parametrize("language", LANGUAGES)
def test_interface_is_in_the_page_language(
    page: Page, language: str, name: str
) -> None:
    """Titles, labels and buttons are all in the page's language."""
    visit(page, site_path(name, language))
    page.evaluate(SHOW_CODE_BLOCKS)
    strings = set(page.evaluate(UI_TEXT)) - PROPER_NAMES
    assert strings
    if language == "zh":
        foreign = [text for text in strings if not HAN.search(text)]
    else:
        foreign = [text for text in strings if HAN.search(text)]
    assert not foreign
