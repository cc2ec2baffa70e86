// Console behaviour: keyboard shortcuts ("g v" style sequences and single keys), the help overlay,
// and j/k row selection on tables marked data-queue. No framework, no network.
(function () {
  "use strict";
  var overlay = document.querySelector("[data-help]");
  function toggleHelp(show) {
    if (!overlay) return;
    var open = show === undefined ? overlay.hidden : show;
    overlay.hidden = !open;
    if (open) { var b = overlay.querySelector("button"); if (b) b.focus(); }
  }
  // The public header's menu button (narrow screens): shows and hides the navigation.
  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    button.addEventListener("click", function (e) {
      e.preventDefault();
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
    button.addEventListener("keydown", function (e) {
      if (e.key === " ") { e.preventDefault(); button.click(); }  // a link acting as a button
    });
  });

  // A visitor's times are shown in the browser's zone from the next page on (the server reads `tz`).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: the server's default zone stays */ }

  // Filter panels start open (so they work without JavaScript) and fold on a phone's first screen.
  if (window.matchMedia("(max-width: 760px)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) { d.open = false; });
  }

  // A table wider than a phone scrolls inside itself: keyboard users can then focus it and scroll
  // it with the arrow keys (WCAG 2.1.1); a table that fits stays out of the tab order.
  function focusableWhenScrolling() {
    document.querySelectorAll(".public .table").forEach(function (t) {
      if (t.scrollWidth > t.clientWidth + 1) { t.setAttribute("tabindex", "0"); }
      else { t.removeAttribute("tabindex"); }
    });
  }
  focusableWhenScrolling();
  window.addEventListener("resize", focusableWhenScrolling);

  document.querySelectorAll("[data-help-toggle]").forEach(function (el) {
    el.addEventListener("click", function () { toggleHelp(); });
  });

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-queue] tbody tr[data-href]"));
  var current = -1;
  function select(i) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("selected", n === current); r.setAttribute("aria-selected", n === current ? "true" : "false"); });
    var link = rows[current].querySelector("a");
    if (link) link.focus();
  }

  // The first row starts selected (without taking the focus), so Enter opens the oldest or top item.
  if (rows.length) { current = 0; rows[0].classList.add("selected"); rows[0].setAttribute("aria-selected", "true"); }

  // Ctrl+Enter (Cmd+Enter) in a form's field submits that form, through its validation and handlers.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || !e.target.form) return;
    e.preventDefault();
    var form = e.target.form;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });

  var pending = "";
  var timer = null;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === "Escape") { toggleHelp(false); return; }
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (rows.length && (e.key === "j" || e.key === "k") && !pending) {
      select(current + (e.key === "j" ? 1 : -1)); e.preventDefault(); return;
    }
    if (rows.length && e.key === "Enter" && current >= 0) { window.location = rows[current].dataset.href; return; }
    var seq = pending ? pending + " " + e.key : e.key;
    var exact = document.querySelector('[data-shortcut="' + seq + '"]');
    var prefix = document.querySelector('[data-shortcut^="' + seq + ' "]');
    if (exact) {
      pending = "";
      e.preventDefault();
      if (exact.tagName === "A") { window.location = exact.href; }
      else { exact.click(); if (!exact.dataset.focus && exact.focus) exact.focus(); }  // data-focus buttons move focus themselves
      return;
    }
    if (prefix) { pending = seq; clearTimeout(timer); timer = setTimeout(function () { pending = ""; }, 1200); return; }
    pending = "";
  });

  // A header checkbox data-select-all="NAME" ticks every checkbox called NAME in its form.
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var scope = all.form || document;
    function boxes() { return scope.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]'); }
    all.addEventListener("change", function () { boxes().forEach(function (b) { b.checked = all.checked; }); });
    scope.addEventListener("change", function (e) {
      if (e.target === all || e.target.name !== all.dataset.selectAll) return;
      var list = Array.prototype.slice.call(boxes());
      var n = list.filter(function (b) { return b.checked; }).length;
      all.checked = n === list.length; all.indeterminate = n > 0 && n < list.length;
    });
  });

  // Confirm dangerous submits that ask for it.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  });
})();
