// The technician's job list keeps its place: after a tap the page comes back with #job-<id>;
// without a fragment (a reload, the back button) the last scroll position is restored.
(function () {
  "use strict";
  var key = "propserv.jobs.scroll";
  if (!window.location.hash) {
    var y = parseInt(window.sessionStorage.getItem(key) || "", 10);
    if (!isNaN(y)) window.scrollTo(0, y);
  }
  window.addEventListener("pagehide", function () {
    window.sessionStorage.setItem(key, String(window.scrollY));
  });
})();
