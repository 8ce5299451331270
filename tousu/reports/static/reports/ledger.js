// The ledger's one behaviour: a filter the server refuses (400) still shows its message.
// htmx leaves error responses unswapped by default; the ledger's answer to a bad filter is
// a page fragment naming the problem, so it is swapped in like any other result.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var detail = ev.detail;
    var target = detail && detail.target;
    if (detail.xhr && detail.xhr.status === 400 && target && target.id === "ledger-results") {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
