// Staff check-in page: scan a member card's QR with the camera where the browser has
// BarcodeDetector; otherwise the typed short code. No inline script (CSP).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var form = document.getElementById("checkin-form");
    var input = document.getElementById("id_code");
    var startBtn = document.getElementById("scanner-start");
    var stopBtn = document.getElementById("scanner-stop");
    var box = document.getElementById("scanner");
    var video = document.getElementById("scanner-video");
    if (!form || !input) return;

    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail && e.detail.target && e.detail.target.id === "checkin-live") {
        input.value = "";
        input.focus();
      }
    });

    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (err) {
      return;
    }
    var stream = null;
    var last = "";
    var busy = false;
    startBtn.hidden = false;
    var none = document.getElementById("scanner-none");
    if (none) none.hidden = true;

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      box.hidden = true;
      startBtn.hidden = false;
    }

    function tick() {
      if (!stream) return;
      if (busy || video.readyState < 2) { window.requestAnimationFrame(tick); return; }
      busy = true;
      detector.detect(video).then(function (codes) {
        busy = false;
        var text = codes.length ? codes[0].rawValue : "";
        if (text && text !== last) {
          last = text;
          input.value = text;
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        }
        window.setTimeout(tick, 250);
      }).catch(function () { busy = false; window.setTimeout(tick, 500); });
    }

    startBtn.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.play();
        box.hidden = false;
        startBtn.hidden = true;
        tick();
      }).catch(function () { stop(); });
    });
    stopBtn.addEventListener("click", stop);
  });
})();
