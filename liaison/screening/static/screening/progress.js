/* "Working…" while a manifest is screened (issue 13): the upload is one request
   that answers when every traveller is screened, which takes a minute for
   thousands. On submit, the form says how many travellers it sends (lines of
   a CSV file, counted here; an Excel file is not read in the browser), a rough
   time from the rate the server gives, and the seconds elapsed, so an officer
   does not send the file twice. A file, not an inline script (the
   Content-Security-Policy allows only the site's own files). The texts come
   translated from the page's data attributes. */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function countLines(file, done) {
    if (!/\.csv$/i.test(file.name) || !window.FileReader) {
      done(null);
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var lines = String(reader.result).split(/\r\n|\r|\n/).filter(function (l) { return l.trim() !== ""; });
      done(Math.max(0, lines.length - 1));  // the first row names the columns
    };
    reader.onerror = function () { done(null); };
    reader.readAsText(file);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-screening-progress]");
    if (!form) {
      return;
    }
    var status = document.getElementById(form.getAttribute("data-screening-progress"));
    var input = form.querySelector("input[type=file]");
    var rate = parseFloat(form.getAttribute("data-rate")) || 50;
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      var started = Date.now();
      var count = null;
      function show() {
        var elapsed = Math.round((Date.now() - started) / 1000);
        var text = count === null ? form.getAttribute("data-working")
          : fill(form.getAttribute("data-working-count"), {count: count, seconds: Math.max(1, Math.ceil(count / rate))});
        status.textContent = text + " " + fill(form.getAttribute("data-elapsed"), {elapsed: elapsed});
      }
      if (button) {
        button.disabled = true;  // after the submit event: the form is already on its way
      }
      status.hidden = false;
      show();
      window.setInterval(show, 1000);
      if (input && input.files && input.files[0]) {
        countLines(input.files[0], function (n) { count = n; show(); });
      }
    });
  });
})();
