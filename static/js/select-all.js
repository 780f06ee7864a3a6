/* "Select all on this page" for a list of checkboxes (the held-ratings queue).
 * The box is hidden without JavaScript: each row is then ticked by hand. */
(function () {
  "use strict";
  var alls = document.querySelectorAll("[data-select-all]");
  for (var i = 0; i < alls.length; i++) {
    var all = alls[i];
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]');
    if (!boxes.length) continue;
    all.closest("[data-select-all-wrap]").hidden = false;
    all.addEventListener("change", function (event) {
      for (var j = 0; j < boxes.length; j++) boxes[j].checked = event.target.checked;
    });
  }
})();
