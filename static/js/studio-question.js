/* Question form: a true-or-false question shows only its "the statement is" answer (its two
 * choices are made on the server); other types show only the choice rows. Without JavaScript
 * both are shown and the hints say which to use. */
(function () {
  "use strict";
  var type = document.getElementById("id_type");
  if (!type) return;
  var trueFalse = document.querySelectorAll("[data-question-true-false]");
  var choices = document.querySelectorAll("[data-question-choices]");

  var firstText = document.getElementById("id_choice_1_text");
  // A true-or-false question imported with its own wording ("Yes" / "No") keeps its rows.
  var ownWording = firstText && firstText.value.trim() !== "" &&
    !document.querySelector("[data-question-true-false] input:checked");

  function show() {
    var isTrueFalse = type.value === "true_false";
    trueFalse.forEach(function (el) { el.hidden = !isTrueFalse; });
    choices.forEach(function (el) { el.hidden = isTrueFalse && !ownWording; });
  }

  type.addEventListener("change", show);
  show();
})();
