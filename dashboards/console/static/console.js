// Pharos console: light progressive enhancement; every page works without it.
(function () {
  "use strict";
  // Overview auto-refresh pauses while the tab is hidden: reload when it is shown again.
  var meta = document.querySelector('meta[name="pharos-refresh"]');
  if (meta) {
    var seconds = parseInt(meta.getAttribute("content"), 10) || 0;
    if (seconds > 0) {
      var due = Date.now() + seconds * 1000;
      setInterval(function () {
        if (!document.hidden && Date.now() >= due) { window.location.reload(); }
      }, 1000);
    }
  }
  // Filter selects apply at once.
  document.querySelectorAll("form.filters select").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();
