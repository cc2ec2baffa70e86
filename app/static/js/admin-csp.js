// Flask-Admin under the site's CSP: what its inline handlers and javascript: links did, from a static
// file. app/staff/admin_templates.py rewrites the templates to these data attributes.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var el = e.target.closest("[data-no-navigation], [data-confirm], [data-action], [data-add-inline]");
    if (!el) return;
    if (el.hasAttribute("data-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (el.hasAttribute("data-action") && window.modelActions) {
      e.preventDefault();
      window.modelActions.execute(el.getAttribute("data-action"));
      return;
    }
    if (el.hasAttribute("data-add-inline") && window.faForm) {
      e.preventDefault();
      window.faForm.addInlineField(el, el.getAttribute("data-add-inline"));
      return;
    }
    if (el.hasAttribute("data-no-navigation")) e.preventDefault();
  }, true);  // capture: Flask-Admin's menu scripts stop the click's propagation
})();
