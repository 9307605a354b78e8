// Who else has this post open (authoring.edit_locks presence): renew this writer's note every
// few seconds, show the others the server names, and drop the note when the page goes away.
// Names and messages come as text and are set as text, never as HTML.
(function () {
  "use strict";
  function init() {
    var notice = document.getElementById("edit-presence");
    var form = document.querySelector("#content-main form");
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!notice || !token) return;
    var url = notice.dataset.url;
    var interval = Math.max(1, parseInt(notice.dataset.interval, 10) || 30) * 1000;
    var list = notice.querySelector(".edit-presence-list");
    var hint = notice.querySelector(".edit-presence-hint");

    function show(data) {
      list.replaceChildren.apply(list, data.others.map(function (other) {
        var line = document.createElement("p");
        line.textContent = other.message;
        return line;
      }));
      hint.textContent = data.hint;
      notice.hidden = data.others.length === 0;
    }
    function body(leave) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token.value);
      if (leave) data.append("leave", "1");
      return data;
    }
    function beat() {
      fetch(url, { method: "POST", body: body(false), credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) show(data); })
        .catch(function () { /* offline for a moment: the next beat tries again */ });
    }
    setInterval(beat, interval);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") beat();
    });
    window.addEventListener("pagehide", function () { navigator.sendBeacon(url, body(true)); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
