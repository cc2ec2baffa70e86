// Moderation item page: 'w' and 's' pick the author action; after any choice the reason gets focus.
(function () {
  "use strict";
  var select = document.getElementById("author_action");
  var reason = document.getElementById("reason");
  function typing(t) { return t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName); }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || !select) return;
    var value = { w: "warn", s: "suspend" }[e.key];
    if (!value) return;
    select.value = value;
    var hide = document.querySelector('input[name="action"][value="hide"]');
    if (hide && !document.querySelector('input[name="action"]:checked')) hide.checked = true;
    var days = document.getElementById("suspend_days");
    (value === "suspend" && days ? days : reason).focus();
    e.preventDefault();
  });
  document.querySelectorAll('input[name="action"]').forEach(function (radio) {
    radio.addEventListener("click", function () { if (reason) setTimeout(function () { reason.focus(); }, 0); });
  });
})();
