/* Center pickers (progressive enhancement): when the page could not list every center
 * (thousands of them), ask the server for the centers matching what is typed, with or
 * without diacritics, and offer them in the datalist. Without JavaScript the server
 * resolves the typed name or code and explains when several centers match. */
(function () {
  "use strict";
  var list = document.getElementById("center-options");
  if (!list || !list.hasAttribute("data-remote") || !window.fetch) return;
  var source = list.getAttribute("data-source");
  var timer = null;
  var last = "";
  function fill(labels) {
    while (list.firstChild) list.removeChild(list.firstChild);
    labels.forEach(function (label) {
      var option = document.createElement("option");
      option.value = label;
      list.appendChild(option);
    });
  }
  function lookup(q) {
    if (q === last || q.length < 2) return;
    last = q;
    fetch(source + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (labels) { if (q === last) fill(labels); })
      .catch(function () {});
  }
  document.querySelectorAll("[data-center-picker]").forEach(function (input) {
    input.addEventListener("input", function () {
      var q = input.value.split("\n").pop().trim();
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(q); }, 200);
    });
  });
})();
