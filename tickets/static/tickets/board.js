// Live countdowns and a self-refreshing board (our own code; the page works without it).
(function () {
  "use strict";
  // Time left as h:mm:ss; once the deadline has passed, the word for overdue (never "−19:17:19").
  function fmt(ms, overdue) {
    if (ms <= 0) return overdue;
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(sec).padStart(2, "0");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      el.textContent = fmt(Date.parse(el.dataset.due) - now, el.dataset.overdue);
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
