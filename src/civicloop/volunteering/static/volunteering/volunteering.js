// Geolocation for "near me" on the task list and for check-in within a radius.
(function () {
  "use strict";
  var nearTab = document.getElementById("near-tab");
  if (nearTab && navigator.geolocation) {
    var params = new URLSearchParams(window.location.search);
    if (params.get("tab") === "near" && !params.get("lat")) {
      navigator.geolocation.getCurrentPosition(function (pos) {
        params.set("lat", pos.coords.latitude.toFixed(6));
        params.set("lng", pos.coords.longitude.toFixed(6));
        window.location.search = params.toString();
      }, function () {
        var hint = document.getElementById("near-hint");
        if (hint) { hint.textContent = "无法获取位置，请在浏览器中允许定位后重试。"; }
      }, { enableHighAccuracy: true, timeout: 10000 });
    }
  }
  var form = document.getElementById("checkin-form");
  if (form && navigator.geolocation) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      if (sent) { return; }
      event.preventDefault();
      var submit = function () { sent = true; form.submit(); };
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        submit();
      }, submit, { enableHighAccuracy: true, timeout: form.dataset.needsLocation === "1" ? 15000 : 3000 });
    });
  }
})();
