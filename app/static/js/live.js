// The tab's live event stream: one EventSource on /api/stream for everything the user receives.
// It starts at the cursor the page was rendered with (body data-stream-cursor), so nothing that
// happened after the page was built is missed; the browser resumes with Last-Event-ID after a
// drop or after the server ends the stream. Each event is re-dispatched on `document` as
// "live:<type>" (detail: its data), and the header's unread badges follow. Without EventSource
// (or after repeated refusals) it long-polls /api/events. No framework, no inline script.
(function () {
  "use strict";
  var body = document.body;
  if (!body.hasAttribute("data-stream-cursor")) return;  // logged out
  var cursor = parseInt(body.getAttribute("data-stream-cursor"), 10) || 0;
  var TYPES = ["message.new", "receipt", "unread", "notification", "notifications.read", "resync"];
  var source = null;

  function setBadge(name, count) {
    document.querySelectorAll('[data-badge="' + name + '"]').forEach(function (el) {
      el.textContent = count > 0 ? String(count) : "";
      el.hidden = !(count > 0);
      var label = el.closest("[data-badge-label]");
      if (label) label.setAttribute("aria-label", label.getAttribute("data-badge-label").replace("%d", count));
    });
  }

  function refetchCounts() {
    fetch("/api/notifications", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) setBadge("notifications", data.unread); })
      .catch(function () {});
  }

  function handle(type, data, id) {
    if (id && id > cursor) cursor = id;
    if (data && typeof data.unread_total === "number") setBadge("messages", data.unread_total);
    if ((type === "notification" || type === "notifications.read") && data && typeof data.unread === "number") {
      setBadge("notifications", data.unread);
    }
    if (type === "resync") refetchCounts();
    document.dispatchEvent(new CustomEvent("live:" + type, { detail: data }));
  }

  function poll() {
    fetch("/api/events?since=" + cursor, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        if (data.resync) handle("resync", { cursor: data.cursor }, data.cursor);
        data.events.forEach(function (e) { handle(e.type, e.data, e.id); });
        cursor = Math.max(cursor, data.cursor);
        poll();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }

  function connect() {
    if (!window.EventSource) { poll(); return; }
    source = new EventSource("/api/stream?last_event_id=" + cursor);
    TYPES.forEach(function (type) {
      source.addEventListener(type, function (e) {
        handle(type, JSON.parse(e.data), parseInt(e.lastEventId, 10) || 0);
      });
    });
    source.addEventListener("open", function () {
      body.setAttribute("data-live", "open");  // the browser walks wait for it
      document.dispatchEvent(new CustomEvent("live:open"));
    });
    source.addEventListener("error", function () {
      // CONNECTING: the browser retries by itself. CLOSED: refused (503 past the cap): retry later.
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 5000);
      }
    });
  }

  window.CoachConnectLive = {
    cursor: function () { return cursor; },
    csrf: function () {
      var meta = document.querySelector('meta[name="csrf-token"]');
      return meta ? meta.getAttribute("content") : "";
    }
  };
  connect();
})();
