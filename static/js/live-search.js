// Live search under the header's search box: the best matches as the reader types, from
// /search/api/. Without this script the box is a plain form that opens the search page, and
// Enter without a chosen suggestion still does exactly that.
(function () {
  "use strict";
  var form = document.querySelector("form.search-box[data-live-url]");
  var input = form && form.querySelector("input[name=q]");
  if (!form || !input || !window.fetch || !window.AbortController) return;

  var MAX_SUGGESTIONS = 5;
  var DELAY_MS = 180;
  var list = document.createElement("ul");
  var status = document.createElement("p");
  var timer = null;
  var pending = null;
  var options = [];
  var active = -1;

  list.id = "live-search-results";
  list.className = "live-search-results";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", form.dataset.labelResults);
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(list);
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  // The API's snippets are escaped text with <mark>s and formulas as MathML (sanitized on the
  // server). They are rebuilt node by node from text, <mark>s and MathML elements and
  // attributes of a short list alone, so nothing else could ever be parsed into the page.
  var MATHML = "http://www.w3.org/1998/Math/MathML";
  var MATH_ELEMENTS = /^(math|semantics|mrow|mi|mn|mo|ms|mtext|mspace|msup|msub|msubsup|mfrac|msqrt|mroot|mover|munder|munderover|mtable|mtr|mtd|mstyle|mpadded|mphantom|menclose)$/;
  var MATH_ATTRIBUTES = /^(display|mathvariant|stretchy|fence|separator|lspace|rspace|largeop|movablelimits|accent|accentunder|linethickness|columnalign|displaystyle|scriptlevel|width|height|depth|notation)$/;

  function appendMath(parent, node) {
    if (node.nodeType === Node.TEXT_NODE) {
      parent.appendChild(document.createTextNode(node.textContent));
      return;
    }
    // The TeX annotation is for copying on the post page; here it would show as text.
    if (node.nodeType !== Node.ELEMENT_NODE || !MATH_ELEMENTS.test(node.localName)) return;
    var element = document.createElementNS(MATHML, node.localName);
    Array.prototype.forEach.call(node.attributes, function (attribute) {
      if (MATH_ATTRIBUTES.test(attribute.name)) element.setAttribute(attribute.name, attribute.value);
    });
    node.childNodes.forEach(function (child) { appendMath(element, child); });
    parent.appendChild(element);
  }

  function appendSnippetNodes(parent, nodes) {
    nodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        parent.appendChild(document.createTextNode(node.textContent));
      } else if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        parent.appendChild(mark);
      } else if (node.localName === "math") {
        appendMath(parent, node);
      } else if (node.nodeName === "SPAN") {
        // A formula glued to the punctuation after it: keep the two on one line.
        var span = document.createElement("span");
        span.className = "math-glue";
        appendSnippetNodes(span, node.childNodes);
        parent.appendChild(span);
      } else {
        parent.appendChild(document.createTextNode(node.textContent || ""));
      }
    });
  }

  function appendSnippet(parent, html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    appendSnippetNodes(parent, template.content.childNodes);
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  // Options hold no links (a link inside an option is a control inside a control for
  // assistive technology); each carries its address, opened on click or Enter.
  function option(index, href, build) {
    var item = document.createElement("li");
    item.id = "live-search-option-" + index;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    item.dataset.href = href;
    build(item);
    return item;
  }

  function open(item) {
    window.location.assign(item.dataset.href);
  }

  function show(query, data) {
    list.replaceChildren();
    options = data.results.slice(0, MAX_SUGGESTIONS).map(function (hit, index) {
      return option(index, hit.url, function (item) {
        var title = document.createElement("span");
        var snippet = document.createElement("span");
        title.className = "live-search-title";
        title.textContent = hit.title;
        snippet.className = "live-search-snippet";
        appendSnippet(snippet, hit.snippet);
        item.appendChild(title);
        item.appendChild(snippet);
      });
    });
    var everything = form.action + "?" + new URLSearchParams({ q: query }).toString();
    var count = (data.count_is_estimate ? "≈" : "") + data.count; // very large sets are estimated
    options.push(option(options.length, everything, function (item) {
      item.className = "live-search-all";
      item.textContent = data.count
        ? form.dataset.labelAll.replace("{count}", count)
        : form.dataset.labelNone;
    }));
    options.forEach(function (item) { list.appendChild(item); });
    status.textContent = data.count ? form.dataset.labelAll.replace("{count}", count) : form.dataset.labelNone;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  function search() {
    var query = input.value.trim();
    if (pending) pending.abort();
    if (!query) {
      close();
      return;
    }
    pending = new AbortController();
    var url = form.dataset.liveUrl + "?" + new URLSearchParams({ q: query }).toString();
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && input.value.trim() === query && document.activeElement === input) show(query, data);
      })
      .catch(function () { /* aborted by newer typing, or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      // Positions run from -1 (the box itself) to the last option, and wrap around.
      var next = active + (event.key === "ArrowDown" ? 1 : -1);
      if (next >= options.length) next = -1;
      if (next < -1) next = options.length - 1;
      choose(next);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      open(options[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) close();
  });
  list.addEventListener("mousedown", function (event) {
    event.preventDefault(); // keep the focus (and the list) while the click lands
  });
  list.addEventListener("click", function (event) {
    var item = event.target.closest("[role=option]");
    if (item) open(item);
  });
})();
