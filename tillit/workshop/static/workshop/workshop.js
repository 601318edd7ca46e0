// Live workshop: keep unsent text on the phone and resend it, pause polling while someone
// types in the live region, follow the server's events, drag and drop notes into themes.
// No inline scripts (CSP).
(function () {
  "use strict";
  var QUEUE = "tillit-ws-queue";

  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(QUEUE, JSON.stringify(queue)); }
  // `message` is the server's text, or the name of a translated text kept on the element.
  function status(message, named) {
    var el = document.querySelector("[data-ws-status]");
    if (el) { el.textContent = named ? el.getAttribute("data-" + message) : message; }
  }
  function refresh() {
    var live = document.querySelector("[data-live]");
    if (live && window.htmx) { window.htmx.trigger(live, "ws-refresh"); }
  }
  // Send every queued item; an item leaves the queue once the server has it (or refuses it).
  var sending = false;
  function flush() {
    if (sending) { return; }
    var queue = load();
    if (!queue.length) { return; }
    sending = true;
    var item = queue[0];
    var body = new URLSearchParams(item.fields);
    fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Workshop-Fetch": "1", "X-CSRFToken": item.fields.csrfmiddlewaretoken || "" }
    }).then(function (response) {
      if (response.status >= 500) {  // the server failed, not refused: keep it and try again
        sending = false;
        status("offline", true);
        return;
      }
      return response.text().then(function (message) {
        save(load().filter(function (q) { return q.fields.key !== item.fields.key; }));
        if (response.ok) { status("sent", true); } else { status(message); }
        sending = false;
        refresh();
        flush();
      });
    }).catch(function () {
      sending = false;
      status("offline", true);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-offline") || !window.fetch || !window.localStorage) { return; }
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    var queue = load();
    queue.push({ url: form.action, fields: fields });
    save(queue);
    form.querySelectorAll("[data-draft]").forEach(function (el) {
      localStorage.removeItem(draftKey(el));
      if (form.action.indexOf("/position/") === -1) { el.value = ""; }
    });
    var key = form.querySelector("input[name=key]");
    if (key) { key.value = uuid(); }
    flush();
  });

  // Drafts survive a reload (the page reloads when the facilitator moves on).
  function draftKey(el) { return "tillit-ws-draft:" + location.pathname + ":" + el.name; }
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-draft")) {
      localStorage.setItem(draftKey(event.target), event.target.value);
    }
  });

  // Do not replace the live region while someone is typing or choosing in it, nor just as
  // they tap in it (the tapped button would vanish under their finger).
  var lastTouch = 0;
  ["pointerdown", "keydown"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.target.closest && event.target.closest("[data-live]")) { lastTouch = Date.now(); }
    }, true);
  });
  // A refresh of the live region that failed (a server error, a dropped connection) is asked
  // again a second later: with the event stream up nothing else would ask before the next
  // change, and the region would show an old state until then.
  ["htmx:responseError", "htmx:sendError"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target && event.target.hasAttribute && event.target.hasAttribute("data-live")) {
        setTimeout(refresh, 1000);
      }
    });
  });

  // Someone is typing or choosing in the live region, or has just tapped in it.
  function busy(live) {
    var active = document.activeElement;
    var typing = active && live.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    return typing || Date.now() - lastTouch < 1500;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var live = event.detail.elt;
    if (!live.hasAttribute || !live.hasAttribute("data-live") || event.detail.requestConfig.verb !== "get") { return; }
    // While the event stream is up, it says when to fetch: the timed poll (no triggering
    // event) stays quiet; it runs again as soon as the stream is down.
    if (streaming && !event.detail.requestConfig.triggeringEvent) {
      event.preventDefault();
      return;
    }
    if (busy(live)) {
      event.preventDefault();
      if (streaming) { setTimeout(refresh, 1600); }  // no poll will come: try again later
    }
  });

  // A region from the event stream replaces the shown one, unless someone is busy in it
  // (then the newest waits until they are done) or the shown one is newer (the page's own
  // vote can answer before the event of an earlier change arrives).
  var waiting = null;
  function showWaiting() {
    var html = waiting;
    waiting = null;
    if (html !== null) { show(html); }
  }
  function show(html) {
    var shown = document.querySelector("[data-live]");
    if (!shown) { return; }
    if (busy(shown)) {
      if (waiting === null) { setTimeout(showWaiting, 1600); }
      waiting = html;
      return;
    }
    waiting = null;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) { return; }
    if (Number(fresh.getAttribute("data-version")) < Number(shown.getAttribute("data-version"))) { return; }
    shown.replaceWith(fresh);
    if (window.htmx) { window.htmx.process(fresh); }
  }

  // Server-sent events: the server sends the phone's live region when the session changed
  // (live.py). Without EventSource, or while the stream is
  // down (it reconnects by itself), the two-second poll runs as before.
  var streaming = false;
  var source = null;
  function connect() {
    var live = document.querySelector("[data-events]");
    if (!live || !window.EventSource || source) { return; }
    source = new EventSource(live.getAttribute("data-events"));
    source.addEventListener("open", function () { streaming = true; });
    // Only a move to another tool (the page reloads) or a region the server could not make
    // asks for a fetch; a short random wait spreads a room's fetches over half a second.
    source.addEventListener("version", function (event) {
      var shown = document.querySelector("[data-live]");
      if (shown && shown.getAttribute("data-version") !== event.data) {
        setTimeout(refresh, Math.random() * 500);
      }
    });
    // The phone's new region comes in the event itself (made from parts the server caches
    // per version): a change costs no request per phone.
    source.addEventListener("region", function (event) { show(event.data); });
    source.addEventListener("closed", function () {
      source.close();
      source = null;
      streaming = false;
      refresh();
    });
    source.addEventListener("error", function () {
      streaming = false;
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 5000);
      }
    });
  }

  // The presenter screen goes full screen at a click or a key (browsers allow it only then).
  ["click", "keydown"].forEach(function (type) {
    document.addEventListener(type, function () {
      var el = document.documentElement;
      if (document.body.hasAttribute("data-fullscreen") && !document.fullscreenElement && el.requestFullscreen) {
        el.requestFullscreen().catch(function () {});
      }
    });
  });

  // Drag and drop: the same endpoint as the "Move to theme" button.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var note = event.target.closest && event.target.closest("[data-move]");
    if (note) { dragged = note; event.dataTransfer.setData("text/plain", note.dataset.move); }
  });
  document.addEventListener("dragover", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop]");
    if (zone && dragged) { event.preventDefault(); zone.classList.add("ws-drop-over"); }
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop]");
    if (zone) { zone.classList.remove("ws-drop-over"); }
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop]");
    if (!zone || !dragged) { return; }
    event.preventDefault();
    zone.classList.remove("ws-drop-over");
    var token = dragged.querySelector("input[name=csrfmiddlewaretoken]");
    var body = new URLSearchParams({ theme: zone.dataset.drop, csrfmiddlewaretoken: token ? token.value : "" });
    dragged = null;
    fetch(event.dataTransfer.getData("text/plain"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(refresh);
  });

  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-draft]").forEach(function (el) {
      var kept = localStorage.getItem(draftKey(el));
      if (kept && !el.value) { el.value = kept; }
    });
    flush();
    setInterval(flush, 5000);
    connect();
  });
})();
