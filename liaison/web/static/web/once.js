/* No double submits (issue 18): when a POST form of the officer interface is sent,
   its submit buttons are disabled and "Working… please wait" appears next to them
   (aria-live, so a screen reader says it), until the next page arrives. A file, not
   an inline script (the Content-Security-Policy allows only the site's own files);
   the message comes translated from the <script> tag's data-wait attribute
   (web/base.html).

   - The buttons are disabled just after the submit event, not during it: a disabled
     button's name and value (decision=accept, action=send) would be left out of the
     form the browser is sending.
   - A second submit of the same form is cancelled at once, before the buttons are
     disabled, so even a fast double click sends one request.
   - Coming back with the browser's Back button (pageshow from the back-forward
     cache) gives the buttons back, as does a form that is still here after
     RESTORE_AFTER ms (a download answered in place, a lost connection).
   - A form another script handles itself (it cancelled the event: the graph's path
     search, the map's filters) is left alone, as is one marked data-wait="off" (a
     download, answered in place: interop's export) or with its own progress display
     (border screening's manifest).
   The server holds without this script: create forms carry a one-time token
   (liaison/tasks/once.py) and request steps a version number. */
(function () {
  "use strict";
  var script = document.currentScript;
  var message = (script && script.getAttribute("data-wait")) || "Working… please wait";
  var RESTORE_AFTER = 15000;
  var BUTTONS = "button:not([type]), button[type=submit], input[type=submit], input[type=image]";

  function buttonsOf(form) {
    var inside = Array.prototype.slice.call(form.querySelectorAll(BUTTONS));
    var outside = form.id ? Array.prototype.slice.call(
      document.querySelectorAll("button[form='" + form.id + "'], input[type=submit][form='" + form.id + "']")) : [];
    return inside.concat(outside).filter(function (b) { return b.form === form; });
  }

  function restore(form) {
    delete form.dataset.waiting;
    buttonsOf(form).forEach(function (button) {
      if (button.dataset.waitDisabled) {
        button.disabled = false;
        delete button.dataset.waitDisabled;
        button.removeAttribute("aria-busy");
      }
    });
    var note = form.querySelector(".wait-note");
    if (note) {
      note.parentNode.removeChild(note);
    }
  }

  function wait(form, submitter) {
    var buttons = buttonsOf(form);
    buttons.forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.dataset.waitDisabled = "1";
        button.setAttribute("aria-busy", "true");
      }
    });
    var anchor = submitter && submitter.form === form && form.contains(submitter) ? submitter
      : buttons.filter(function (b) { return form.contains(b); }).pop();
    if (!form.querySelector(".wait-note")) {
      var note = document.createElement("span");
      note.className = "wait-note";
      note.setAttribute("role", "status");
      note.setAttribute("aria-live", "polite");
      if (anchor && anchor.parentNode) {
        anchor.parentNode.insertBefore(note, anchor.nextSibling);
      } else {
        form.appendChild(note);
      }
      // Filled after insertion, so that the live region announces it.
      window.setTimeout(function () { note.textContent = message; }, 0);
    }
    window.setTimeout(function () { restore(form); }, RESTORE_AFTER);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
      return;
    }
    var submitter = event.submitter || null;
    var method = ((submitter && submitter.getAttribute("formmethod")) || form.getAttribute("method") || "get").toLowerCase();
    if (method !== "post" || form.getAttribute("data-wait") === "off" || form.hasAttribute("data-screening-progress")
        || (form.getAttribute("target") || "_self") !== "_self") {
      return;
    }
    if (form.dataset.waiting) {
      event.preventDefault();  // the second click of a double click: the first is on its way
      return;
    }
    form.dataset.waiting = "1";
    window.setTimeout(function () { wait(form, submitter); }, 0);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-waiting]"), restore);
    }
  });
}());
