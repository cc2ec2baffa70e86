// Staff pages: warn before the session ends (idle or absolute limit) and offer "Stay signed in",
// which touches the session on the server. Counts seconds from what the page was given, and asks
// the server again before warning, since another tab may have kept the session alive meanwhile.
(function () {
  "use strict";
  var box = document.querySelector("[data-session-expiry]");
  if (!box) return;
  var message = box.querySelector("[data-session-message]");
  var stay = box.querySelector("[data-session-stay]");
  var login = box.querySelector("[data-session-login]");
  var warnSeconds = parseInt(box.dataset.warnSeconds, 10);
  var started, idleLeft, absoluteLeft, timer, checking = false;

  function reset(data) {
    started = Date.now();
    idleLeft = data.idle_seconds;
    absoluteLeft = data.absolute_seconds;
  }
  function left() {
    var passed = (Date.now() - started) / 1000;
    return { idle: idleLeft - passed, absolute: absoluteLeft - passed };
  }
  function clock(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }
  function ended() {
    clearInterval(timer);
    message.textContent = "Your session has ended. Log in again to continue; unsaved changes on this page are lost.";
    stay.hidden = true;
    login.href = login.getAttribute("href") + "?next=" + encodeURIComponent(location.pathname + location.search);
    login.hidden = false;
    box.hidden = false;
  }
  function ask(url, options) {
    checking = true;
    return fetch(url, Object.assign({ headers: { Accept: "application/json" }, credentials: "same-origin" }, options))
      .then(function (r) {
        var json = r.ok && (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return json && !r.redirected ? r.json() : null;
      })
      .then(function (data) { if (data) { reset(data); } else { ended(); } return data; })
      .catch(function () { return null; })  // offline for a moment: keep counting
      .finally(function () { checking = false; });
  }
  function show() {
    var now = left();
    if (Math.min(now.idle, now.absolute) > warnSeconds) { box.hidden = true; return; }
    if (now.absolute <= now.idle) {
      message.textContent = "Your session reaches its time limit in " + clock(now.absolute) +
        ". Save your work; you will need to log in again.";
      stay.hidden = true;
    } else {
      message.textContent = "You will be logged out in " + clock(now.idle) + " without activity.";
      stay.hidden = false;
    }
    box.hidden = false;
  }
  function tick() {
    if (checking) return;
    var now = left(), soonest = Math.min(now.idle, now.absolute);
    // Ask the server before warning and before giving up: another tab may have kept the session alive.
    if (soonest <= 0 || (box.hidden && soonest <= warnSeconds)) {
      ask(box.dataset.statusUrl).then(function (data) {
        if (!data) return;
        if (Math.min(data.idle_seconds, data.absolute_seconds) <= 0) { ended(); } else { show(); }
      });
      return;
    }
    show();
  }
  stay.addEventListener("click", function () {
    ask(box.dataset.touchUrl, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRFToken": box.dataset.csrfToken },
    }).then(function (data) { if (data) { box.hidden = true; } });
  });
  reset({ idle_seconds: parseInt(box.dataset.idleLeft, 10), absolute_seconds: parseInt(box.dataset.absoluteLeft, 10) });
  timer = setInterval(tick, 1000);
  tick();
})();
