// Study pages: switching the branch of the session form reloads its member list.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-reload]")) {
      var url = new URL(window.location.href);
      url.searchParams.set(select.name, select.value);
      window.location.assign(url.toString());
    }
  });
})();
