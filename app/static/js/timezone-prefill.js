// Sign-up: the time-zone field starts at the browser's own zone (Intl API) when the server marks it
// with data-timezone-prefill (a fresh form, not one shown again with the visitor's choice).
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  document.querySelectorAll("[data-timezone-prefill]").forEach(function (field) {
    var known = field.tagName !== "SELECT" || Array.prototype.some.call(field.options, function (option) {
      return option.value === zone;
    });
    if (known) field.value = zone;
  });
})();
