// Draws every [data-plot] element from the JSON figure in the <script type="application/json">
// it names (no inline scripts: CSP). Plotly comes from /static/vendor/plotly-<version>.min.js.
(function () {
  "use strict";
  if (!window.Plotly) return;
  document.querySelectorAll("[data-plot]").forEach(function (el) {
    var source = document.getElementById(el.dataset.plot);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, { responsive: true, displaylogo: false, displayModeBar: false }).then(function () {
      el.dataset.drawn = "true";
    });
  });
})();
