// Shared Leaflet helpers for the 随手拍 pages: tiles when reachable, grid outlines always
// (vector layers from /api/v1/grids), so the map is useful on an intranet without tiles.
(function () {
  "use strict";
  function insideRing(lat, lng, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (((yi > lat) !== (yj > lat)) && (lng < (xj - xi) * (lat - yi) / (yj - yi) + xi)) { inside = !inside; }
    }
    return inside;
  }
  function gridAt(grids, lat, lng) {
    for (var k = 0; k < grids.length; k++) {
      var g = grids[k].geometry;
      if (!g) { continue; }
      var polys = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      for (var p = 0; p < polys.length; p++) {
        if (insideRing(lat, lng, polys[p][0])) { return grids[k]; }
      }
    }
    return null;
  }
  function create(element, options) {
    var map = L.map(element, { zoomControl: true, attributionControl: false });
    var url = element.dataset.tileUrl;
    if (url) {
      L.tileLayer(url, { subdomains: element.dataset.tileSubdomains || "abc", maxZoom: 19 }).addTo(map);
    }
    map.setView([options.lat || 41.12, options.lng || 122.07], options.zoom || 13);
    var state = { map: map, grids: [] };
    element.civicloopMap = map; // lets tests and other scripts find the map
    if (element.dataset.gridsUrl) {
      fetch(element.dataset.gridsUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (grids) {
          state.grids = grids;
          var labels = [];
          grids.forEach(function (g) {
            if (!g.geometry) { return; }
            var layer = L.geoJSON(g.geometry, {
              style: { color: "#b71c1c", weight: 1, fillOpacity: 0.04 },
              interactive: false,
            }).addTo(map);
            // The name sits at the grid's northern edge, clear of a picked point at its centre.
            var bounds = layer.getBounds();
            labels.push(L.tooltip({ permanent: true, direction: "bottom", className: "grid-label", interactive: false })
              .setLatLng([bounds.getNorth(), bounds.getCenter().lng]).setContent(g.name));
          });
          // Grid names only when zoomed in far enough to read them.
          var toggle = function () {
            var show = map.getZoom() >= 15;
            labels.forEach(function (l) { if (show) { l.addTo(map); } else { l.remove(); } });
          };
          map.on("zoomend", toggle);
          toggle();
          if (options.onGrids) { options.onGrids(grids); }
        })
        .catch(function () { /* the map still works without outlines */ });
    }
    return state;
  }
  window.civicloopMap = { create: create, gridAt: gridAt };
})();
