// newsindex: small progressive enhancements; every feature works without this file.
(function () {
  "use strict";
  var form = document.getElementById("search");
  // Ticking a publication or changing the sort searches at once (the Apply button does the same).
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () {
      if (!form) return;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  });
  // Leave empty fields and the default sort out of the URL, so permalinks stay short.
  if (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (el) {
        var isDefaultSort = el.name === "sort" && el.value === "relevance";
        if (el.name && el.name !== "q" && (el.value === "" || isDefaultSort)) el.disabled = true;
      });
    });
    // Back/forward may restore this page from cache with fields still disabled.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
    });
  }
  // On a phone the filters start folded so the results come first; they open with one tap.
  if (window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (d) { d.open = false; });
  }
  // "/" jumps to the search box, as in many search tools.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
