/*
 * Search results as a reader reads, copies and follows them
 * (tests/site/test_reader_search.py). Material renders the results after
 * each keystroke, so each list is mended as it appears.
 *
 * 1. No U+200B. Material segments Chinese with jieba at build time and
 *    joins the words with U+200B, which the index needs; shown in result
 *    titles and previews, it was copied along with their text.
 * 2. No empty `?h=`. A result found only through the glossary's keywords
 *    field (overrides/hooks/search_index.py) has no word that Material
 *    counts as matched, so its link carried an empty `?h=` and nothing
 *    was highlighted on the page: it highlights the words of the query.
 */
(function () {
  "use strict";

  var ZWSP = /\u200b/g;

  function withoutZwsp(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeValue.indexOf("\u200b") >= 0) {
        node.nodeValue = node.nodeValue.replace(ZWSP, "");
      }
    }
  }

  function queryWords() {
    var input = document.querySelector("input.md-search__input");
    return input ? input.value.trim().split(/\s+/).filter(Boolean) : [];
  }

  function highlighted(root) {
    var words = queryWords().join(" ");
    var links = root.querySelectorAll("a.md-search-result__link");
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, document.baseURI);
      if (url.searchParams.has("h") && !url.searchParams.get("h")) {
        if (words) {
          url.searchParams.set("h", words);
        } else {
          url.searchParams.delete("h");
        }
        links[i].href = url.href;
      }
    }
  }

  function mend(root) {
    withoutZwsp(root);
    highlighted(root);
  }

  var list = document.querySelector(".md-search-result__list");
  if (!list) {
    return;
  }
  new MutationObserver(function () {
    mend(list);
  }).observe(list, { childList: true, subtree: true });
})();
