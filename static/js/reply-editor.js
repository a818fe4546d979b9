// The reply editor in the staff workspace: autosave a moment after typing stops, and insert
// reply templates at the cursor. Without this script the form's own buttons do the same.
(function () {
  "use strict";
  var DELAY_MS = 2000;

  function setUp(form) {
    var url = form.getAttribute("data-autosave-url");
    var body = form.querySelector("[data-reply-body]");
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var inFlight = false;
    var again = false;

    function say(text) {
      if (status) { status.textContent = text; }
    }

    function save() {
      timer = null;
      if (inFlight) { again = true; return; }
      inFlight = true;
      // The form itself carries the CSRF token (csrfmiddlewaretoken), so FormData sends it.
      var data = new FormData(form);
      data.set("action", "save");
      fetch(url, { method: "POST", body: data, credentials: "same-origin",
                   headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.json().then(function (json) { return json; }, function () {
            return { ok: false, errors: [response.statusText] };
          });
        })
        .then(function (json) {
          say(json.ok ? json.message : (json.errors || []).join(" "));
        })
        .catch(function () { say(form.getAttribute("data-offline-text") || "…"); })
        .then(function () {
          inFlight = false;
          if (again) { again = false; schedule(); }
        });
    }

    function schedule() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);

    var insert = form.querySelector("[data-insert-template]");
    var select = form.querySelector("select[name=template]");
    if (insert && select && body) {
      insert.addEventListener("click", function (event) {
        var source = form.querySelector('template[data-template-body="' + select.value + '"]');
        if (!source) { return; }
        event.preventDefault();
        var text = source.content ? source.content.textContent : source.textContent;
        var start = body.selectionStart, end = body.selectionEnd;
        body.value = body.value.slice(0, start) + text + body.value.slice(end);
        body.selectionStart = body.selectionEnd = start + text.length;
        body.focus();
        select.value = "";
        schedule();
      });
    }
  }

  document.querySelectorAll("form[data-reply-editor]").forEach(setUp);
})();
