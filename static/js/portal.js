// Small behaviours of every page, without inline handlers (the Content-Security-Policy
// allows scripts from this site only).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
  const selectable = event.target.closest("[data-select-on-click]");
  if (selectable) selectable.select();
});
