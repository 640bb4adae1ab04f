/* The quiz attempt page, enhanced:
 * - every change of an answer is saved to the server as the attempt's draft (one POST);
 * - answers not yet confirmed saved are kept in this tab's sessionStorage, and put back on the
 *   page (and saved) when it is opened again, after a sign-in say;
 * - Enter on a choice does not send the form (Space chooses; the button reviews).
 * Without JavaScript the form still works: "Review answers" posts every answer, and a post
 * made after the session ended is kept by the server across signing in again. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var key = "academy-attempt-" + form.dataset.attempt;
  var store = null;
  try {
    store = window.sessionStorage;
  } catch (error) {
    store = null;
  }
  var timer = null;
  var saving = false;
  var again = false;

  function choiceInputs() {
    return form.querySelectorAll("input[name^='q-']");
  }

  function collect() {
    var answers = {};
    choiceInputs().forEach(function (input) {
      if (!input.checked) return;
      (answers[input.name] = answers[input.name] || []).push(input.value);
    });
    return answers;
  }

  function remember(pending) {
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify({ pending: pending, answers: collect() }));
    } catch (error) {
      /* storage full or refused: the server draft still has the rest */
    }
  }

  function restore() {
    if (!store) return false;
    var kept = null;
    try {
      kept = JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      kept = null;
    }
    if (!kept || !kept.pending || !kept.answers) return false;
    choiceInputs().forEach(function (input) {
      var chosen = kept.answers[input.name] || [];
      input.checked = chosen.indexOf(input.value) !== -1;
    });
    return true;
  }

  function say(text) {
    if (status && text) status.textContent = text;
  }

  function save() {
    if (saving) {
      again = true;
      return;
    }
    saving = true;
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (response.status === 401) {
          say(form.dataset.signedOutText);
          return;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json().then(function (data) {
          if (!data.saved) throw new Error("not saved");
          if (!again) remember(false);
          say(form.dataset.savedText);
        });
      })
      .catch(function () {
        say(form.dataset.failedText);
      })
      .then(function () {
        saving = false;
        if (again) {
          again = false;
          save();
        }
      });
  }

  form.addEventListener("change", function (event) {
    if (!event.target.name || event.target.name.indexOf("q-") !== 0) return;
    remember(true);
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 300);
  });

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.matches && target.matches("input[type=radio], input[type=checkbox]")) {
      event.preventDefault();
    }
  });

  // The form's own post carries every answer: nothing is left pending in this tab.
  form.addEventListener("submit", function () {
    window.clearTimeout(timer);
    remember(false);
  });

  if (restore() || form.hasAttribute("data-restored")) save();
})();
