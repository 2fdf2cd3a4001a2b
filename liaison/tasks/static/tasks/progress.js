// Progress of a background job (liaison/tasks): polls /tasks/<id>/status and moves the
// bar; reloads the page when the job is finished, so the result or the errors are
// rendered by the server in the officer's language. A file, not inline (CSP).
(function () {
  "use strict";
  function start() {
    var box = document.querySelector("[data-status-url]");
    if (!box || !box.getAttribute("data-status-url")) { return; }
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector(".job-progress");
    var stage = box.querySelector(".job-stage");
    var percent = box.querySelector(".job-percent");
    var delay = 1000;
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (s) {
          if (s.finished) { window.location.reload(); return; }
          if (bar) { bar.max = s.total || 1; bar.value = s.done; bar.textContent = s.percent + " %"; }
          if (stage) { stage.textContent = s.stage; }
          if (percent) { percent.textContent = percent.textContent.replace(/\d+/, String(s.percent)); }
          delay = 1000;
          window.setTimeout(poll, delay);
        })
        .catch(function () { delay = Math.min(delay * 2, 15000); window.setTimeout(poll, delay); });
    }
    window.setTimeout(poll, delay);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
