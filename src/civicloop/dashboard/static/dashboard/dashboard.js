// 数据驾驶舱: draws each table's chart (ECharts) and the map of open cases (Leaflet).
// Data comes from json_script blocks; every chart's numbers are in the table beside it, so the
// page is complete before any of this runs. The libraries are fetched only when a chart or the
// map comes near the screen (ECharts' "common" build: line, bar, pie, legend, tooltip, SVG), and
// each chart is drawn when it is about to be seen; printing (the report's button or the browser's
// menu) draws every chart first.
(function () {
  "use strict";

  var script = document.currentScript;
  var assets = script ? script.dataset : {};

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
      // A pipeline (collected → verified → claimed → …), read top to bottom as labelled bars:
      // ECharts' smaller build has no funnel series, and bars compare the stages more exactly.
      var stages = rows.slice().reverse();
      base.tooltip.trigger = "axis";
      base.grid = { left: 8, right: 40, top: 8, bottom: 8, containLabel: true };
      base.xAxis = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: grid } }, axisLabel: { color: ink } };
      base.yAxis = { type: "category", data: stages.map(function (r) { return String(r[chart.x]); }),
        axisLine: { lineStyle: { color: grid } }, axisLabel: { color: ink } };
      base.series = [{
        name: label(table, chart.series[0]), type: "bar", barMaxWidth: 22,
        label: { show: true, position: "right", color: ink },
        data: stages.map(function (r) { return num(r[chart.series[0]]); })
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
        name: label(table, key), type: chart.type, smooth: false,
        areaStyle: chart.type === "line" ? { opacity: 0.15 } : undefined,
        barMaxWidth: 36, symbolSize: 6,
        data: rows.map(function (r) { return num(r[key]); })
      };
    });
    return base;
  }

  function drawMap(node) {
    var data = readJSON("dash-map-data");
    if (!data || !window.L) { return; }
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

  // Scripts and styles fetched on demand, each once; a failed fetch resolves to false.
  var fetched = {};
  function fetchOnce(src, make) {
    if (!fetched[src]) {
      fetched[src] = new Promise(function (resolve) {
        if (!src) { resolve(false); return; }
        var tag = make(src);
        tag.onload = function () { resolve(true); };
        tag.onerror = function () { resolve(false); };
        document.head.appendChild(tag);
      });
    }
    return fetched[src];
  }
  function fetchScript(src) {
    return fetchOnce(src, function () {
      var tag = document.createElement("script");
      tag.src = src;
      return tag;
    });
  }
  function fetchStyle(href) {
    return fetchOnce(href, function () {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      return link;
    });
  }

  var data = null;
  var charts = [];
  function drawChart(node) {
    if (node.dataset.drawn) { return; }
    node.dataset.drawn = "1";
    data = data || readJSON("dash-data") || {};
    var table = data[node.dataset.chart];
    if (!table || !table.chart || !table.rows.length) { node.hidden = true; return; }
    try {
      var chart = window.echarts.init(node, null, { renderer: light ? "svg" : "canvas" });
      chart.setOption(option(table));
      charts.push(chart);
    } catch (e) {
      // One chart's failure must not hide the others; its table is still there.
      node.hidden = true;
      if (window.console) { window.console.error("chart " + table.id + ": " + e); }
    }
  }

  // Draws the given charts once ECharts is there; without it the tables stand alone.
  function withCharts(nodes) {
    return fetchScript(assets.echarts).then(function (ok) {
      if (!ok || !window.echarts) {
        nodes.forEach(function (node) { node.hidden = true; });
        return;
      }
      nodes.forEach(drawChart);
    });
  }

  function withMap(node) {
    // Leaflet positions its panes with its stylesheet: draw once both are in.
    return Promise.all([fetchStyle(assets.leafletCss), fetchScript(assets.leaflet)]).then(function (ok) {
      if (ok[1]) { drawMap(node); } else { node.hidden = true; }
    });
  }

  function allCharts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  }

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }

  function afterLoad(then) {
    if (document.readyState === "complete") { then(); } else { window.addEventListener("load", then); }
  }

  function start() {
    var nodes = allCharts();
    var map = document.getElementById("dash-map");
    if (!("IntersectionObserver" in window)) {
      afterLoad(function () {
        if (map) { withMap(map); }
        if (nodes.length) { withCharts(nodes); }
      });
    } else {
      var watcher = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) { return; }
          watcher.unobserve(entry.target);
          if (entry.target === map) { withMap(map); } else { withCharts([entry.target]); }
        });
      }, { rootMargin: "0px 0px 120px 0px" });
      nodes.forEach(function (node) { watcher.observe(node); });
      if (map) { watcher.observe(map); }
    }
    if (nodes.length && document.body.classList.contains("dash-print")) {
      // The printed report: ECharts is fetched once the page has loaded, so that printing from
      // the browser menu (below) can draw the charts not yet scrolled to.
      afterLoad(function () { fetchScript(assets.echarts); });
    }
    // Printing from the browser menu: draw whatever ECharts can draw right now, at paper size.
    window.addEventListener("beforeprint", function () {
      if (window.echarts) { nodes.forEach(drawChart); }
      resizeAll();
    });
    window.addEventListener("afterprint", resizeAll);
    var pending = 0;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(resizeAll, 150);
    });
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () {
        withCharts(nodes).then(function () { window.print(); });
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
