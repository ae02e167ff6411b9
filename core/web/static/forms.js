// Small behaviours of the pages' forms, set by data attributes (the pages' CSP runs no inline handler):
// - <select data-autosubmit> sends its form when the choice changes (the form then shows what depends on it);
// - <form data-busy="ID"> disables its buttons and shows the element ID while it is being sent (a slow import).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) { select.form.submit(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-busy]")) { return; }
    form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    var shown = document.getElementById(form.dataset.busy);
    if (shown) { shown.hidden = false; }
  });
})();
