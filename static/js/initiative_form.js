// The initiative form, progressively enhanced: without this file it is one long page
// of fieldsets that works; with it, one step at a time on a phone, authors can be
// added in place, the contribution total is shown live, and step 5 shows a review.
(function () {
  "use strict";
  var form = document.getElementById("initiative-form");
  if (!form) return;

  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
  var stepper = document.querySelector("[data-stepper]");
  var stepInput = form.querySelector("[data-step-input]");
  var prev = form.querySelector("[data-prev]");
  var next = form.querySelector("[data-next]");
  var submit = form.querySelector("[data-submit]");
  var current = parseInt(form.dataset.step, 10) || 1;
  var language = document.documentElement.lang || "vi";
  var locale = language.indexOf("vi") === 0 ? "vi-VN" : language;

  function formatNumber(value) {
    return Number(value).toLocaleString(locale);
  }

  // "2025-03-01" from a date input, as people write dates here: 01/03/2025 in Vietnamese.
  function formatDate(iso) {
    var parts = iso.split("-");
    if (parts.length !== 3) return iso;
    var date = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric" }).format(date);
  }

  function show(number) {
    current = Math.min(Math.max(number, 1), steps.length);
    steps.forEach(function (step) {
      step.hidden = parseInt(step.dataset.step, 10) !== current;
    });
    stepper.querySelectorAll("[data-goto]").forEach(function (button) {
      var n = parseInt(button.dataset.goto, 10);
      button.setAttribute("aria-current", n === current ? "step" : "false");
      button.classList.toggle("done", n < current);
    });
    stepInput.value = current;
    prev.hidden = current === 1;
    next.hidden = current === steps.length;
    submit.hidden = current !== steps.length;
    if (current === steps.length) buildReview();
  }

  // Focus moves to the new step's heading, so a screen reader announces it and the
  // keyboard continues from there (not from the top of the page).
  function go(number) {
    show(number);
    var legend = steps[current - 1].querySelector("legend");
    legend.setAttribute("tabindex", "-1");
    legend.focus({ preventScroll: true });
    stepper.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  form.classList.add("stepped");
  stepper.hidden = false;
  prev.addEventListener("click", function () { go(current - 1); });
  next.addEventListener("click", function () { go(current + 1); });
  stepper.addEventListener("click", function (event) {
    var button = event.target.closest("[data-goto]");
    if (button) go(parseInt(button.dataset.goto, 10));
  });

  // A step with a server-side error opens first and its steps are marked.
  steps.forEach(function (step) {
    if (step.querySelector(".field-error, .form-errors")) {
      var link = stepper.querySelector('[data-goto="' + step.dataset.step + '"]');
      if (link) link.classList.add("has-error");
    }
  });

  // --- authors: add a row in place, keep the numbering and the contribution total
  var authors = form.querySelector("[data-authors]");
  var template = form.querySelector("[data-author-template]");
  var addAuthor = form.querySelector("[data-add-author]");
  var totalForms = form.querySelector('input[name="authors-TOTAL_FORMS"]');
  var maxForms = form.querySelector('input[name="authors-MAX_NUM_FORMS"]');
  var totalOutput = form.querySelector("[data-contribution-total]");

  function renumber() {
    authors.querySelectorAll("[data-author]").forEach(function (card, index) {
      card.querySelector("[data-author-number]").textContent = index + 1;
    });
  }

  function updateTotal() {
    var total = 0;
    authors.querySelectorAll("[data-author]").forEach(function (card) {
      var deleted = card.querySelector('input[name$="-DELETE"]');
      var name = card.querySelector('input[name$="-full_name"]');
      var percent = card.querySelector('input[name$="-contribution_percent"]');
      if (deleted && deleted.checked) return;
      if (!name || !name.value.trim()) return;
      total += parseFloat((percent.value || "0").replace(",", ".")) || 0;
    });
    total = Math.round(total * 100) / 100;
    totalOutput.textContent = totalOutput.dataset.label + ": " + formatNumber(total) + "%";
    totalOutput.classList.toggle("bad", total !== 100);
  }

  addAuthor.hidden = false;
  addAuthor.addEventListener("click", function () {
    var index = parseInt(totalForms.value, 10);
    if (maxForms && index >= parseInt(maxForms.value, 10)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    authors.insertAdjacentHTML("beforeend", html);
    totalForms.value = index + 1;
    renumber();
    var first = authors.lastElementChild.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  });
  authors.addEventListener("input", updateTotal);
  authors.addEventListener("change", updateTotal);
  renumber();
  updateTotal();

  // --- step 5: what will be sent, read back from the form
  function valueOf(element) {
    if (element.tagName === "SELECT") {
      var option = element.options[element.selectedIndex];
      return option && element.value ? option.text : "";
    }
    if (element.type === "checkbox") return element.checked ? "✓" : "";
    if (element.type === "number" && element.value && /benefit_vnd$/.test(element.name)) {
      return formatNumber(element.value) + " đ";
    }
    if (element.type === "date" && element.value) return formatDate(element.value);
    if (element.type === "file") {
      return Array.prototype.map.call(element.files, function (f) { return f.name; }).join(", ");
    }
    return element.value.trim();
  }

  function buildReview() {
    var review = form.querySelector("[data-review]");
    review.textContent = "";
    steps.slice(0, -1).forEach(function (step) {
      var section = document.createElement("section");
      var heading = document.createElement("h3");
      heading.textContent = step.querySelector("legend").textContent.trim();
      section.appendChild(heading);
      var list = document.createElement("dl");
      step.querySelectorAll("[data-field]").forEach(function (wrapper) {
        var input = wrapper.querySelector("input, select, textarea");
        var label = wrapper.querySelector("label");
        if (!input || !label || input.closest("template")) return;
        var card = input.closest("[data-author]");
        if (card && card.querySelector('input[name$="-DELETE"]:checked')) return;
        var value = valueOf(input);
        if (!value) return;
        var dt = document.createElement("dt");
        dt.textContent = label.textContent.replace("*", "").trim();
        var dd = document.createElement("dd");
        dd.textContent = value.length > 300 ? value.slice(0, 300) + "…" : value;
        list.appendChild(dt);
        list.appendChild(dd);
      });
      section.appendChild(list);
      review.appendChild(section);
    });
    // Files kept from a try that had errors (not dropped), then the ones chosen now.
    var names = [];
    form.querySelectorAll("[data-kept-file]").forEach(function (item) {
      if (!item.querySelector('input[name="kept_files_drop"]:checked')) names.push(item.dataset.keptFile);
    });
    var files = form.querySelector('input[type="file"]');
    if (files && files.files.length) names.push(valueOf(files));
    if (names.length) {
      var p = document.createElement("p");
      p.textContent = review.dataset.filesLabel + ": " + names.join(", ");
      review.appendChild(p);
    }
    var total = document.createElement("p");
    total.textContent = totalOutput.textContent;
    review.appendChild(total);
  }

  // One click is enough: a second one while the first is on its way does nothing
  // (the server would not create a second initiative either: client_token).
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    form.classList.add("sending");
  });

  show(current);
  // A refused "submit" still saved a draft: the address bar shows that draft's page,
  // so a reload or a shared link opens it rather than a new empty form.
  if (form.dataset.canonicalUrl && window.location.pathname !== form.dataset.canonicalUrl) {
    window.history.replaceState(null, "", form.dataset.canonicalUrl + "?buoc=" + current);
  }
  // The error summary's links (forms.js) point at fields of any step: open that step.
  form.addEventListener("reveal", function (event) {
    var step = event.target.closest("fieldset.step");
    if (step) show(parseInt(step.dataset.step, 10));
  });
})();
