// Print buttons (data-print) without inline handlers: the Content-Security-Policy allows no
// inline script (docs/deploy.md, "Security settings").
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
