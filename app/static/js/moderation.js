// Moderation item page: 'w' and 's' pick the author action; after a decision is chosen the reason
// (or, to edit out, the edited text) gets focus.
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
  // Choosing hide or remove suggests a reason (selected, so typing replaces it); edit out asks for the text.
  document.querySelectorAll('input[name="action"]').forEach(function (radio) {
    radio.addEventListener("click", function () {
      if (!reason) return;
      if (radio.value !== "edit" && !reason.value.trim() && reason.dataset.default) reason.value = reason.dataset.default;
      var edited = document.getElementById("edited_body");
      var target = radio.value === "edit" && edited ? edited : reason;
      setTimeout(function () { target.focus(); if (target === reason) reason.select(); }, 0);
    });
  });
})();
