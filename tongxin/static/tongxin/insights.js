/* 数据驾驶舱: the children's bar chart and the 12-month trend (ECharts), the map of the
   children's areas coloured by the chosen metric (Leaflet), and drill-down by clicking a bar,
   a region or a table row. Data comes from the page's JSON blocks (no inline script: CSP). */
(function () {
  "use strict";
  // One palette: the Party red, its tints, and two neutrals for the trend's further series.
  var PALETTE = ["#C8161D", "#E5646A", "#8A1015", "#D98E04", "#2F6690", "#5C636A"];
  var SCALE = ["#FBE3E4", "#F3B1B4", "#E5646A", "#C8161D", "#8A1015"];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function small() { return window.innerWidth < 576; }

  function bars() {
    var el = document.getElementById("tx-bars");
    var d = data("tx-chart-data");
    if (!el || !d || typeof echarts === "undefined") { return; }
    var rows = d.bars.slice().sort(function (a, b) { return b.value - a.value; }).slice(0, 20);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      color: PALETTE,
      grid: { left: small() ? 90 : 160, right: 24, top: 8, bottom: 24 },
      tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + p.value + " " + d.unit; } },
      xAxis: { type: "value", axisLabel: { fontSize: 11 } },
      yAxis: {
        type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
        axisLabel: { fontSize: 11, width: small() ? 80 : 150, overflow: "truncate" }
      },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), barMaxWidth: 18 }]
    });
    chart.on("click", function (p) { window.location.href = rows[p.dataIndex].url; });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function trend() {
    var el = document.getElementById("tx-trend");
    var d = data("tx-trend-data");
    if (!el || !d || typeof echarts === "undefined") { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var pct = d.series.filter(function (s) { return s.unit === "%"; });
    var counts = d.series.filter(function (s) { return s.unit !== "%"; });
    var series = counts.map(function (s) {
      return { name: s.name + "（" + s.unit + "）", type: "line", yAxisIndex: 0, data: s.data, smooth: true };
    }).concat(pct.map(function (s) {
      return { name: s.name + "（%）", type: "line", yAxisIndex: 1, data: s.data, lineStyle: { type: "dashed" } };
    }));
    chart.setOption({
      animation: false,
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 48, right: 40, top: 40, bottom: 28 },
      xAxis: { type: "category", data: d.months, axisLabel: { fontSize: 11 } },
      yAxis: [{ type: "value", axisLabel: { fontSize: 11 } },
              { type: "value", max: 100, min: 0, axisLabel: { fontSize: 11, formatter: "{value}%" } }],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function map() {
    var el = document.getElementById("tx-map");
    var d = data("tx-map-data");
    if (!el || !d || !d.regions.length || typeof L === "undefined") { return; }
    var m = L.map(el, { zoomControl: false, attributionControl: false });
    L.control.zoom({
      zoomInTitle: el.getAttribute("data-zoom-in") || "+",
      zoomOutTitle: el.getAttribute("data-zoom-out") || "-"
    }).addTo(m);
    var values = d.regions.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    var lo = Math.min.apply(null, values.concat([0])), hi = Math.max.apply(null, values.concat([0]));
    function colour(v) {
      if (v === null) { return "#E5E7EB"; }
      var i = hi > lo ? Math.min(SCALE.length - 1, Math.floor((v - lo) / (hi - lo) * SCALE.length)) : SCALE.length - 1;
      return SCALE[i];
    }
    var layer = L.geoJSON({
      type: "FeatureCollection",
      features: d.regions.map(function (r) { return { type: "Feature", geometry: r.geometry, properties: r }; })
    }, {
      style: function (f) {
        return { color: "#ffffff", weight: 1.5, fillColor: colour(f.properties.value), fillOpacity: 0.9 };
      },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(f.properties.name + "：" + f.properties.text, { sticky: true });
        lyr.on("click", function () { window.location.href = f.properties.url; });
      }
    }).addTo(m);
    m.fitBounds(layer.getBounds(), { padding: [8, 8] });
  }

  function rows() {
    document.querySelectorAll("tr[data-href]").forEach(function (tr) {
      tr.addEventListener("click", function (e) {
        if (e.target.closest("a")) { return; }
        window.location.href = tr.getAttribute("data-href");
      });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  // 大屏: a full reload every data-refresh seconds (fresh figures, and the browser frees what
  // the charts held; a meta refresh would trouble screen-reader users of the other pages).
  function refresh() {
    var every = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
    if (every > 0) { window.setTimeout(function () { window.location.reload(); }, every * 1000); }
  }

  function start() { rows(); bars(); trend(); map(); refresh(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
