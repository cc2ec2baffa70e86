// Review page: preview zoom/rotate, shortcut buttons that focus a field, rejection templates,
// and releasing the claim when the reviewer leaves without deciding. No network except the release.
(function () {
  "use strict";
  // The figure holds the preview and the evidence outlines, so both zoom and turn together.
  var img = document.getElementById("certificate-figure") || document.getElementById("certificate-preview");
  var zoom = 1, angle = 0;
  function apply() { if (img) { img.style.transform = "rotate(" + angle + "deg) scale(" + zoom + ")"; img.style.maxWidth = zoom === 1 && angle === 0 ? "100%" : "none"; } }
  document.querySelectorAll("[data-viewer]").forEach(function (b) {
    b.addEventListener("click", function () {
      var what = b.dataset.viewer;
      if (what === "zoom-in") zoom = Math.min(4, zoom * 1.25);
      if (what === "zoom-out") zoom = Math.max(0.25, zoom / 1.25);
      if (what === "rotate") angle = (angle + 90) % 360;
      if (what === "reset") { zoom = 1; angle = 0; }
      apply();
    });
  });
  document.querySelectorAll("[data-focus]").forEach(function (b) {
    b.addEventListener("click", function () {
      var target = document.getElementById(b.dataset.focus);
      if (target) { target.scrollIntoView({ block: "center" }); target.focus(); }
    });
  });
  document.querySelectorAll("select[data-fills]").forEach(function (sel) {
    sel.addEventListener("change", function () {
      var opt = sel.options[sel.selectedIndex];
      var target = document.getElementById(sel.dataset.fills);
      if (target && opt && opt.dataset.body) target.value = opt.dataset.body;
    });
  });
  var holder = document.querySelector("[data-release-url]");
  var token = document.querySelector('input[name="csrf_token"]');
  var submitting = false;
  document.querySelectorAll("form").forEach(function (f) { f.addEventListener("submit", function () { submitting = true; }); });
  window.addEventListener("pagehide", function () {
    if (!holder || submitting || !navigator.sendBeacon || !token) return;
    var data = new FormData();
    data.append("csrf_token", token.value);
    data.append("beacon", "1");
    navigator.sendBeacon(holder.dataset.releaseUrl, data);
  });
})();
