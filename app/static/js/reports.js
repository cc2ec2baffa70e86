// Polls the progress of queued and running reports and updates their progress bars;
// reloads the page once one finishes (to show downloads or the failure with its retry button).
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-report-row]")).filter(function (row) {
    return row.dataset.status === "queued" || row.dataset.status === "running";
  });
  if (!rows.length) return;
  function poll() {
    var pending = rows.length;
    var finished = false;
    rows.forEach(function (row) {
      fetch(row.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var bar = row.querySelector("[data-progress]");
          if (bar) { bar.value = s.progress; bar.textContent = s.progress + " %"; }
          row.querySelector("[data-status-label]").textContent = s.status;
          row.dataset.status = s.status;
          if (s.status === "done" || s.status === "failed") finished = true;
        })
        .catch(function () {})
        .then(function () {
          pending -= 1;
          if (pending === 0) {
            if (finished) { setTimeout(function () { window.location.reload(); }, 1200); }
            else { setTimeout(poll, 1000); }
          }
        });
    });
  }
  setTimeout(poll, 500);
})();
