// Fill an empty slug from the title while the author types, spelled by the server in
// pinyin (Django's own prepopulation drops Chinese characters). A slug the author edits
// by hand, or one that an existing object already has, is never touched.
(function () {
  "use strict";
  function init() {
    var title = document.getElementById("id_title");
    var slug = document.getElementById("id_slug");
    if (!title || !slug || slug.value) return;
    var endpoint = new URL("../slug-for-title/", window.location.href);
    var handEdited = false;
    var timer = null;
    slug.addEventListener("input", function () { handEdited = slug.value !== ""; });
    title.addEventListener("input", function () {
      if (handEdited) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        endpoint.searchParams.set("title", title.value);
        fetch(endpoint, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) { if (data && !handEdited) slug.value = data.slug; })
          .catch(function () { /* the server fills an empty slug on save anyway */ });
      }, 250);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
