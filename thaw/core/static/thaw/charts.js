/* Draws the insights charts with the vendored uPlot from data in a json_script block.
   Every chart has a table or text alternative in the page; this only adds the picture. */
(function () {
  "use strict";

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#a8431b";
  }

  function width(el) { return Math.max(240, el.clientWidth || 320); }

  function axes(yLabel, xIsTime) {
    var ink = css("--muted");
    var grid = { stroke: css("--line"), width: 1 };
    return [
      { stroke: ink, grid: grid, ticks: grid, space: 60, values: xIsTime ? undefined : function (u, v) { return v; } },
      { stroke: ink, grid: grid, ticks: grid, label: yLabel, size: 44 },
    ];
  }

  var WEEK = 7 * 86400;

  /* A time axis never narrower than a few weeks: left to itself, uPlot spreads a single
     point (or a few days) over years, and the labels say 2027-2029 around one dot. */
  function timeRange(u, min, max) {
    // From the data itself: uPlot has already widened a single point's bounds by the time it asks.
    var xs = u.data && u.data[0];
    if (xs && xs.length) { min = xs[0]; max = xs[xs.length - 1]; }
    if (min == null || max == null) return [min, max];
    var span = max - min;
    if (span >= 4 * WEEK) return [min, max];
    var pad = (4 * WEEK - span) / 2;
    return [min - pad, max + pad];
  }

  function lineChart(el, xs, series, yRange, yLabel) {
    var accent = css("--accent");
    var colours = [accent, css("--focus")];
    var opts = {
      width: width(el), height: 200, legend: { show: series.length > 1 },
      scales: { x: { time: true, range: timeRange }, y: { range: yRange } },
      axes: axes(yLabel, true),
      series: [{}].concat(series.map(function (s, i) {
        return { label: s.label, stroke: colours[i % 2], width: 2, spanGaps: false, points: { show: true, size: 6 } };
      })),
    };
    // The axis bounds, for anyone (and any test) reading the page rather than the canvas.
    opts.hooks = { setScale: [function (u, key) {
      if (key === "x") { el.dataset.xMin = String(u.scales.x.min); el.dataset.xMax = String(u.scales.x.max); }
    }] };
    return new window.uPlot(opts, [xs].concat(series.map(function (s) { return s.values; })), el);
  }

  function barsChart(el, values) {
    var accent = css("--accent");
    var opts = {
      width: width(el), height: 120, legend: { show: false },
      scales: { x: { time: false, range: [-0.5, 1.5] }, y: { range: [0, 10] } },
      axes: [
        { stroke: css("--muted"), values: function () { return ["with", "without"]; }, splits: function () { return [0, 1]; } },
        { stroke: css("--muted"), size: 30 },
      ],
      series: [{}, { label: "numbness", stroke: accent, fill: accent, paths: window.uPlot.paths.bars({ size: [0.6] }),
                     points: { show: false } }],
    };
    return new window.uPlot(opts, [[0, 1], values], el);
  }

  function moodChart(el, mood) {
    var accent = css("--accent");
    var opts = {
      width: width(el), height: Math.min(320, width(el)), legend: { show: false },
      scales: { x: { time: false, range: [-5.5, 5.5] }, y: { range: [-5.5, 5.5] } },
      axes: [{ stroke: css("--muted"), label: "unpleasant ← → pleasant" },
             { stroke: css("--muted"), label: "low ← energy → high", size: 44 }],
      series: [{}, { stroke: accent, fill: accent, paths: function () { return null; },
                     points: { show: true, size: 12, fill: accent } }],
    };
    return new window.uPlot(opts, [mood.x, mood.y], el);
  }

  function draw() {
    var node = document.getElementById("insights-data");
    if (!node || !window.uPlot) return;
    var data = JSON.parse(node.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.dataset.chart;
      if (kind === "numbness" && data.numbness.t.length) {
        lineChart(el, data.numbness.t, [{ label: "weekly numbness", values: data.numbness.mean }], [0, 10], "numbness");
      } else if (kind === "granularity" && data.granularity.length) {
        lineChart(el, data.granularity.map(function (p) { return p.t; }), [
          { label: "unpleasant", values: data.granularity.map(function (p) { return p.negative; }) },
          { label: "pleasant", values: data.granularity.map(function (p) { return p.positive; }) },
        ], [0, Math.max(1, Math.ceil(Math.max.apply(null, data.granularity.map(function (p) {
          return Math.max(p.negative || 0, p.positive || 0);
        })) * 2) / 2)], "differentiation");
      } else if (kind === "mood" && data.mood.x.length) {
        moodChart(el, data.mood);
      } else if (kind === "pattern") {
        var p = data.patterns[Number(el.dataset.index)];
        if (p) barsChart(el, [p.with, p.without]);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
