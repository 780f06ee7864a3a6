/* Checklist drafts that survive a dropped connection (progressive enhancement).
 *
 * Every change is kept in localStorage at once, then sent in the background
 * (fetch POST with the CSRF token) when the browser is online. If the
 * connection drops, the answers stay on the device and are sent when it
 * returns, or restored the next time the page opens. Without JavaScript the
 * form works as a plain HTML form; files are always sent with the form.
 */
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form || !window.fetch || !window.localStorage || !window.FormData) return;

  var key = "portal.checklist." + form.getAttribute("data-assessment");
  var revision = parseInt(form.getAttribute("data-revision"), 10) || 0;
  var dirty = {};
  var timer = null;
  var saving = false;
  var syncEl = document.querySelector('[data-bind="sync"]');
  var lang = document.documentElement.lang || "vi";

  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }
  function showStatus(text) {
    if (!syncEl) return;
    syncEl.hidden = !text;
    syncEl.textContent = text || "";
  }
  function field(id, part) { return form.elements["c" + id + "-" + part]; }

  function collect(id) {
    var checked = form.querySelector('input[name="c' + id + '-choice"]:checked');
    var number = field(id, "number");
    var na = field(id, "na");
    var note = field(id, "note");
    return {
      choice: checked ? checked.value : "",
      number: number ? number.value : "",
      na: na ? na.checked : false,
      note: note ? note.value : ""
    };
  }

  function apply(id, v) {
    var radios = form.querySelectorAll('input[name="c' + id + '-choice"]');
    for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === v.choice;
    if (field(id, "number")) field(id, "number").value = v.number || "";
    if (field(id, "na")) field(id, "na").checked = !!v.na;
    if (field(id, "note")) field(id, "note").value = v.note || "";
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function store() {
    var ids = Object.keys(dirty);
    if (!ids.length) { localStorage.removeItem(key); return; }
    var data = { base: revision, answers: {} };
    ids.forEach(function (id) { data.answers[id] = collect(id); });
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full: still saved online */ }
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return "–";
    return Number(value).toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function showErrors(errors) {
    var articles = form.querySelectorAll("[data-criterion]");
    for (var i = 0; i < articles.length; i++) {
      var art = articles[i];
      var id = art.getAttribute("data-criterion");
      var box = art.querySelector(".errors.live");
      if (errors[id]) {
        if (!box) {
          box = document.createElement("p");
          box.className = "errors live";
          box.setAttribute("role", "alert");
          art.appendChild(box);
        }
        box.textContent = errors[id];
        art.classList.add("has-error");
      } else if (box) {
        box.parentNode.removeChild(box);
        art.classList.remove("has-error");
      }
    }
  }

  function update(data) {
    var bind = function (name) { return document.querySelector('[data-bind="' + name + '"]'); };
    if (bind("answered")) bind("answered").textContent = data.answered;
    if (bind("total")) bind("total").textContent = data.total;
    if (bind("compliance")) bind("compliance").textContent = fmt(data.compliance, 1);
    var gates = bind("gates");
    if (gates) gates.textContent = gates.getAttribute(data.gates_ok ? "data-ok" : "data-ko");
    var overall = bind("answered-bar");
    if (overall) { overall.max = data.total; overall.value = data.answered; }
    // Every label and bar of an area shows the same figure: criteria answered.
    data.areas.forEach(function (a) {
      var i;
      var counts = document.querySelectorAll('[data-area-answered="' + a.code + '"]');
      for (i = 0; i < counts.length; i++) counts[i].textContent = a.answered;
      var scores = document.querySelectorAll('[data-area-score="' + a.code + '"]');
      for (i = 0; i < scores.length; i++) scores[i].textContent = fmt(a.score, 0);
      var bars = document.querySelectorAll('[data-area-bar="' + a.code + '"]');
      for (i = 0; i < bars.length; i++) { bars[i].max = a.total; bars[i].value = a.answered; }
    });
    if (data.missing) {
      var missing = {};
      data.missing.forEach(function (id) { missing[String(id)] = true; });
      var items = document.querySelectorAll("[data-missing]");
      for (var j = 0; j < items.length; j++) {
        items[j].hidden = !missing[items[j].getAttribute("data-missing")];
      }
      if (bind("missing-count")) bind("missing-count").textContent = data.missing.length;
      if (bind("missing-none")) bind("missing-none").hidden = data.missing.length > 0;
    }
  }

  // A link to a criterion inside a closed area (the missing-answers list) opens that area.
  function openTarget() {
    var id = decodeURIComponent((location.hash || "").slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var details = target.closest ? target.closest("details.area") : null;
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  function save() {
    timer = null;
    var ids = Object.keys(dirty);
    if (!ids.length) return;
    if (saving) { schedule(); return; }
    if (navigator.onLine === false) { showStatus(msg("offline")); return; }
    var body = new FormData();
    body.append("csrf_token", form.elements.csrf_token.value);
    body.append("revision", String(revision));
    body.append("action", "autosave");
    var sent = {};
    ids.forEach(function (id) {
      var v = collect(id);
      sent[id] = v;
      body.append("c" + id + "-present", "1");
      if (v.choice) body.append("c" + id + "-choice", v.choice);
      body.append("c" + id + "-number", v.number);
      if (v.na) body.append("c" + id + "-na", "1");
      body.append("c" + id + "-note", v.note);
    });
    saving = true;
    showStatus(msg("saving"));
    // Not form.action: the submit buttons are named "action" and would shadow it.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status !== 200 && response.status !== 422) {
        // A redirect (session expired), a refused CSRF token or a locked assessment:
        // retrying will not help, but the answers stay on this device.
        var error = new Error(String(response.status));
        error.rejected = true;
        throw error;
      }
      return response.json();
    }).then(function (data) {
      saving = false;
      revision = data.revision;
      form.elements.revision.value = String(revision);
      form.setAttribute("data-revision", String(revision));
      ids.forEach(function (id) {
        if (!data.errors[id] && same(collect(id), sent[id])) delete dirty[id];
      });
      store();
      showErrors(data.errors);
      update(data);
      showStatus(Object.keys(data.errors).length ? msg("error") : msg("saved"));
      if (Object.keys(dirty).length) schedule();
    }).catch(function (error) {
      saving = false;
      store();
      showStatus(msg(error && error.rejected ? "rejected" : "offline"));
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 800);
  }

  function onChange(event) {
    var target = event.target;
    if (!target || target.type === "file" || !target.closest) return;
    var art = target.closest("[data-criterion]");
    if (!art) return;
    dirty[art.getAttribute("data-criterion")] = true;
    store();
    schedule();
  }

  var submitButton = document.getElementById("submit-btn");
  if (submitButton) {
    submitButton.addEventListener("click", function (event) {
      var question = submitButton.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        return;
      }
      // Confirmed here: the server then submits at once instead of showing its own step.
      var confirmed = form.querySelector('input[name="confirm"]');
      if (!confirmed) {
        confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirm";
        form.appendChild(confirmed);
      }
      confirmed.value = "1";
    });
  }

  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  window.addEventListener("online", function () { if (Object.keys(dirty).length) save(); });
  window.addEventListener("offline", function () { showStatus(msg("offline")); });

  // Restore what this device had not saved yet (only where it differs from the page).
  var draft = load();
  if (draft && draft.answers) {
    Object.keys(draft.answers).forEach(function (id) {
      if (!form.querySelector('[data-criterion="' + id + '"]')) return;
      if (same(collect(id), draft.answers[id])) return;
      apply(id, draft.answers[id]);
      dirty[id] = true;
    });
    if (Object.keys(dirty).length) {
      showStatus(msg("restored"));
      store();
      save();
    } else {
      localStorage.removeItem(key);
    }
  }
})();
