// Marks a lesson as done once the learner scrolls to its end, for courses that count lessons
// that way. The "Done, next" / "Mark as done" button stays as the way to do it without
// JavaScript, and stays after this too: posting it again is harmless and moves on.
(function () {
  var form = document.querySelector("form[data-complete-at-end]");
  var end = document.getElementById("lesson-end");
  var status = document.getElementById("lesson-done-status");
  if (!form || !end || !("IntersectionObserver" in window)) return;
  var sent = false;
  var observer = new IntersectionObserver(function (entries) {
    if (sent || !entries.some(function (e) { return e.isIntersecting; })) return;
    sent = true;
    observer.disconnect();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { sent = false; return; }
      status.textContent = status.dataset.doneText;
    });
  });
  observer.observe(end);
})();
