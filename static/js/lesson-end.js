// Marks a lesson as done once the learner scrolls to its end, for courses that count lessons
// that way. The "Mark as done" button stays as the way to do it without JavaScript.
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
      form.hidden = true;
      status.textContent = status.dataset.doneText;
    });
  });
  observer.observe(end);
})();
