/*
 * Render the math that pymdownx.arithmatex (generic mode) leaves in the
 * page: <span class="arithmatex">\(...\)</span> inline and
 * <div class="arithmatex">\[...\]</div> for display math. KaTeX and its
 * auto-render extension are vendored in assets/katex/ (no CDN).
 *
 * Material's `document$` emits on the first load and after every instant
 * navigation, so subscribing to it keeps math rendered if instant loading
 * is ever turned on.
 */
(function () {
  "use strict";

  var options = {
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  };

  /* A display formula wider than the column scrolls in its own box
     (extra.css). Keyboard users scroll a box by focusing it, so such a
     box, and only such a box, is focusable. It is checked again once
     KaTeX's fonts have loaded (they widen the formulas) and whenever the
     box changes size (a window resized, a phone turned). */
  var resized =
    typeof ResizeObserver === "undefined"
      ? null
      : new ResizeObserver(function (entries) {
          entries.forEach(function (entry) {
            focusableIfScrolling(entry.target);
          });
        });

  function focusableIfScrolling(box) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
    } else {
      box.removeAttribute("tabindex");
    }
  }

  function renderMath() {
    var elements = document.querySelectorAll(".arithmatex");
    for (var i = 0; i < elements.length; i++) {
      renderMathInElement(elements[i], options);
    }
    var boxes = document.querySelectorAll("div.arithmatex");
    boxes.forEach(function (box) {
      focusableIfScrolling(box);
      if (resized) {
        resized.observe(box);
      }
    });
    if (document.fonts) {
      document.fonts.ready.then(function () {
        boxes.forEach(focusableIfScrolling);
      });
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderMath);
  } else {
    document.addEventListener("DOMContentLoaded", renderMath);
  }
})();
