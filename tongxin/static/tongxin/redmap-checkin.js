/* 打卡: ask the phone for its position and put it in the form's hidden fields; without one
   (refused, no GPS, timeout) the code alone is sent and the server checks the code only. */
(function () {
  "use strict";
  function start() {
    var form = document.getElementById("tx-checkin-form");
    if (!form) { return; }
    var where = document.getElementById("tx-checkin-where");
    function say(key) { if (where) { where.textContent = form.getAttribute(key) || ""; } }
    if (!navigator.geolocation) { say("data-no-location"); return; }
    say("data-locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=latitude]").value = pos.coords.latitude;
      form.querySelector("[name=longitude]").value = pos.coords.longitude;
      form.querySelector("[name=accuracy]").value = Math.round(pos.coords.accuracy || 0);
      say("data-located");
    }, function () { say("data-no-location"); }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
