/*
 * Two fixes to Material's page found by axe-core
 * (tests/site/test_site_a11y.py):
 *
 * 1. The search dialog (role=dialog) is named after its search box.
 * 2. The toolbar Material adds to each code block (the copy button) is a
 *    <nav>: a page with several code blocks had several navigation
 *    landmarks, none named. It navigates nowhere, so it is no landmark
 *    (role=none); its buttons keep their own names.
 *
 * Material adds the toolbars after the page has loaded, so each one is
 * changed as it appears.
 */
(function () {
  "use strict";

  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    var input = document.querySelector(".md-search__input");
    if (dialog && input && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", input.getAttribute("aria-label"));
    }
  }

  function unmarkCodeToolbars(root) {
    var toolbars = root.querySelectorAll("nav.md-code__nav");
    for (var i = 0; i < toolbars.length; i++) {
      toolbars[i].setAttribute("role", "none");
    }
  }

  nameSearchDialog();
  unmarkCodeToolbars(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          unmarkCodeToolbars(node.parentNode || node);
        }
      });
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
