/* The door screen: once the day has changed, load the page again to show the new day's code
   (a screen left open at the door overnight). No inline script (CSP). */
(function () {
  "use strict";
  var shown = new Date().toDateString();
  setInterval(function () {
    if (new Date().toDateString() !== shown) { window.location.reload(); }
  }, 60000);
})();
