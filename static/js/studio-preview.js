/* Live lesson preview: after a pause in typing, POST the Markdown to the studio's preview
 * endpoint and show the sanitised HTML it returns in the aria-live preview region.
 * Without JavaScript the form's "Preview" button does the same with a full page load.
 * Once the session has ended the endpoint answers 401 (or the request lands on the sign-in
 * page): the preview keeps what it showed and the status line says the trainer is signed out,
 * rather than showing the sign-in page inside the preview. */
(function () {
  "use strict";
  var source = document.querySelector("[data-studio-preview-source]");
  var target = document.getElementById("lesson-preview");
  if (!source || !target || !target.dataset.previewUrl || !window.fetch) return;
  var token = source.form && source.form.querySelector("input[name=csrfmiddlewaretoken]");
  var hint = status ? status.textContent : "";

  function csrfToken() {
    // Signing in again (in another tab) changes the token: the cookie has the current one.
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    return token ? token.value : "";
  }
  var status = document.getElementById("lesson-preview-status");
  var last = source.value;
  var timer = null;
  var controller = null;

  function refresh() {
    if (source.value === last) return;
    last = source.value;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var body = new URLSearchParams();
    body.set("body", source.value);
    fetch(target.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      body: body,
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (response.redirected || response.status === 401) {
          var signedOut = new Error("signed out");
          signedOut.name = "SignedOut";
          throw signedOut;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        // The server returns HTML already sanitised to an allowlist by render_markdown.
        target.innerHTML = html;
        if (status) status.textContent = hint;
        document.dispatchEvent(new CustomEvent("academy:session-renewed"));
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        last = null;
        if (status) {
          status.textContent = error.name === "SignedOut"
            ? target.dataset.signedOutText : target.dataset.errorText;
        }
        if (error.name === "SignedOut") {
          document.dispatchEvent(new CustomEvent("academy:session-ended"));
        }
      });
  }

  source.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();
