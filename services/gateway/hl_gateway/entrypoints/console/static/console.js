// Draws the trend chart from the page's own data block (no inline script: the CSP forbids it).
// The same numbers are in the table below the chart, for screen readers and for copying.
(function () {
  "use strict";
  var data = document.getElementById("trend-data");
  var canvas = document.getElementById("trend-chart");
  if (!data || !canvas || typeof Chart === "undefined") { return; }
  var chart = JSON.parse(data.textContent);
  // Okabe–Ito colours: told apart with any colour vision; points differ in shape too.
  var colours = ["#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00"];
  var shapes = ["circle", "rect", "triangle", "rectRot", "star"];
  new Chart(canvas, {
    type: "line",
    data: {
      labels: chart.labels,
      datasets: chart.series.map(function (line, i) {
        return {
          label: line.label,
          data: line.values.map(function (v) { return v === null ? null : Number(v); }),
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length],
          pointStyle: shapes[i % shapes.length],
          pointRadius: 4,
          borderWidth: 2,
          tension: 0
        };
      })
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    }
  });
}());
