// The case page's map: the reported point over the grid outlines.
(function () {
  "use strict";
  var element = document.getElementById("case-map");
  if (!element || !window.L || !window.civicloopMap) { return; }
  var lat = parseFloat(element.dataset.lat), lng = parseFloat(element.dataset.lng);
  var state = window.civicloopMap.create(element, { lat: lat, lng: lng, zoom: 16 });
  L.circleMarker([lat, lng], { radius: 9, color: "#b71c1c", weight: 3, fillOpacity: 0.6 }).addTo(state.map);
})();
