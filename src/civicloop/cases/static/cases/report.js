// The 随手拍 form: pick a point on the map or use 定位, count photos, take a suggested category.
(function () {
  "use strict";
  var element = document.getElementById("pick-map");
  var latInput = document.getElementById("id_lat");
  var lngInput = document.getElementById("id_lng");
  var picked = document.getElementById("picked");
  var marker = null, state = null;

  function describe(lat, lng) {
    var grid = state ? window.civicloopMap.gridAt(state.grids, lat, lng) : null;
    var where = grid ? (grid.community + " · " + grid.name) : "网格外，由区指挥中心受理";
    picked.textContent = "已选位置：" + lat.toFixed(5) + ", " + lng.toFixed(5) + "（" + where + "）";
  }
  function pick(lat, lng, pan) {
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
    if (state) {
      if (marker) { marker.setLatLng([lat, lng]); }
      else { marker = L.circleMarker([lat, lng], { radius: 10, color: "#b71c1c", weight: 3, fillColor: "#ff5252", fillOpacity: 0.7 }).addTo(state.map); }
      if (pan) { state.map.setView([lat, lng], 16); }
    }
    describe(lat, lng);
  }

  if (element && window.L && window.civicloopMap) {
    state = window.civicloopMap.create(element, {
      lat: 41.115, lng: 122.045, zoom: 13,
      onGrids: function () { if (latInput.value) { describe(parseFloat(latInput.value), parseFloat(lngInput.value)); } },
    });
    state.map.on("click", function (event) { pick(event.latlng.lat, event.latlng.lng, false); });
    if (latInput.value && lngInput.value) { pick(parseFloat(latInput.value), parseFloat(lngInput.value), true); }
  }

  var locate = document.getElementById("locate");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { picked.textContent = "此浏览器不支持定位，请在地图上选择或填写地址"; return; }
      picked.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(
        function (pos) { pick(pos.coords.latitude, pos.coords.longitude, true); },
        function () { picked.textContent = "定位失败，请在地图上选择或填写地址"; },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }

  var photos = document.getElementById("id_photos");
  var count = document.getElementById("photo-count");
  if (photos && count) {
    photos.addEventListener("change", function () {
      var n = photos.files.length, max = parseInt(photos.dataset.max || "9", 10);
      count.textContent = n ? ("已选 " + n + " 张照片" + (n > max ? "，最多 " + max + " 张" : "")) : "";
      count.className = n > max ? "photo-count field-error" : "photo-count muted";
    });
  }

  document.addEventListener("click", function (event) {
    var chip = event.target.closest ? event.target.closest(".pick-category") : null;
    if (!chip) { return; }
    var select = document.getElementById("id_category");
    if (select) { select.value = chip.dataset.code; select.dispatchEvent(new Event("change")); }
    chip.parentNode.querySelectorAll(".pick-category").forEach(function (c) { c.setAttribute("aria-pressed", c === chip ? "true" : "false"); });
  });
})();
