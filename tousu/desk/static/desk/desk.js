// The desk's few behaviours. No inline script anywhere: this file is the only one.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    // Ctrl+Enter submits the form being typed in (quick registration, action forms).
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      var form = ev.target.closest && ev.target.closest("form[data-ctrl-enter]");
      if (form) { ev.preventDefault(); form.requestSubmit(); }
    }
  });
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    // A reply template fills the reply text (which stays editable).
    if (el.matches && el.matches("select[data-template-for]")) {
      var option = el.options[el.selectedIndex];
      var body = document.getElementById(el.getAttribute("data-template-for"));
      if (body && option && option.dataset.body) { body.value = option.dataset.body; body.focus(); }
    }
    // The organisation switcher goes to the chosen organisation's desk.
    if (el.closest && el.closest("form[data-org-switch]")) { window.location = el.value; }
  });
  // A field of one type only (a mediation's outcome, a sealing's witnesses, a fine's
  // amount) shows while that type is chosen; hidden, it is disabled and not sent.
  function syncConditional(root) {
    (root || document).querySelectorAll("[data-when]").forEach(function (wrap) {
      var control = document.getElementById(wrap.getAttribute("data-when"));
      if (!control) { return; }
      var show = wrap.getAttribute("data-when-values").split(" ").indexOf(control.value) >= 0;
      wrap.hidden = !show;
      wrap.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  document.addEventListener("change", function (ev) {
    var form = ev.target.closest && ev.target.closest("form");
    if (form && form.querySelector("[data-when]")) { syncConditional(form); }
  });
  document.addEventListener("DOMContentLoaded", function () { syncConditional(document); });
  document.addEventListener("click", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-print]")) { window.print(); }
  });
  // Anonymous: the identity fields are not asked for.
  function syncAnonymous() {
    var box = document.getElementById("anonymous");
    if (!box) { return; }
    ["c_name", "c_phone", "c_address", "c_email", "c_id_number", "c_employer", "c_consent"].forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.disabled = box.checked; }
    });
  }
  document.addEventListener("change", function (ev) { if (ev.target.id === "anonymous") { syncAnonymous(); } });
  document.addEventListener("DOMContentLoaded", syncAnonymous);
})();
