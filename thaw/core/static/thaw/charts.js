/* Draws the insights charts with the vendored uPlot from data in a json_script block.
   Every chart has a table or text alternative in the page; this only adds the picture.
   Text is 13 px in the page's own ink (4.5:1 or more in light and dark mode); the charts are
   drawn again when the colour scheme or the width changes, so they never keep the wrong ink.
   Legends show the latest values until a point is touched, never "--".
   Words come from the page's JavaScript catalogue (/i18n/<lang>.js; none on English pages, where
   the English here is the text), and numbers and month names follow the page's language. */
(function () {
  "use strict";

  function gettext(text) {
    var catalogue = window.django;
    return catalogue && catalogue.gettext ? catalogue.gettext(text) : text;
  }

  function language() { return document.documentElement.lang || "en"; }

  /* Numbers as the reader writes them (4,5 in Spanish), with ``digits`` decimals. */
  function numbers(digits, fixed) {
    try {
      return new Intl.NumberFormat(language(), { minimumFractionDigits: fixed ? digits : 0, maximumFractionDigits: digits });
    } catch (e) {
      return new Intl.NumberFormat("en", { minimumFractionDigits: fixed ? digits : 0, maximumFractionDigits: digits });
    }
  }

  /* Month and weekday names in the page's language, for uPlot's date templates ({MMM} etc.). */
  function dateNames() {
    var lang = language(), names = { MMMM: [], MMM: [], WWWW: [], WWW: [] };
    function name(date, options) {
      try { return date.toLocaleDateString(lang, options); } catch (e) { return date.toLocaleDateString("en", options); }
    }
    for (var m = 0; m < 12; m++) {
      var day = new Date(Date.UTC(2024, m, 15));
      names.MMMM.push(name(day, { month: "long", timeZone: "UTC" }));
      names.MMM.push(name(day, { month: "short", timeZone: "UTC" }).replace(/\.$/, ""));
    }
    for (var w = 0; w < 7; w++) {
      var weekday = new Date(Date.UTC(2024, 0, 7 + w));  // 7 January 2024 was a Sunday, uPlot's first day
      names.WWWW.push(name(weekday, { weekday: "long", timeZone: "UTC" }));
      names.WWW.push(name(weekday, { weekday: "short", timeZone: "UTC" }).replace(/\.$/, ""));
    }
    return names;
  }

  /* uPlot's own English names on English pages (unchanged); the page's language otherwise. */
  function localised(opts) {
    if (language().split("-")[0] !== "en") {
      var names = dateNames();
      opts.fmtDate = function (template) { return window.uPlot.fmtDate(template, names); };
    }
    return opts;
  }

  function tickValues(digits) {
    var format = numbers(digits, false);
    return function (u, splits) { return splits.map(function (v) { return v == null ? "" : format.format(v); }); };
  }

  var FONT = "13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var LABEL_FONT = "600 13px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var WEEK = 7 * 86400;
  var drawn = [];

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#5a524c";
  }

  function width(el) { return Math.max(240, el.clientWidth || 320); }

  function axis(extra) {
    var grid = { stroke: css("--line"), width: 1 };
    var base = { stroke: css("--text"), font: FONT, labelFont: LABEL_FONT, grid: grid, ticks: grid };
    for (var key in extra) base[key] = extra[key];
    return base;
  }

  /* A time axis never narrower than a few weeks: left to itself, uPlot spreads a single
     point (or a few days) over years, and the labels say 2027-2029 around one dot. */
  function timeRange(u, min, max) {
    var xs = u.data && u.data[0];
    if (xs && xs.length) { min = xs[0]; max = xs[xs.length - 1]; }
    if (min == null || max == null) return [min, max];
    var span = max - min;
    if (span >= 4 * WEEK) return [min, max];
    var pad = (4 * WEEK - span) / 2;
    return [min - pad, max + pad];
  }

  /* The legend shows the latest point with a value until the person points at another one. */
  function latest(u) {
    var xs = u.data[0];
    for (var i = xs.length - 1; i >= 0; i--) {
      for (var s = 1; s < u.data.length; s++) if (u.data[s][i] != null) return i;
    }
    return xs.length - 1;
  }

  function keepLegend(u) {
    if (u.legend.idx == null && u.data[0].length) u.setLegend({ idx: latest(u) });
  }

  function value(digits) {
    var format = numbers(digits, true);
    return function (u, v) { return v == null ? gettext("none yet") : format.format(v); };
  }

  function lineChart(el, xs, series, yRange, yLabel) {
    var colours = [css("--accent"), css("--focus")];
    var dashes = [[], [6, 4]];  // the second line is dashed: colour is never the only difference
    var opts = localised({
      width: width(el), height: 220, legend: { show: true, live: true },
      scales: { x: { time: true, range: timeRange }, y: { range: yRange } },
      axes: [axis({ space: 70 }), axis({ label: yLabel, size: 52, values: tickValues(1) })],
      series: [{ label: gettext("Week of"), value: "{D} {MMM} {YYYY}" }].concat(series.map(function (s, i) {
        return { label: s.label, stroke: colours[i % 2], dash: dashes[i % 2], width: 2.5, spanGaps: false,
                 points: { show: true, size: 7 }, value: value(1) };
      })),
      hooks: {
        ready: [keepLegend], setLegend: [keepLegend],
        // The axis bounds, for anyone (and any test) reading the page rather than the canvas.
        setScale: [function (u, key) {
          if (key === "x") { el.dataset.xMin = String(u.scales.x.min); el.dataset.xMax = String(u.scales.x.max); }
        }],
      },
    });
    return new window.uPlot(opts, [xs].concat(series.map(function (s) { return s.values; })), el);
  }

  /* Bars with a label under each; y is 0-10. */
  function barsChart(el, labels, values, yLabel) {
    var accent = css("--accent");
    var xs = values.map(function (_, i) { return i; });
    var opts = {
      width: width(el), height: 140, legend: { show: false },
      scales: { x: { time: false, range: [-0.5, values.length - 0.5] }, y: { range: [0, 10] } },
      axes: [
        axis({ values: function () { return labels; }, splits: function () { return xs; }, grid: { show: false } }),
        axis({ size: 36, label: yLabel, values: tickValues(1) }),
      ],
      series: [{}, { label: yLabel, stroke: accent, fill: accent, paths: window.uPlot.paths.bars({ size: [0.6] }),
                     points: { show: false } }],
    };
    return new window.uPlot(opts, [xs, values], el);
  }

  /* Two bars side by side in each group (one per series, named in the legend): the first only
     outlined, the second filled, so colour is never the only difference. */
  function groupedBarsChart(el, groups, series, yLabel) {
    var accent = css("--accent");
    var xs = groups.map(function (_, i) { return i; });
    var opts = {
      width: width(el), height: 170, legend: { show: true, live: false },
      scales: { x: { time: false, range: [-0.6, groups.length - 0.4] }, y: { range: [0, 10] } },
      axes: [
        axis({ values: function () { return groups; }, splits: function () { return xs; }, grid: { show: false } }),
        axis({ size: 36, label: yLabel, values: tickValues(1) }),
      ],
      series: [{}].concat(series.map(function (s, i) {
        var filled = i === series.length - 1;
        return { label: s.label, stroke: accent, width: 2, fill: filled ? accent : "transparent", points: { show: false },
                 paths: window.uPlot.paths.bars({ size: [series.length > 1 ? 0.4 : 0.6], align: series.length > 1 ? (i ? 1 : -1) : 0 }) };
      })),
    };
    return new window.uPlot(opts, [xs].concat(series.map(function (s) { return s.values; })), el);
  }

  /* Where feelings sit: one circle per place, its area growing with the number of check-ins
     there, and the number written beside it (the table below lists the same). */
  function moodChart(el, mood) {
    var accent = css("--accent");
    var ink = css("--text");
    var most = Math.max.apply(null, mood.count.concat([1]));
    function radius(n) { return 5 + 11 * Math.sqrt(n / most); }
    var opts = {
      width: width(el), height: Math.min(340, width(el)), legend: { show: false },
      scales: { x: { time: false, range: [-5.5, 5.5] }, y: { range: [-5.5, 5.5] } },
      axes: [axis({ label: gettext("unpleasant ← → pleasant"), values: tickValues(1) }),
             axis({ label: gettext("low ← energy → high"), size: 52, values: tickValues(1) })],
      series: [{}, { stroke: accent, paths: function () { return null; }, points: { show: false } }],
      hooks: { draw: [function (u) {
        var ctx = u.ctx;
        var dpr = window.devicePixelRatio || 1;
        ctx.save();
        ctx.font = (13 * dpr) + "px system-ui, sans-serif";
        ctx.textBaseline = "middle";
        for (var i = 0; i < mood.x.length; i++) {
          var cx = u.valToPos(mood.x[i], "x", true), cy = u.valToPos(mood.y[i], "y", true);
          var r = radius(mood.count[i]) * dpr;
          ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI);
          ctx.globalAlpha = 0.35; ctx.fillStyle = accent; ctx.fill();
          ctx.globalAlpha = 1; ctx.lineWidth = 2 * dpr; ctx.strokeStyle = accent; ctx.stroke();
          ctx.fillStyle = ink; ctx.fillText(String(mood.count[i]), cx + r + 3 * dpr, cy);
        }
        ctx.restore();
      }] },
    };
    return new window.uPlot(opts, [mood.x, mood.y], el);
  }

  function draw() {
    var node = document.getElementById("insights-data");
    if (!node || !window.uPlot) return;
    var data = JSON.parse(node.textContent);
    drawn.forEach(function (chart) { chart.destroy(); });
    drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.dataset.chart, chart = null;
      if (kind === "numbness" && data.numbness.t.length) {
        chart = lineChart(el, data.numbness.t, [{ label: gettext("Average numbness"), values: data.numbness.mean }], [0, 10],
                          gettext("numbness"));
      } else if (kind === "granularity" && data.granularity.length) {
        chart = lineChart(el, data.granularity.map(function (p) { return p.t; }), [
          { label: gettext("Unpleasant"), values: data.granularity.map(function (p) { return p.negative; }) },
          { label: gettext("Pleasant"), values: data.granularity.map(function (p) { return p.positive; }) },
        ], [0, Math.max(1, Math.ceil(Math.max.apply(null, data.granularity.map(function (p) {
          return Math.max(p.negative || 0, p.positive || 0);
        })) * 2) / 2)], gettext("telling apart"));
      } else if (kind === "mood" && data.mood.x.length) {
        chart = moodChart(el, data.mood);
      } else if (kind === "pattern") {
        var p = data.patterns[Number(el.dataset.index)];
        if (p) chart = barsChart(el, [gettext("with"), gettext("without")], [p.with, p.without], gettext("numbness"));
      } else if (kind === "ups" && data.ups.series.length) {
        chart = groupedBarsChart(el, data.ups.groups, data.ups.series, gettext("strength"));
      } else if (kind === "reminders" && data.reminders.values.length) {
        chart = barsChart(el, data.reminders.labels, data.reminders.values, gettext("numbness"));
      }
      if (chart) drawn.push(chart);
    });
    // The width the charts were last drawn for: lets a test wait for a redraw after a resize.
    document.documentElement.setAttribute("data-charts-width", String(window.innerWidth));
  }

  var lastWidth = window.innerWidth;
  function redrawOnResize() {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    draw();
  }

  function start() {
    draw();
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) scheme.addEventListener("change", draw);
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(redrawOnResize, 150); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
