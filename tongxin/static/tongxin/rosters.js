// The roster page's 导出 link follows the filters as they are now (the filter form is posted
// with htmx, so the page URL does not change). A whole ID or phone number typed into the
// search box is never put into a URL: the export then leaves the search out.
(function () {
  "use strict";
  var PII = /^(\d{17}[\dXx]|1[3-9]\d{9})$/;
  function exportHref(link) {
    var form = document.querySelector("form.tx-filter");
    var params = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, key) {
        if (key === "csrfmiddlewaretoken" || value === "") return;
        if (key === "q" && PII.test(String(value).replace(/\s/g, ""))) return;
        params.append(key, value);
      });
    }
    var base = link.getAttribute("data-export-base");
    var query = params.toString();
    return query ? base + "?" + query : base;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-export-base]");
    if (link) link.setAttribute("href", exportHref(link));
  });
})();
