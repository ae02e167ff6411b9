// The checklist page: conditional items appear and disappear and the score follows the answers, by the same
// rules as core/checklists/templates.py (evaluate): hidden items and 不适用 count neither way; a score item earns
// what was given; any other scored item earns its points when answered and not failing.
(function () {
  "use strict";
  var form = document.getElementById("checklist-form");
  if (!form) { return; }
  var items = Array.prototype.slice.call(form.querySelectorAll(".ck-item"));

  function json(el, name) {
    var raw = el.getAttribute(name);
    return raw ? JSON.parse(raw) : [];
  }

  function answerOf(el) {
    var code = el.dataset.code, kind = el.dataset.answer;
    var inputs = form.querySelectorAll('[name="a_' + code + '"]');
    if (kind === "multiple") {
      var chosen = [];
      inputs.forEach(function (i) { if (i.checked) { chosen.push(i.value); } });
      return chosen.length ? chosen : null;
    }
    if (kind === "yes_no" || kind === "single") {
      var value = null;
      inputs.forEach(function (i) { if (i.checked) { value = i.value; } });
      return value;
    }
    if (!inputs.length || inputs[0].value.trim() === "") { return null; }
    if (kind === "score" || kind === "number") {
      var n = Number(inputs[0].value);
      return isNaN(n) ? null : n;
    }
    return inputs[0].value.trim();
  }

  function fails(el, value) {
    if (value === null) { return false; }
    var kind = el.dataset.answer, failOn = json(el, "data-fail-on");
    if (kind === "yes_no" || kind === "single") { return failOn.indexOf(value) >= 0; }
    if (kind === "multiple") { return value.some(function (v) { return failOn.indexOf(v) >= 0; }); }
    if (kind === "score" || kind === "number") {
      var below = el.dataset.failBelow, above = el.dataset.failAbove;
      if (below !== "" && value < Number(below)) { return true; }
      return above !== "" && value > Number(above);
    }
    return false;
  }

  function update() {
    var visible = {}, score = 0, max = 0, failing = 0, missing = 0;
    items.forEach(function (el) {
      var show = true, cond = el.dataset.condItem;
      if (cond) {
        var earlier = visible[cond];
        var values = json(el, "data-cond-values");
        var chosen = earlier === undefined || earlier === null ? [] : (Array.isArray(earlier) ? earlier : [earlier]);
        show = chosen.some(function (v) { return values.indexOf(v) >= 0; });
      }
      el.hidden = !show;
      var badge = el.querySelector(".ck-fail");
      if (!show) { if (badge) { badge.hidden = true; } return; }
      var value = answerOf(el), points = Number(el.dataset.points || 0);
      visible[el.dataset.code] = value;
      var failed = fails(el, value);
      if (badge) { badge.hidden = !failed; }
      if (value === null) { if (el.dataset.required === "1") { missing += 1; } return; }
      if (failed) { failing += 1; }
      if (value === "na" && el.dataset.answer === "yes_no") { return; }
      if (points && el.dataset.answer !== "text") {
        max += points;
        if (el.dataset.answer === "score") { score += value; } else if (!failed) { score += points; }
      }
    });
    var fmt = function (n) { return String(Math.round(n * 100) / 100); };
    document.querySelector('[data-testid="running-score"]').textContent = fmt(score);
    document.querySelector('[data-testid="running-max"]').textContent = fmt(max);
    document.querySelector('[data-testid="running-failing"]').textContent = String(failing);
    var m = document.querySelector('[data-testid="running-missing"]');
    if (m) { m.textContent = String(missing); }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}());
