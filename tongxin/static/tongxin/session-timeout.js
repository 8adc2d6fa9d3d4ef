/* Session-timeout warning (WCAG 2.2.1), markup in _session_timeout.html. The server ends a
   session after data-age idle seconds, and every request, htmx ones included, starts that
   count again (the server writes the new expiry at most once a minute, so its count may have
   started up to a minute before this page's; data-warn is larger than that); data-warn
   seconds before the end the warning appears and 继续使用 posts to the keep-alive URL. Date.now() rather than one long timer: a phone asleep or a background tab
   delays timers, and the warning must still be right when the page is seen again. */
(function () {
  "use strict";
  var box = document.getElementById("tx-timeout");
  if (!box || !window.fetch) { return; }
  var age = Number(box.getAttribute("data-age")) * 1000;
  var warn = Number(box.getAttribute("data-warn")) * 1000;
  var extend = document.getElementById("tx-timeout-extend");
  var login = document.getElementById("tx-timeout-login");
  var text = document.getElementById("tx-timeout-text");
  var csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken":\s*"([^"]+)"/);
  var deadline = 0;
  var shown = false;
  var expired = false;
  var before = null;

  function show() {
    shown = true;
    before = document.activeElement;
    box.hidden = false;
    extend.focus();
  }
  function hide() {
    shown = false;
    box.hidden = true;
    if (before && before.focus && before !== document.body) { before.focus(); }
  }
  function restart() {
    deadline = Date.now() + age;
    if (shown && !expired) { hide(); }
  }
  function expire() {
    expired = true;
    text.textContent = text.getAttribute("data-expired");
    extend.hidden = true;
    login.hidden = false;
    if (!shown) { shown = true; box.hidden = false; }
    login.focus();
  }
  function tick() {
    if (expired) { return; }
    var left = deadline - Date.now();
    if (left <= 0) { expire(); } else if (left <= warn && !shown) { show(); }
  }

  extend.addEventListener("click", function () {
    fetch(box.getAttribute("data-keepalive"), {
      method: "POST",
      credentials: "same-origin",
      headers: csrf ? { "X-CSRFToken": csrf[1] } : {}
    }).then(function (r) {
      if (r.ok) { restart(); } else { expire(); }
    }).catch(function () { /* offline: the warning stays, the person can try again */ });
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !expired) { extend.click(); }
  });
  document.addEventListener("htmx:afterRequest", restart);
  restart();
  setInterval(tick, 5000);
})();
