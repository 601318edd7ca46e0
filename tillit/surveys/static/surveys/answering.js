// Keeps the current page's answers on this device as well as on the server, so an answer
// typed while the connection is down is not lost: it is put back when the page is shown
// again, and the form is not sent while the browser is offline. What was typed but never sent
// is forgotten after three days (a shared phone or PC must not keep it).
(function () {
  "use strict";
  // A page sent after a POST (the next page, without a redirect) shows its own address, so
  // that a reload or a shared address opens this page and does not send the form again.
  var shown = document.querySelector("[data-page-url]");
  if (shown && window.history && history.replaceState) {
    history.replaceState(null, "", shown.getAttribute("data-page-url"));
  }
  var form = document.getElementById("page-form");
  if (!form || !window.localStorage) { return; }
  var PREFIX = "tillit-draft-";
  var KEEP_MS = 3 * 24 * 3600 * 1000;
  var key = PREFIX + location.pathname + "-" + form.getAttribute("data-draft-key");

  function read(name) {
    var entry;
    try { entry = JSON.parse(localStorage.getItem(name) || "null"); } catch (e) { entry = null; }
    return entry && entry.savedAt && Date.now() - entry.savedAt < KEEP_MS ? entry.answers : null;
  }

  function forgetOld() {
    var names = [];
    for (var i = 0; i < localStorage.length; i++) {
      var name = localStorage.key(i);
      if (name && name.indexOf(PREFIX) === 0 && !read(name)) { names.push(name); }
    }
    names.forEach(function (name) { localStorage.removeItem(name); });
  }

  function collect() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf("a:") !== 0) { return; }
      if ((el.type === "radio" || el.type === "checkbox")) {
        if (el.checked) { (data[el.name] = data[el.name] || []).push(el.value); }
      } else if (el.value) {
        data[el.name] = [el.value];
      }
    });
    return data;
  }

  function restore() {
    var saved = read(key);
    if (!saved) { return; }
    var current = collect();
    if (Object.keys(current).length) { return; }  // the server's draft wins
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = saved[el.name];
      if (!values) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (!el.value) {
        el.value = values[0];
      }
    });
  }

  form.addEventListener("change", function () {
    var entry = { savedAt: Date.now(), answers: collect() };
    try { localStorage.setItem(key, JSON.stringify(entry)); } catch (e) { /* storage full */ }
  });
  form.addEventListener("submit", function (event) {
    if (navigator.onLine === false) {
      event.preventDefault();
      var note = document.getElementById("offline-note");
      if (!note) {
        note = document.createElement("p");
        note.id = "offline-note";
        note.className = "offline-note";
        note.setAttribute("role", "alert");
        note.textContent = form.getAttribute("data-offline-message") || "Offline";
        form.insertBefore(note, form.firstChild);
      }
      return;
    }
    localStorage.removeItem(key);
  });
  window.addEventListener("online", function () {
    var note = document.getElementById("offline-note");
    if (note) { note.remove(); }
  });
  forgetOld();
  restore();
}());
