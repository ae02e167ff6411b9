// The running total, by the same rule the server applies: each section loses its deductions down to 0, never below;
// any veto makes the file 0 and 不合格. Points are counted in halves so that 0.5 + 0.5 adds up exactly.
(function () {
  var form = document.getElementById('score-form');
  var caps = {};
  form.querySelectorAll('[data-section-cap]').forEach(function (el) { caps[el.dataset.sectionCap] = Math.round(parseFloat(el.dataset.points) * 2); });
  function update() {
    var off = {};
    Object.keys(caps).forEach(function (k) { off[k] = 0; });
    form.querySelectorAll('input[data-count]').forEach(function (input) {
      var n = parseInt(input.value || '0', 10);
      if (!(n > 0)) { n = 0; }
      n = Math.min(n, parseInt(input.max, 10));
      off[input.dataset.section] += n * Math.round(parseFloat(input.dataset.points) * 2);
    });
    var total = 0;
    Object.keys(caps).forEach(function (k) {
      var score = Math.max(0, caps[k] - off[k]);
      total += score;
      document.querySelector('[data-section-score="' + k + '"]').textContent = score / 2;
    });
    var vetoed = Array.prototype.some.call(form.querySelectorAll('input[data-veto]'), function (i) { return i.checked; });
    total = vetoed ? 0 : total / 2;
    var grade = 'fail';
    if (!vetoed && total >= parseFloat(form.dataset.excellent)) { grade = 'excellent'; }
    else if (!vetoed && total >= parseFloat(form.dataset.pass)) { grade = 'pass'; }
    document.querySelector('[data-testid=running-total]').textContent = total;
    var shown = document.querySelector('[data-testid=running-grade]');
    shown.textContent = form.dataset['grade' + grade.charAt(0).toUpperCase() + grade.slice(1)];
    shown.dataset.grade = grade;
  }
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();
})();
