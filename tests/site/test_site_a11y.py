"""Accessibility: axe-core over every page, in both languages and schemes.

axe-core is vendored from the npm registry (tests/site/vendor/axe-core,
MPL-2.0, see its LICENSE) and injected into each page: nothing is
downloaded. A serious or critical violation fails the test, with the
rule, the elements and axe's explanation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.site.browsing import (
    logged_context,
    logged_page,
    search_links,
    visit,
)
from tests.site.site_helpers import (
    LANGUAGES,
    NOT_FOUND,
    PageLog,
    page_names,
    page_path,
    site_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
SCHEMES = ("light", "dark")


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, described."""
    page.evaluate("document.fonts.ready.then(() => true)")  # final layout
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (failing) => {
            const result = await axe.run(document, {
                resultTypes: ["violations"],
            });
            return result.violations
                .filter(rule => failing.includes(rule.impact))
                .map(rule => `${rule.impact} ${rule.id}: ${rule.help}\\n`
                    + rule.nodes.slice(0, 5).map(node =>
                        `  ${node.target.join(" ")}: `
                        + node.failureSummary.replace(/\\s+/g, " ")
                    ).join("\\n"));
        }""",
        list(FAILING),
    )
    return list(found)


@pytest.fixture(params=SCHEMES)
def scheme_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    base_url: str,
    page_log: PageLog,
) -> Iterator[Page]:
    """A page whose system colour scheme is light or dark."""
    context = logged_context(
        browser, base_url, page_log, color_scheme=request.param
    )
    yield logged_page(context, page_log)
    context.close()


@pytest.mark.parametrize("name", [*page_names(), NOT_FOUND])
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_has_no_serious_violation(
    scheme_page: Page, language: str, name: str
) -> None:
    """No serious or critical axe-core violation on the page."""
    visit(scheme_page, site_path(name, language))
    found = violations(scheme_page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_results_have_no_serious_violation(
    scheme_page: Page, language: str
) -> None:
    """The search dialog, open with results, has no serious violation."""
    visit(scheme_page, page_path("index", language))
    assert search_links(scheme_page, "softmax")
    found = violations(scheme_page)
    assert not found, "\n".join(found)
