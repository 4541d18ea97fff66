// Drop an .eml anywhere on the drop zone: it goes into the form's file input and is checked at once.
// No inline script anywhere: the Content-Security-Policy allows scripts from this app only.
(function () {
  "use strict";
  function submit(form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
  // The holder's own time zone, so that times on pages follow them rather than the server.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=strict";
    }
  } catch (ignored) { /* no Intl: the server's choice stands */ }

  // A request that never got an answer (server stopped, network gone) still says so where the user looks.
  document.addEventListener("htmx:sendError", function (event) {
    var flash = document.getElementById("flash");
    var target = event.detail && event.detail.target;
    var where = (target && target.id === "result") ? target : flash;
    if (!where) { return; }
    var box = document.createElement("section");
    box.className = "error";
    box.setAttribute("role", "alert");
    box.textContent = document.body.getAttribute("data-offline") || "";
    where.replaceChildren(box);
    where.scrollIntoView({block: "start"});
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("check-form");
    var drop = document.getElementById("drop");
    var input = document.getElementById("file");
    if (!form || !drop || !input) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        submit(form);
      }
    });
    input.addEventListener("change", function () { if (input.files.length) { submit(form); } });
    // Says the zone is live: a file dropped before this moment would have been opened by the browser instead.
    drop.dataset.ready = "yes";
  });
})();
