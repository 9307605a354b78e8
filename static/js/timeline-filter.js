// The timeline's filter control submits without its blank choices, so the address reads
// "/?tag=python" rather than "/?language=&tag=python&series=". The form works without this.
(function () {
  "use strict";
  document.querySelectorAll("form.timeline-filter").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("select, input[type=hidden]").forEach(function (field) {
        if (!field.value) field.disabled = true;
      });
    });
  });
})();
