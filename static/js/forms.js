// Forms on every page: a refused form's error summary takes the focus, so a screen
// reader reads it first, and its links move the focus to the field concerned.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-link]");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    // A field in a hidden step: the step's owner (initiative_form.js) opens it first.
    target.dispatchEvent(new CustomEvent("reveal", { bubbles: true }));
    target.focus();
    target.scrollIntoView({ block: "center" });
  });
})();
