// Push notifications on this device (the notification center's opt-in): registers the push
// worker, subscribes with the server's VAPID key and sends the subscription to
// POST /api/push/subscriptions; "Turn off" unsubscribes here and deletes it on the server.
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) return;
  var state = document.getElementById("push-state");
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var SAVED = "cc-push-subscription-id";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  function show(subscribed, text) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    state.textContent = text;
  }
  function saved() { try { return localStorage.getItem(SAVED); } catch (e) { return null; } }
  function remember(id) {
    try { if (id) localStorage.setItem(SAVED, String(id)); else localStorage.removeItem(SAVED); } catch (e) { /* private mode */ }
  }

  var ready = navigator.serviceWorker.register(box.getAttribute("data-worker"));
  box.hidden = false;
  ready.then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (sub) {
      show(!!sub, sub ? "On: this browser shows new notifications even when Coach Connect is closed." : "Off on this device.");
    })
    .catch(function () { show(false, "This browser cannot receive push notifications here."); });

  on.addEventListener("click", function () {
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") { show(false, "Your browser blocks notifications from this site."); return null; }
      return ready.then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.getAttribute("data-public-key")) });
      }).then(function (sub) {
        return fetch("/api/push/subscriptions", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify(sub.toJSON())
        });
      }).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
        .then(function (answer) {
          if (!answer.ok) throw new Error((answer.data.error || {}).message || "refused");
          remember(answer.data.id);
          show(true, "On: this browser shows new notifications even when Coach Connect is closed.");
        });
    }).catch(function (e) { show(false, "Could not turn push on: " + e.message); });
  });

  off.addEventListener("click", function () {
    ready.then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) { return sub ? sub.unsubscribe() : true; })
      .then(function () {
        var id = saved();
        remember(null);
        if (!id) return null;
        return fetch("/api/push/subscriptions/" + encodeURIComponent(id), {
          method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": csrf() }
        });
      })
      .then(function () { show(false, "Off on this device."); })
      .catch(function () { show(false, "Off on this device."); });
  });
})();
