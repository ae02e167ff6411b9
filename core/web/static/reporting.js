// The reporting task forms: the confirmation (确认补录) is shown while the due date is before today, as the server
// asks for it (core/oversight/service.py, _task_due_on); an unchanged date of an existing task needs none.
(function () {
  "use strict";
  var input = document.getElementById("due_on");
  var box = document.getElementById("confirm-past-due");
  if (!input || !box) { return; }
  function follow() {
    var value = input.value, today = input.dataset.today;
    var past = value !== "" && value < today && value !== (input.dataset.keep || "");
    if (past) { box.hidden = false; } else if (!box.querySelector("input").checked) { box.hidden = true; }
  }
  input.addEventListener("change", follow);
  input.addEventListener("input", follow);
})();
