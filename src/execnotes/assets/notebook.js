/*
 * execnotes: math in the Markdown cells of notebook pages.
 *
 * Jupyter writes math between $ and $$, which the page keeps as text;
 * the site's KaTeX (its auto-render extension, if the site loads it)
 * renders it, never inside code or outputs.
 */
(() => {
  "use strict";

  const options = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    ignoredClasses: ["jp-OutputArea", "highlight"],
    throwOnError: false,
  };

  function renderMath() {
    if (typeof renderMathInElement !== "function") {
      return;
    }
    for (const notebook of document.querySelectorAll(".jupyter-wrapper")) {
      renderMathInElement(notebook, options);
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(renderMath);
  } else {
    document.addEventListener("DOMContentLoaded", renderMath);
  }
})();
