/* Live progress of a report run: while the run is queued or running, fetch its status
 * fragment (reports:run_status) every few seconds and put it in the page's aria-live region
 * when it has changed, so the status, the rows written and, once done, the download link
 * appear without reloading. Without JavaScript the fragment's "Check again" link reloads the
 * page. Stops when the run is finished, and backs off while nothing changes. */
(function () {
  "use strict";
  var region = document.getElementById("run-status");
  if (!region || !region.dataset.statusUrl || !window.fetch) return;

  function current() {
    return region.querySelector("[data-finished]");
  }
  function finished() {
    var box = current();
    return !box || box.dataset.finished === "1";
  }
  function hideCheckAgain() {
    // The page updates itself: the link for browsers without JavaScript is not needed.
    var link = region.querySelector(".academy-check-again");
    if (link) link.hidden = true;
  }

  function words(node) {
    return node.textContent.replace(/\s+/g, " ").trim();
  }

  var delay = 1500;
  var last = words(region);

  function poll() {
    fetch(region.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var incoming = document.createElement("div");
        incoming.innerHTML = html;
        if (words(incoming) !== last) {
          // Only a real change is written, so screen readers hear each new state once.
          region.innerHTML = html;
          last = words(region);
          delay = 1500;
        } else {
          delay = Math.min(delay * 1.5, 10000);
        }
        hideCheckAgain();
        if (!finished()) window.setTimeout(poll, delay);
      })
      .catch(function () {
        // Signed out or offline: leave the "Check again" link to the reader.
        var link = region.querySelector(".academy-check-again");
        if (link) link.hidden = false;
      });
  }

  if (finished()) return;
  hideCheckAgain();
  window.setTimeout(poll, delay);
})();
