/* The main menu on narrow screens (issue 10): one "Menu" button opens and
   closes the navigation panel, which is collapsed by default. A file, not an
   inline script (the Content-Security-Policy allows only the site's own files).

   Loaded in <head> without defer, so the "js-nav" class is on <html> before
   the first paint: the panel never flashes open. Without JavaScript the class
   is never set, and the CSS leaves the whole menu visible. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js-nav");

  function setOpen(toggle, panel, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("open", open);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".navtoggle");
    var panel = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!panel) {
      root.classList.remove("js-nav");
      return;
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle, panel, toggle.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(toggle, panel, false);
        toggle.focus();
      }
    });
  });
})();
