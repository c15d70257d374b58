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

  function renderMath() {
    var elements = document.querySelectorAll(".arithmatex");
    for (var i = 0; i < elements.length; i++) {
      renderMathInElement(elements[i], options);
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderMath);
  } else {
    document.addEventListener("DOMContentLoaded", renderMath);
  }
})();
