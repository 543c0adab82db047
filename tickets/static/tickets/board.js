// Live countdowns and a self-refreshing board (our own code; the page works without it).
(function () {
  "use strict";
  function fmt(ms) {
    var late = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var text = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
    return late ? "−" + text : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      el.textContent = fmt(Date.parse(el.dataset.due) - now);
    });
  }
  function refresh() {
    var table = document.querySelector("[data-refresh-url]");
    if (!table || document.activeElement && document.activeElement.tagName === "SELECT") return;
    fetch(table.dataset.refreshUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { document.getElementById("board-rows").innerHTML = html; tick(); } })
      .catch(function () { /* offline for a moment: keep the last board */ });
  }
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, 10000);
})();
