// Leadership dashboard: ranking bars, progress-to-target bullets, submissions over time.
// The same numbers are in the tables on the page; charts are a picture of them.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var red = "#b3131b", green = "#15803d", grey = "#d1d5db", blue = "#1d4ed8";
  var number = new Intl.NumberFormat("vi-VN");
  Chart.defaults.font.family = "system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
  Chart.defaults.animation = false;

  function tallEnough(canvas, rows) {
    // Horizontal bars need room per row; let the box grow with the number of units.
    var box = canvas.parentElement;
    box.style.height = Math.max(220, rows * 22 + 60) + "px";
  }

  var ranking = document.getElementById("chart-ranking");
  if (ranking && data.ranking.length) {
    tallEnough(ranking, data.ranking.length);
    new Chart(ranking, {
      type: "bar",
      data: {
        labels: data.ranking.map(function (r) { return r.label; }),
        datasets: [{ label: data.measure, data: data.ranking.map(function (r) { return r.value; }), backgroundColor: red }]
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return number.format(c.parsed.x); } } } },
        scales: { x: { beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } }, y: { ticks: { autoSkip: false } } }
      }
    });
  }

  var progress = document.getElementById("chart-progress");
  if (progress && data.progress.length) {
    tallEnough(progress, data.progress.length);
    // A bullet chart: the target as a wide pale bar, what counts toward it (valid initiatives
    // unless the page counts handed-in ones) as a narrow bar over it, coloured by whether the
    // unit keeps the pace.
    new Chart(progress, {
      type: "bar",
      data: {
        labels: data.progress.map(function (r) { return r.label; }),
        datasets: [
          { label: data.labels.target, data: data.progress.map(function (r) { return r.target; }), backgroundColor: grey, barPercentage: 0.9, categoryPercentage: 0.9, grouped: false, order: 2 },
          { label: data.labels.counted, data: data.progress.map(function (r) { return r.counted; }), grouped: false,
            backgroundColor: data.progress.map(function (r) { return r.counted >= r.expected ? green : red; }),
            barPercentage: 0.45, categoryPercentage: 0.9, order: 1 }
        ]
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        scales: { x: { beginAtZero: true }, y: { ticks: { autoSkip: false } } },
        plugins: { tooltip: { callbacks: { afterBody: function (items) {
          var r = data.progress[items[0].dataIndex];
          return [data.labels.expected + ": " + number.format(r.expected),
            data.labels.submitted + ": " + number.format(r.submitted)];
        } } } }
      }
    });
  }

  var series = document.getElementById("chart-series");
  if (series) {
    new Chart(series, {
      type: "line",
      data: {
        labels: data.series.map(function (r) { return r.week; }),
        datasets: [
          { label: data.labels.valid, data: data.series.map(function (r) { return r.valid; }), borderColor: blue, backgroundColor: blue, tension: 0.2, pointRadius: 0 },
          { label: data.labels.submitted, data: data.series.map(function (r) { return r.submitted; }), borderColor: red, backgroundColor: red, tension: 0.2, pointRadius: 0 }
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
    });
  }
})();
