// Drop an .eml anywhere on the drop zone: it goes into the form's file input and is checked at once.
// No inline script anywhere: the Content-Security-Policy allows scripts from this app only.
(function () {
  "use strict";
  function submit(form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
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
