// Post page enhancements; the page reads fully without them.
// A "copy" button on every highlighted code block.
(function () {
  "use strict";
  var labels = document.documentElement.lang.indexOf("zh") === 0
    ? { copy: "复制", copied: "已复制", failed: "复制失败" }
    : { copy: "Copy", copied: "Copied", failed: "Copy failed" };
  document.querySelectorAll(".codeblock").forEach(function (block) {
    var code = block.querySelector("pre");
    if (!code || !navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = labels.copy;
    button.addEventListener("click", function () {
      var text = code.querySelector("code") ? code.querySelector("code").innerText : code.innerText;
      navigator.clipboard.writeText(text).then(
        function () { button.textContent = labels.copied; },
        function () { button.textContent = labels.failed; }
      );
      setTimeout(function () { button.textContent = labels.copy; }, 2000);
    });
    block.appendChild(button);
  });
})();
