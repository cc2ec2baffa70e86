// Discussion page: polls for new replies every few seconds and appends them (no reload).
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box) return;
  var count = document.querySelector("[data-reply-count]");
  var busy = false;
  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    var url = box.dataset.poll + "?after=" + encodeURIComponent(box.dataset.lastId || "0");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.count > 0) {
          // The fragment is rendered by the server from sanitised HTML (nh3), like the page itself.
          var tpl = document.createElement("template");
          tpl.innerHTML = data.html;
          tpl.content.querySelectorAll("[data-reply-id]").forEach(function (el) {
            if (!document.getElementById(el.id)) box.appendChild(el);
          });
          box.dataset.lastId = String(data.last_id);
        }
        if (count) count.textContent = String(data.reply_count);
      })
      .catch(function () { /* offline for a moment: try again next tick */ })
      .then(function () { busy = false; });
  }
  setInterval(poll, parseInt(box.dataset.pollSeconds || "4", 10) * 1000);
})();
