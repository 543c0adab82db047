// Reception log type-ahead (our own code; the form works without it: type the unit code, name
// and phone, and the server finds the resident). Results are inserted as text, never as HTML.
(function () {
  "use strict";
  var script = document.getElementById("lookup-script");
  var input = document.querySelector("input[data-lookup]");
  var list = document.getElementById("lookup-results");
  if (!script || !input || !list) return;
  var url = script.dataset.url, timer = null, last = "", seq = 0;
  function field(name) { return input.form.elements[name]; }
  function hide() { list.hidden = true; list.textContent = ""; }
  function choose(row) {
    field("resident").value = row.id;
    field("unit_code").value = row.unit;
    field("caller_name").value = row.name;
    if (row.phone.indexOf("*") === -1) field("caller_phone").value = row.phone;
    var estate = field("estate");
    if (estate) estate.value = row.estate;
    input.value = row.unit + " " + row.name;
    hide();
    field("category").focus();
  }
  function render(rows) {
    list.textContent = "";
    rows.forEach(function (row) {
      var li = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "option");
      button.textContent = row.unit + " · " + row.name + " · " + row.role + " · " + row.phone +
        (row.estate_name ? " · " + row.estate_name : "");
      button.addEventListener("click", function () { choose(row); });
      li.appendChild(button);
      list.appendChild(li);
    });
    list.hidden = rows.length === 0;
  }
  function search() {
    var q = input.value.trim();
    if (q === last) return;
    last = q;
    field("resident").value = "";
    if (q.length < 2) { hide(); return; }
    var mine = ++seq;
    fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (mine === seq) render(data.results || []); })
      .catch(function () { hide(); });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && !list.hidden) { e.preventDefault(); var b = list.querySelector("button"); if (b) b.focus(); }
    if (e.key === "Escape") hide();
  });
  list.addEventListener("keydown", function (e) {
    var current = document.activeElement.parentElement;
    if (e.key === "ArrowDown" && current.nextElementSibling) { e.preventDefault(); current.nextElementSibling.firstChild.focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (current.previousElementSibling ? current.previousElementSibling.firstChild : input).focus(); }
    if (e.key === "Escape") { hide(); input.focus(); }
  });
})();
