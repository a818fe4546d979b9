// Progressive enhancement for the letter forms; they work the same without this file.
(function () {
  "use strict";

  // A character counter under the letter, announced politely to screen readers.
  function addCounter(textarea) {
    var max = parseInt(textarea.getAttribute("data-max-length"), 10);
    if (!max) { return; }
    var counter = document.createElement("p");
    counter.className = "letters-counter";
    counter.id = textarea.id + "_counter";
    counter.setAttribute("aria-live", "polite");
    textarea.parentNode.insertBefore(counter, textarea.nextSibling);
    var described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    var leftText = textarea.getAttribute("data-counter-left") || "%(count)s";
    var overText = textarea.getAttribute("data-counter-over") || "-%(count)s";
    function update() {
      var left = max - textarea.value.length;
      var text = left >= 0 ? leftText : overText;
      counter.textContent = text.replace("%(count)s", String(Math.abs(left)));
      counter.classList.toggle("letters-counter--over", left < 0);
    }
    textarea.addEventListener("input", update);
    update();
  }

  // One press of Send is enough: a double click must not send the letter twice (the server
  // also refuses a resubmitted form).
  function guardSubmit(form) {
    form.addEventListener("submit", function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      window.setTimeout(function () {
        for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
      }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("textarea[data-letter-body]");
    for (var i = 0; i < areas.length; i++) { addCounter(areas[i]); }
    var forms = document.querySelectorAll("form[data-letter-form]");
    for (var j = 0; j < forms.length; j++) { guardSubmit(forms[j]); }
  });
})();
