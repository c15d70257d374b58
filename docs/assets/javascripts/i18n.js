/*
 * Material for MkDocs, adapted to this bilingual (zh + en) site.
 *
 * Loaded by overrides/main.html BEFORE Material's bundle, because the
 * bundle starts its search worker and its language-selector helper as soon
 * as it runs. Each part below is independent; if Material changes what a
 * part relies on, that part does nothing and the site works as stock
 * Material does.
 *
 * 1. Results in the reader's language first. mkdocs-static-i18n writes ONE
 *    search index for both languages (English locations start with "en/").
 *    The bundle posts it to the worker as {type: 0, data: {docs, ...}}; the
 *    worker adds each doc to lunr with {boost: doc.boost}, and lunr
 *    multiplies all of a document's scores by it. We boost the documents in
 *    the page's language: the other language still matches, listed after.
 *
 * 2. Whole Chinese terms in queries. The worker splits each run of Han
 *    characters in a query into index terms, but never tries a slice that
 *    ends at the run's last character: "权重衰减" becomes "权重" and the last
 *    word of "权重衰减的学习率" is dropped. When a run starts with a known
 *    term, we append one Han character to it, which that splitter never
 *    keeps, so every word of the run, up to the end, can be found.
 *
 * 3. Code names as one term. The index splits `nd.pick` and `batch_size`
 *    into words, and a query is an OR of its words, so `nd.pick` ranked
 *    first the page with the most `nd`s. A query word that is a dotted or
 *    underscored name becomes its parts, each required, the last one as
 *    typed so far (`+nd +pick*`) and, ranked higher, as a whole word
 *    (`pick^10`): otherwise a rare longer word ("picks") would outrank it.
 *
 * 4. No requests for per-page sitemaps. For every <link rel="alternate">
 *    Material fetches "<href>/sitemap.xml", made for sites with one sub-site
 *    per language. mkdocs-static-i18n points those links at the twin page
 *    (e.g. /en/losses/), so each page load requested a missing
 *    /en/losses/sitemap.xml. The header's language selector (<a hreflang>)
 *    already links the twin page, so the <link> elements, kept in the HTML
 *    for crawlers, are removed from the live page.
 */
(function () {
  "use strict";

  var SETUP = 0; /* Material's SearchMessageType.SETUP */
  var QUERY = 2; /* Material's SearchMessageType.QUERY */
  /* Dwarfs any ratio of two lunr scores, including Material's field boosts
     (a title match counts 1e3 times a text match, a tag match 1e6 times). */
  var BOOST = 1e9;
  var HAN_RUN = /\p{sc=Han}+/gu;
  var HAN_WORD = /^\p{sc=Han}{2,}$/u; /* lunr.zh's stop words are 1 char */
  var SENTINEL = "\u4e00";

  var element = document.getElementById("__i18n");
  var settings = element ? JSON.parse(element.textContent) : null;

  /* Part 4 */
  var alternates = document.querySelectorAll("head link[rel=alternate][hreflang]");
  for (var i = 0; i < alternates.length; i++) {
    alternates[i].remove();
  }

  if (typeof Worker === "undefined") {
    return;
  }

  /* Part 1 */
  function languageOf(location) {
    var first = location.split("/")[0];
    var isOther =
      first !== settings.default && settings.languages.indexOf(first) >= 0;
    return isOther ? first : settings.default;
  }

  function boosted(doc) {
    if (!settings || languageOf(doc.location) !== settings.current) {
      return doc;
    }
    return Object.assign({}, doc, { boost: (doc.boost || 1) * BOOST });
  }

  /* Part 2 */
  var hanWords = new Set();

  function collectHanWords(index) {
    var separator = new RegExp(index.config.separator, "g");
    index.docs.forEach(function (doc) {
      var text = [doc.title, doc.text].concat(doc.tags || []).join(" ");
      text
        .replace(/<[^>]*>/g, " ")
        .split(separator)
        .forEach(function (token) {
          if (HAN_WORD.test(token)) {
            hanWords.add(token);
          }
        });
    });
  }

  function startsWithWord(run) {
    for (var end = run.length; end >= 2; end--) {
      if (hanWords.has(run.slice(0, end))) {
        return true;
      }
    }
    return false;
  }

  function wholeTerms(query) {
    return query.replace(HAN_RUN, function (run) {
      return startsWithWord(run) ? run + SENTINEL : run;
    });
  }

  /* Part 3 */
  var CODE_NAME = /^[A-Za-z]\w*(?:[._][A-Za-z0-9]\w*)+$/;

  function codeNames(query) {
    return query
      .split(/(\s+)/)
      .map(function (word) {
        if (!CODE_NAME.test(word)) {
          return word;
        }
        var parts = word.split(/[._]+/).filter(Boolean);
        var last = parts.pop();
        return parts
          .map(function (part) {
            return "+" + part;
          })
          .concat(["+" + last + "*", last + "^10"])
          .join(" ");
      })
      .join("");
  }

  function rewritten(message) {
    if (!message || !message.data) {
      return message;
    }
    if (message.type === SETUP && Array.isArray(message.data.docs)) {
      collectHanWords(message.data);
      var data = Object.assign({}, message.data, {
        docs: message.data.docs.map(boosted),
      });
      return Object.assign({}, message, { data: data });
    }
    if (message.type === QUERY && typeof message.data === "string") {
      var query = codeNames(wholeTerms(message.data));
      return Object.assign({}, message, { data: query });
    }
    return message;
  }

  var postMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message) {
    var args = Array.prototype.slice.call(arguments);
    try {
      args[0] = rewritten(message);
    } catch (error) {
      console.warn("i18n.js: search left unchanged:", error);
    }
    return postMessage.apply(this, args);
  };
})();
