// Brings the highlighted evidence into view inside the document's scrolling text.
(function () {
  var mark = document.getElementById("evidence");
  if (mark && mark.scrollIntoView) {
    mark.scrollIntoView({ block: "center" });
    window.scrollTo(0, 0);
  }
})();
