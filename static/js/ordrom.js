// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Quick exit: leave at once and replace this page in the history, so the back button
  // does not bring anyone looking over the user's shoulder back here.
  function quickExit(target) {
    try { document.body.innerHTML = ""; document.title = ""; } catch (e) { /* ignore */ }
    window.location.replace(target);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (!link) { return; }
    event.preventDefault();
    quickExit(link.getAttribute("data-quick-exit"));
  });

  // Pressing Escape three times within two seconds also leaves.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) {
      var link = document.querySelector("[data-quick-exit]");
      if (link) { quickExit(link.getAttribute("data-quick-exit")); }
    }
  });
})();
