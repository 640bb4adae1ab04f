/* Session expiry warning (WCAG 2.2.1). The server renders #session-timeout with how many
 * seconds the session has left; shortly before the end this opens it as a modal dialog with
 * "Stay signed in" (a POST to the keep-alive endpoint, which renews the session), and at the
 * end says the person has been signed out, with a link to sign in again in a new tab. Tabs
 * share the deadline through localStorage, and other scripts that talk to the server (the
 * studio's preview and autosave) announce it with an "academy:session-renewed" event, so
 * activity anywhere postpones the warning everywhere. */
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || !window.fetch) return;
  var data = dialog.dataset;
  var KEY = "academy:session-deadline";
  var idleMs = Number(data.idleSeconds) * 1000;
  var warnMs = Number(data.warnSeconds) * 1000;
  var absoluteEnd = Date.now() + Number(data.absoluteLeft) * 1000;
  var deadline = Date.now() + Number(data.secondsLeft) * 1000;
  var state = "active"; // active | warning | dismissed | expired
  var warningPanel = dialog.querySelector('[data-session-state="warning"]');
  var expiredPanel = dialog.querySelector('[data-session-state="expired"]');
  var text = dialog.querySelector("[data-session-text]");
  var error = dialog.querySelector("[data-session-error]");
  var status = document.getElementById("session-timeout-status");

  function store(value) {
    try { window.localStorage.setItem(KEY, String(value)); } catch (e) { /* private mode */ }
  }
  function stored() {
    try { return Number(window.localStorage.getItem(KEY)) || 0; } catch (e) { return 0; }
  }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined,
      { hour: "numeric", minute: "2-digit" });
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function open() {
    if (!dialog.open) {
      if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
    }
  }
  function close() {
    if (dialog.open) { if (dialog.close) dialog.close(); else dialog.removeAttribute("open"); }
  }
  function setDeadline(value) {
    deadline = Math.min(value, absoluteEnd);
    if (deadline > stored()) store(deadline);
  }
  function renewed(announce) {
    state = "active";
    warningPanel.hidden = false;
    expiredPanel.hidden = true;
    close();
    if (announce && status) status.textContent = data.textRenewed;
  }
  function showWarning() {
    state = "warning";
    error.hidden = true;
    warningPanel.hidden = false;
    expiredPanel.hidden = true;
    var final = absoluteEnd - deadline < 1000;
    text.textContent = (final ? data.textFinal : data.textWarning).replace("{time}", clock(deadline));
    dialog.querySelector("[data-session-stay]").hidden = final;
    dialog.setAttribute("aria-labelledby", "session-timeout-heading");
    dialog.setAttribute("aria-describedby", "session-timeout-text");
    open();
  }
  function showExpired() {
    state = "expired";
    warningPanel.hidden = true;
    expiredPanel.hidden = false;
    dialog.setAttribute("aria-labelledby", "session-expired-heading");
    dialog.setAttribute("aria-describedby", "session-expired-text");
    close(); // reopened so that screen readers announce the new state
    open();
  }

  function keepAlive(fromExpired) {
    return fetch(data.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.redirected || response.status === 401 || response.status === 403) {
        if (!fromExpired) showExpired();
        return;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json().then(function (answer) {
        absoluteEnd = Math.max(absoluteEnd, Date.now() + answer.seconds_left * 1000);
        deadline = Date.now() + answer.seconds_left * 1000;
        store(deadline);
        renewed(true);
      });
    }).catch(function () {
      if (fromExpired) return;
      error.textContent = data.textFailed;
      error.hidden = false;
    });
  }

  dialog.querySelector("[data-session-stay]").addEventListener("click", function () {
    keepAlive(false);
  });
  Array.prototype.forEach.call(dialog.querySelectorAll("[data-session-close]"), function (button) {
    button.addEventListener("click", function () {
      if (state === "warning") state = "dismissed";
      close();
    });
  });
  dialog.addEventListener("cancel", function () { // Escape
    if (state === "warning") state = "dismissed";
  });

  // Another script's request renewed the session (SESSION_SAVE_EVERY_REQUEST).
  document.addEventListener("academy:session-renewed", function () {
    if (state === "expired") return;
    setDeadline(Date.now() + idleMs);
    if (state !== "active") renewed(false);
  });
  // A script's request found the session over (a 401): say so now, not at the deadline.
  document.addEventListener("academy:session-ended", function () {
    if (state !== "expired") showExpired();
  });
  // Another tab loaded a page or stayed signed in.
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY || state === "expired") return;
    var value = Number(event.newValue) || 0;
    if (value > deadline) {
      deadline = value;
      if (state !== "active") renewed(false);
    }
  });
  // Back from signing in again in another tab: ask the server whether the session is back.
  function checkReturn() {
    if (state === "expired" && document.visibilityState !== "hidden") keepAlive(true);
  }
  window.addEventListener("focus", checkReturn);
  document.addEventListener("visibilitychange", checkReturn);

  setDeadline(deadline);
  window.setInterval(function () {
    if (state === "expired") return;
    deadline = Math.max(deadline, Math.min(stored(), absoluteEnd));
    var left = deadline - Date.now();
    if (left <= 0) showExpired();
    else if (left <= warnMs && state === "active") showWarning();
    else if (left > warnMs && state !== "active") renewed(false);
  }, 1000);
})();
