// Lists of cases (the queues, the ledger): select every row of the page at once, and send
// the page's current filters with a form that saves them or returns to them.
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    if (!box.matches || !box.matches("input[data-select-all]")) { return; }
    var form = box.form || box.closest("form");
    var scope = box.closest("table") || document;
    scope.querySelectorAll('input[type=checkbox][name="cases"]').forEach(function (row) {
      if (!form || row.form === form) { row.checked = box.checked; }
    });
  });
  document.addEventListener("submit", function (ev) {
    // The filters may have changed without a page load (the ledger's are applied in place).
    var query = window.location.search.replace(/^\?/, "");
    ev.target.querySelectorAll("input[data-current-query]").forEach(function (input) {
      input.value = query;
    });
  }, true);
})();
