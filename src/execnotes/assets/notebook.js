/*
 * execnotes: math in the Markdown cells of notebook pages.
 *
 * Jupyter writes math between $ and $$; the plugin marks it up as
 * pymdownx.arithmatex does (\(...\) and \[...\] in an "arithmatex"
 * element). The site's KaTeX (its auto-render extension, if the site
 * loads it) renders it here, never inside code or outputs; on a site that
 * renders arithmatex's math itself, what is rendered is not rendered again.
 */
(() => {
  "use strict";

  const options = {
    delimiters: [
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
