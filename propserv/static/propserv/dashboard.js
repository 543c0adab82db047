/* Live boards — the managers' dashboard, the move-in batch board — refresh every few seconds
   without reloading the page: each element with data-refresh-url fetches its fragment and swaps
   it in. Without JavaScript the page works, just not live. Paused while the tab is hidden; a
   failed fetch keeps what is shown. */
(function () {
  "use strict";
  if (!window.fetch) { return; }
  function live(box) {
    var url = box.getAttribute("data-refresh-url");
    var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 10;
    var busy = false;
    function refresh() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null) { box.innerHTML = html; box.setAttribute("data-refreshed", "1"); }
        })
        .catch(function () { /* keep what is shown; the next tick tries again */ })
        .then(function () { busy = false; });
    }
    window.setInterval(refresh, seconds * 1000);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-url]"), live);
})();
