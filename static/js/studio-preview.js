/* Live lesson preview: after a pause in typing, POST the Markdown to the studio's preview
 * endpoint and show the sanitised HTML it returns in the aria-live preview region.
 * Without JavaScript the form's "Preview" button does the same with a full page load. */
(function () {
  "use strict";
  var source = document.querySelector("[data-studio-preview-source]");
  var target = document.getElementById("lesson-preview");
  if (!source || !target || !target.dataset.previewUrl || !window.fetch) return;
  var token = source.form && source.form.querySelector("input[name=csrfmiddlewaretoken]");
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
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
      body: body,
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        // The server returns HTML already sanitised to an allowlist by render_markdown.
        target.innerHTML = html;
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        last = null;
        if (status) status.textContent = target.dataset.errorText;
      });
  }

  source.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
})();
