/* The move-in board refreshes its tallies and rows every few seconds without reloading the page
   (like the dashboard): it fetches the board fragment and swaps it in. Without JavaScript the
   page works, just not live. Paused while the tab is hidden; a failed fetch keeps what is shown. */
(function () {
  "use strict";
  var box = document.getElementById("movein-board");
  if (!box || !window.fetch) { return; }
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
})();
