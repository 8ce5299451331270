// The portal's few behaviours; no inline script anywhere.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("[data-print]")) { window.print(); }
    if (el.matches && el.matches("[data-copy]")) {
      var text = document.getElementById(el.getAttribute("data-copy"));
      if (text && navigator.clipboard) { navigator.clipboard.writeText(text.textContent.replace(/\s/g, "")); }
    }
  });
})();
