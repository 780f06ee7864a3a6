/* A "Print" button for pages with a print layout (the receipt slip, the checklist).
 * Without JavaScript the button stays hidden and the help text says to use the
 * browser's own Print command. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  if (!buttons.length || !window.print) return;
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
  var helps = document.querySelectorAll("[data-print-help]");
  for (var j = 0; j < helps.length; j++) helps[j].hidden = true;
})();
