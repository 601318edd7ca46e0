// Keeps the current page's answers on this device as well as on the server, so an answer
// typed while the connection is down is not lost: it is put back when the page is shown
// again, and the form is not sent while the browser is offline.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form || !window.localStorage) { return; }
  var key = "tillit-draft-" + location.pathname + "-" + form.getAttribute("data-draft-key");

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
    var saved;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
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
    try { localStorage.setItem(key, JSON.stringify(collect())); } catch (e) { /* storage full */ }
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
  restore();
}());
