/* Tumorboard: the few behaviours htmx does not cover. Loaded as a file (CSP script-src 'self'). */
(function () {
  "use strict";

  /* Lesion forms: show only the fields that apply to the chosen site (SINS/ESCC for a vertebra, Mirels
     for a limb bone). The server renders the same visibility, so this only reacts to a change of site. */
  function applySite(fieldset) {
    var select = fieldset.querySelector("select[data-site], select[data-controls]");
    if (!select) { return; }
    var option = select.options[select.selectedIndex];
    var groups = option ? (option.getAttribute("data-group") || "").split(" ") : [];
    fieldset.querySelectorAll("[data-applies]").forEach(function (el) {
      var show = el.getAttribute("data-applies").split(" ").some(function (a) { return groups.indexOf(a) !== -1; });
      el.hidden = !show;
      el.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }
  function initLesions(root) {
    root.querySelectorAll("fieldset[data-lesion], [data-depends]").forEach(function (fieldset) {
      var select = fieldset.querySelector("select[data-site], select[data-controls]");
      if (select && !select.hasAttribute("data-bound")) {
        select.setAttribute("data-bound", "");
        select.addEventListener("change", function () { applySite(fieldset); });
      }
      applySite(fieldset);
    });
  }

  /* Toasts: dismiss on click, and by themselves after a while (errors stay until dismissed). */
  function initToasts(root) {
    root.querySelectorAll(".toast").forEach(function (toast) {
      var button = toast.querySelector("button");
      if (button && !button.hasAttribute("data-bound")) {
        button.setAttribute("data-bound", "");
        button.addEventListener("click", function () { toast.remove(); });
      }
      if (!toast.classList.contains("error") && !toast.hasAttribute("data-timed")) {
        toast.setAttribute("data-timed", "");
        window.setTimeout(function () { toast.remove(); }, 8000);
      }
    });
  }

  /* Printing: open every breakdown so the printed case carries the full reasoning. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });

  function init(root) { initLesions(root); initToasts(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
