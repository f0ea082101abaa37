/* Moderation queue: keyboard shortcuts and scrolling the copied passages into view.
 * Queue page: j/k next/previous row, Enter or o opens it, c claims it, Space selects it.
 * Case page: j/k next/previous item, a approve, r return, x reject, c claim,
 * Ctrl+Enter sends the decision. Keys are ignored while typing in a field.
 * Single-key shortcuts can be turned off (WCAG 2.1.4): a switch on the page, remembered
 * in this browser. */
(function () {
  "use strict";

  var STORAGE_KEY = "review-shortcuts";

  function shortcutsOn() {
    try { return window.localStorage.getItem(STORAGE_KEY) !== "off"; } catch (e) { return true; }
  }

  function initToggle() {
    document.querySelectorAll("[data-shortcuts-toggle]").forEach(function (box) {
      box.checked = shortcutsOn();
      box.addEventListener("change", function () {
        try { window.localStorage.setItem(STORAGE_KEY, box.checked ? "on" : "off"); } catch (e) { /* private mode */ }
        document.documentElement.dataset.reviewShortcuts = box.checked ? "on" : "off";
      });
    });
    document.documentElement.dataset.reviewShortcuts = shortcutsOn() ? "on" : "off";
  }

  function typing(event) {
    var el = event.target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  /* Each pane scrolls itself to its first copied passage. */
  function scrollPassages(root) {
    (root || document).querySelectorAll(".pane").forEach(function (pane) {
      var mark = pane.querySelector("mark[data-first]") || pane.querySelector("mark");
      if (mark) pane.scrollTop = Math.max(0, mark.offsetTop - pane.clientHeight / 4);
    });
  }

  function initQueue(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-case-url]"));
    var current = -1;
    function select(index) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
      rows[current].scrollIntoView({ block: "nearest" });
      var link = rows[current].querySelector(".case-link");
      if (link) link.focus({ preventScroll: true });
    }
    document.addEventListener("keydown", function (event) {
      if (!shortcutsOn() || typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      var row = rows[current];
      if (event.key === "j") { select(current + 1); event.preventDefault(); }
      else if (event.key === "k") { select(current - 1); event.preventDefault(); }
      else if ((event.key === "o" || event.key === "Enter") && row) {
        window.location.href = row.dataset.caseUrl; event.preventDefault();
      } else if (event.key === "c" && row) {
        var button = row.querySelector(".claim-button");
        if (button) button.click();
        event.preventDefault();
      } else if (event.key === " " && row) {
        var box = row.querySelector("input[type=checkbox]");
        if (box) box.checked = !box.checked;
        event.preventDefault();
      }
    });
  }

  function initCase() {
    scrollPassages(document);
    function choose(value) {
      var radio = document.querySelector("#decide-form input[name=decision][value=" + value + "]");
      if (!radio) return;
      radio.checked = true;
      var target = value === "approve"
        ? document.querySelector("#decide-form [data-testid=decide-submit]")
        : document.getElementById("reason");
      if (target) { target.scrollIntoView({ block: "center" }); target.focus(); }
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "reason") {
        var form = document.getElementById("decide-form");
        if (form) { form.requestSubmit(); event.preventDefault(); }
        return;
      }
      if (!shortcutsOn() || typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      var keys = { a: "approve", r: "return", x: "reject" };
      if (keys[event.key]) { choose(keys[event.key]); event.preventDefault(); return; }
      if (event.key === "j" || event.key === "k") {
        var link = document.querySelector(event.key === "j" ? "[data-nav=next]" : "[data-nav=prev]");
        if (link) { window.location.href = link.href; event.preventDefault(); }
      } else if (event.key === "c") {
        var claim = document.querySelector("#claim-panel .claim-button");
        if (claim) { claim.click(); event.preventDefault(); }
      }
    });
    /* A common reason picked from the list fills the reason box (it stays editable). */
    document.addEventListener("change", function (event) {
      if (event.target.id !== "common-reason") return;
      var reason = document.getElementById("reason");
      if (reason && event.target.value) reason.value = event.target.value;
      var group = event.target.selectedOptions[0] && event.target.selectedOptions[0].parentNode;
      if (group && group.dataset && group.dataset.decision) {
        var radio = document.querySelector("#decide-form input[name=decision][value=" + group.dataset.decision + "]");
        if (radio) radio.checked = true;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initToggle();
    var table = document.querySelector("table.review-queue");
    if (table) initQueue(table);
    if (document.getElementById("decide-panel")) initCase();
    document.documentElement.dataset.reviewReady = "1";  /* shortcuts are live */
  });
})();
