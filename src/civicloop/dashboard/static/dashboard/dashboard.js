// 数据驾驶舱: draws each table's chart (ECharts) and the map of open cases (Leaflet).
// Data comes from json_script blocks; every chart's numbers are in the table beside it.
(function () {
  "use strict";

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  var light = document.body.classList.contains("light");
  var ink = light ? "#1f2328" : "#c9d6ea";
  var grid = light ? "#d0d7de" : "#23406e";
  var palette = light
    ? ["#b71c1c", "#0b57d0", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0a7ea4", "#57606a"]
    : ["#36cfc9", "#fadb14", "#ff7a45", "#597ef7", "#73d13d", "#f759ab", "#9254de", "#40a9ff"];

  function label(table, key) {
    for (var i = 0; i < table.columns.length; i++) {
      if (table.columns[i].key === key) { return table.columns[i].label; }
    }
    return key;
  }

  function rowsOf(table) {
    var only = table.chart && table.chart.only;
    return only ? only.map(function (i) { return table.rows[i]; }).filter(Boolean) : table.rows;
  }

  function num(v) { return typeof v === "number" ? v : 0; }

  function option(table) {
    var chart = table.chart, rows = rowsOf(table);
    var base = {
      color: palette,
      textStyle: { color: ink, fontFamily: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" },
      tooltip: { trigger: chart.type === "pie" || chart.type === "funnel" ? "item" : "axis" },
      animation: !light
    };
    var names = rows.map(function (r) { return String(r[chart.x]); });
    if (chart.type === "pie") {
      base.legend = { type: "scroll", bottom: 0, textStyle: { color: ink } };
      base.series = [{
        type: "pie", radius: ["42%", "70%"], center: ["50%", "44%"], avoidLabelOverlap: true,
        label: { color: ink, formatter: "{b}\n{d}%" },
        data: rows.map(function (r) { return { name: String(r[chart.x]), value: num(r[chart.series[0]]) }; })
      }];
      return base;
    }
    if (chart.type === "funnel") {
      base.series = [{
        type: "funnel", left: "10%", width: "80%", sort: "none", gap: 3,
        label: { color: light ? "#fff" : "#071530", formatter: "{b} {c}" },
        data: rows.map(function (r) { return { name: String(r[chart.x]), value: num(r[chart.series[0]]) }; })
      }];
      return base;
    }
    if (chart.type === "hbar") {
      var top = rows.slice(0, chart.limit || 12).reverse();
      base.grid = { left: 8, right: 24, top: 28, bottom: 8, containLabel: true };
      base.legend = { top: 0, textStyle: { color: ink } };
      base.xAxis = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: grid } }, axisLabel: { color: ink } };
      base.yAxis = { type: "category", data: top.map(function (r) { return String(r[chart.x]); }),
        axisLine: { lineStyle: { color: grid } }, axisLabel: { color: ink } };
      base.series = chart.series.map(function (key) {
        return { name: label(table, key), type: "bar", barMaxWidth: 14,
          data: top.map(function (r) { return num(r[key]); }) };
      });
      return base;
    }
    base.grid = { left: 48, right: 16, top: 36, bottom: 56 };
    base.legend = { top: 0, textStyle: { color: ink } };
    base.xAxis = { type: "category", data: names, axisLine: { lineStyle: { color: grid } },
      axisLabel: { color: ink, rotate: names.length > 8 ? 40 : 0 } };
    base.yAxis = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: grid } }, axisLabel: { color: ink } };
    base.series = chart.series.map(function (key) {
      return {
        name: label(table, key), type: chart.type, smooth: chart.type === "line" ? 0.25 : false,
        areaStyle: chart.type === "line" ? { opacity: 0.15 } : undefined,
        barMaxWidth: 36, symbolSize: 6,
        data: rows.map(function (r) { return num(r[key]); })
      };
    });
    return base;
  }

  function drawCharts() {
    var data = readJSON("dash-data");
    if (!data || !window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var table = data[node.dataset.chart];
      if (!table || !table.chart || !table.rows.length) { return; }
      try {
        var chart = window.echarts.init(node, null, { renderer: light ? "svg" : "canvas" });
        chart.setOption(option(table));
        charts.push(chart);
      } catch (e) {
        // One chart's failure must not hide the others; its table is still there.
        node.hidden = true;
        if (window.console) { window.console.error("chart " + table.id + ": " + e); }
      }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  function drawMap() {
    var node = document.getElementById("dash-map");
    var data = readJSON("dash-map-data");
    if (!node || !data || !window.L) { return; }
    var map = window.L.map(node, { scrollWheelZoom: false, attributionControl: false });
    // Vector layers need a view before they are added; fitBounds below refines it.
    map.setView([41.12, 122.07], 12);
    if (node.dataset.tiles) {
      window.L.tileLayer(node.dataset.tiles, { subdomains: node.dataset.subdomains || "abc", maxZoom: 18 }).addTo(map);
    }
    var most = 1;
    data.grids.forEach(function (g) { most = Math.max(most, g.open); });
    var bounds = [];
    var layer = window.L.geoJSON(data.grids.map(function (g) {
      return { type: "Feature", properties: g, geometry: g.geometry };
    }), {
      // The density layer: a grid's shade grows with its open cases.
      style: function (f) {
        var share = f.properties.open / most;
        return { color: light ? "#57606a" : "#4f86c6", weight: 1,
          fillColor: "#ff4d4f", fillOpacity: f.properties.open ? 0.12 + 0.5 * share : 0.03 };
      },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.name + "：" + f.properties.open); }
    }).addTo(map);
    if (data.grids.length) { bounds.push(layer.getBounds()); }
    data.points.forEach(function (p) {
      window.L.circleMarker([p[0], p[1]], {
        radius: p[2] ? 6 : 4, weight: 1, color: p[2] ? "#ff4d4f" : "#fadb14",
        fillColor: p[2] ? "#ff4d4f" : "#fadb14", fillOpacity: 0.85
      }).addTo(map);
    });
    if (data.points.length) {
      bounds.push(window.L.latLngBounds(data.points.map(function (p) { return [p[0], p[1]]; })));
    }
    if (bounds.length) {
      var all = bounds[0];
      bounds.slice(1).forEach(function (b) { all.extend(b); });
      if (all.isValid()) { map.fitBounds(all.pad(0.05)); }
    }
  }

  function start() {
    try { drawCharts(); } finally { drawMap(); }
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
