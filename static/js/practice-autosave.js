/* The practice task page, enhanced: the answer is saved as a draft two seconds after the
 * learner stops typing (the same POST as "Save draft", answered in JSON). The form carries the
 * draft's version; the server says when another tab had saved in between (last write wins, and
 * the learner is warned). Without JavaScript "Save draft" does the same. */
(function () {
  "use strict";
  var form = document.getElementById("practice-form");
  if (!form || form.dataset.autosave !== "on" || !window.fetch || !window.FormData) return;
  var text = form.querySelector("textarea[name='text']");
  var version = form.querySelector("input[name='draft_version']");
  var status = document.getElementById("autosave-status");
  var timer = null;

  function say(message) {
    if (status) status.textContent = message;
  }

  function save() {
    var data = new FormData(form);
    data.set("action", "save");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (!answer.ok) {
          say(answer.body.error || form.dataset.failed);
          return;
        }
        version.value = answer.body.version;
        say(answer.body.conflict || form.dataset.saved);
      })
      .catch(function () {
        say(form.dataset.failed);
      });
  }

  text.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 2000);
  });
})();
