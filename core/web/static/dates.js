// Date fields (data-date) read and write 2026-12-02 whatever the browser's locale: <input type=date> would show
// mm/dd/yyyy in an English browser. Typed variants (2026/12/2, 2026.12.2, 20261202, 2026年12月2日) become the
// form the server takes (core/platform/validators.py, parse_form_date); anything else is refused in Chinese.
(function () {
  "use strict";
  var MESSAGE = "日期格式应为 2026-12-02（年-月-日）";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function normalise(text) {
    var value = text.trim(), m = value.match(/^(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})\D?$/) || value.match(/^(\d{4})(\d{2})(\d{2})$/);
    if (!m) { return null; }
    var y = +m[1], mo = +m[2], d = +m[3], day = new Date(y, mo - 1, d);
    if (day.getFullYear() !== y || day.getMonth() !== mo - 1 || day.getDate() !== d) { return null; }
    return y + "-" + pad(mo) + "-" + pad(d);
  }
  function check(input) {
    if (input.value.trim() === "") { input.value = ""; input.setCustomValidity(""); return; }
    var value = normalise(input.value);
    if (value !== null) { input.value = value; }
    input.setCustomValidity(value === null ? MESSAGE : "");
  }
  document.querySelectorAll("input[data-date]").forEach(function (input) {
    input.title = input.title || "年-月-日，如 2026-12-02";
    input.addEventListener("change", function () { check(input); });
    input.addEventListener("input", function () { input.setCustomValidity(""); });
  });
  // Normalise before the browser checks the pattern, so 2026-12-2 is sent as 2026-12-02.
  document.addEventListener("submit", function (event) {
    event.target.querySelectorAll("input[data-date]").forEach(check);
  }, true);
})();
