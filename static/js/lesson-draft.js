/* The lesson editor keeps every word typed (docs/studio.md):
 * - a copy of the form in localStorage on every change, put back into the form when the
 *   trainer comes back to the lesson with text the server does not have (after the session
 *   ended and a save bounced to the sign-in page, a closed tab, a crash);
 * - autosave while signed in: a pause in typing POSTs the form to the lesson's autosave
 *   endpoint (the same save as the Save button, with the same revision check);
 * - a warning before leaving the page with changes not saved yet;
 * - the form's CSRF token refreshed from the cookie before sending, since signing in again
 *   (in another tab) changes it. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-lesson-draft]");
  if (!form) return;
  var d = form.dataset;
  var FIELDS = ["title", "estimated_minutes", "body", "video_url", "transcript"];
  var revision = form.elements.revision;
  var status = document.getElementById("lesson-draft-status");
  var restored = document.getElementById("lesson-draft-restored");
  var saved = values(); // what the server holds, when the page shows the saved lesson
  var savedRevision = revision ? revision.value : "";
  var dirty = d.formSaved !== "true"; // a page re-shown after a refused POST holds unsaved text
  var submitting = false;
  var stopped = false;
  var timer = null;
  var inFlight = false;

  function values() {
    var out = {};
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      out[name] = field ? field.value : "";
    });
    return out;
  }
  function same(a, b) {
    return FIELDS.every(function (name) { return (a[name] || "") === (b[name] || ""); });
  }
  function fill(v) {
    FIELDS.forEach(function (name) {
      var field = form.elements[name];
      if (field && v[name] !== undefined) field.value = v[name];
    });
    var body = form.elements.body;
    if (body) body.dispatchEvent(new Event("input")); // the live preview follows
  }
  function readBackup() {
    try { return JSON.parse(window.localStorage.getItem(d.draftKey)); } catch (e) { return null; }
  }
  function writeBackup() {
    try {
      window.localStorage.setItem(d.draftKey, JSON.stringify(
        { values: values(), revision: revision ? revision.value : "", at: Date.now() }));
    } catch (e) { /* storage full or disabled: autosave still runs */ }
  }
  function clearBackup() {
    try { window.localStorage.removeItem(d.draftKey); } catch (e) { /* nothing kept */ }
  }
  function say(text) { if (status) status.textContent = text; }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined,
      { hour: "numeric", minute: "2-digit" });
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function renewed() { document.dispatchEvent(new CustomEvent("academy:session-renewed")); }

  // Coming back: put back what the server does not have.
  var backup = readBackup();
  if (d.formSaved === "true" && backup && backup.values) {
    if (same(backup.values, saved)) {
      clearBackup();
    } else {
      fill(backup.values);
      // The revision the text was written against: if someone saved since, Save shows both.
      if (revision && backup.revision) revision.value = backup.revision;
      dirty = true;
      if (restored) {
        restored.hidden = false;
        restored.focus();
      }
    }
  } else if (dirty) {
    writeBackup();
  }

  var discard = document.querySelector("[data-draft-discard]");
  if (discard) {
    discard.addEventListener("click", function () {
      fill(saved);
      if (revision) revision.value = savedRevision;
      clearBackup();
      dirty = false;
      restored.hidden = true;
      form.elements.title.focus();
    });
  }

  function autosave() {
    if (!dirty || stopped || inFlight || !d.autosaveUrl || !window.fetch) return;
    var sent = values();
    var data = new FormData(form);
    data.delete("action");
    data.set("csrfmiddlewaretoken", csrfToken());
    inFlight = true;
    fetch(d.autosaveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body: data
    }).then(function (response) {
      inFlight = false;
      if (response.redirected || response.status === 401 || response.status === 403) {
        say(d.textSignedOut);
        document.dispatchEvent(new CustomEvent("academy:session-ended"));
        return;
      }
      renewed();
      if (response.status === 409) {
        stopped = true;
        say(d.textConflict);
        return;
      }
      if (!response.ok) {
        say(d.textInvalid);
        return;
      }
      return response.json().then(function (answer) {
        if (revision) revision.value = String(answer.revision);
        savedRevision = String(answer.revision);
        saved = sent;
        if (same(values(), sent)) {
          dirty = false;
          clearBackup();
        } else {
          writeBackup();
        }
        if (restored) restored.hidden = true;
        say(d.textSaved.replace("{time}", clock(Date.now())));
      });
    }).catch(function () {
      inFlight = false;
      say(d.textFailed);
    });
  }

  form.addEventListener("input", function () {
    dirty = true;
    writeBackup();
    say(d.textPending);
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, 2000);
  });
  // Back from signing in again in another tab: try again.
  window.addEventListener("focus", function () { if (dirty) autosave(); });

  form.addEventListener("submit", function () {
    submitting = true;
    writeBackup(); // kept if the save bounces to the sign-in page
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) input.value = csrfToken();
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty || submitting) return;
    event.preventDefault();
    event.returnValue = ""; // the browser shows its own "leave the page?" question
  });
})();
