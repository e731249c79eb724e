// nlactions pages: a little progressive enhancement. Every page works without it.
(function () {
  "use strict";

  // Type-to-filter a select's options or a group of checkboxes: <input data-filter-for="ID">.
  function filterTarget(input) {
    var target = document.getElementById(input.getAttribute("data-filter-for"));
    if (!target) return;
    var words = input.value.toLowerCase().trim();
    var items = target.tagName === "SELECT" ? target.querySelectorAll("option") : target.querySelectorAll("label");
    items.forEach(function (item) {
      var keep = !words || item.textContent.toLowerCase().indexOf(words) !== -1 || (item.value === "");
      item.hidden = !keep;
    });
  }

  // Show only the panel of the chosen mode in each need's fieldset.
  function showMode(fieldset) {
    var checked = fieldset.querySelector("input[type=radio][name^='mode__']:checked");
    var mode = checked ? checked.value : "guess";
    fieldset.querySelectorAll("[data-mode-panel]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-mode-panel") !== mode;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-filter-for]").forEach(function (input) {
      input.addEventListener("input", function () { filterTarget(input); });
    });
    document.querySelectorAll("fieldset[data-need]").forEach(function (fieldset) {
      showMode(fieldset);
      fieldset.addEventListener("change", function (event) {
        if (event.target.name && event.target.name.indexOf("mode__") === 0) showMode(fieldset);
      });
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        if (!source || !navigator.clipboard) return;
        navigator.clipboard.writeText(source.textContent).then(function () {
          var before = button.textContent;
          button.textContent = "Copied";
          window.setTimeout(function () { button.textContent = before; }, 1500);
        });
      });
    });
  });
})();
