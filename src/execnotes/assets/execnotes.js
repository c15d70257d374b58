/*
 * execnotes: the "Copy runnable" action of the code blocks it embeds.
 *
 * Each block (div.execnotes-code) keeps, hidden, the text to copy: the
 * shown code with the project code it needs inlined, so that it runs
 * without the snippets package (pre.execnotes-runnable, written by the
 * plugin with its label in the page's language). Material's own copy
 * button still copies the code as shown.
 */
(() => {
  "use strict";

  const RESET_MS = 2000;

  function addButton(block) {
    const runnable = block.querySelector(":scope > pre.execnotes-runnable");
    if (!runnable || block.querySelector(".execnotes-copy-runnable")) {
      return;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "execnotes-copy-runnable";
    button.title = runnable.dataset.title;
    const label = document.createElement("span");
    label.setAttribute("aria-live", "polite");
    label.textContent = runnable.dataset.label;
    button.append(label);
    button.addEventListener("click", () => copy(label, runnable));
    // In the block's title bar, away from Material's copy button; a block
    // without a title (a notebook page's code cell) gets an empty bar, so
    // the action sits where it does on every other page.
    titleBar(block).append(button);
  }

  function titleBar(block) {
    const found = block.querySelector(".highlight > .filename");
    const highlight = block.querySelector(".highlight");
    if (found || !highlight) {
      return found || block;
    }
    const bar = document.createElement("span");
    bar.className = "filename execnotes-untitled";
    highlight.prepend(bar);
    return bar;
  }

  async function copy(label, runnable) {
    try {
      await navigator.clipboard.writeText(runnable.textContent);
      label.textContent = runnable.dataset.copied;
    } catch (error) {
      label.textContent = `${runnable.dataset.label}: ${error.name}`;
    }
    setTimeout(() => {
      label.textContent = runnable.dataset.label;
    }, RESET_MS);
  }

  function enhance() {
    document.querySelectorAll("div.execnotes-code").forEach(addButton);
  }

  // Material re-renders the content on instant navigation (document$).
  if (typeof document$ !== "undefined") {
    document$.subscribe(enhance);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
