/* 党群服务中心地图: markers from the JSON endpoint on a plain background, or on the tile
   layer named by the TONGXIN_MAP_TILES setting (data-tiles). No inline script (CSP). */
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("tx-center-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { zoomControl: false, attributionControl: false, preferCanvas: true });
    // The zoom buttons' names in the page's language (data-zoom-in/-out), not Leaflet's English.
    L.control.zoom({
      zoomInTitle: el.getAttribute("data-zoom-in") || "Zoom in",
      zoomOutTitle: el.getAttribute("data-zoom-out") || "Zoom out"
    }).addTo(map);
    var tiles = el.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
    else { el.classList.add("tx-map-plain"); }
    map.setView([30.0, 120.0], 5);
    var detail = el.getAttribute("data-detail");
    var openLabel = el.getAttribute("data-open-label") || "";
    var colors = { district: "#C8161D", street: "#d97706", community: "#2563eb" };
    fetch(el.getAttribute("data-points"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var pts = data.points || [];
        var bounds = [];
        pts.forEach(function (p) {
          var m = L.circleMarker([p.lat, p.lng], {
            radius: p.level === "community" ? 5 : 7,
            color: colors[p.level] || "#C8161D", weight: 1, fillOpacity: 0.8
          }).addTo(map);
          var box = document.createElement("div");
          var title = document.createElement("strong");
          title.textContent = p.name;
          box.appendChild(title);
          if (p.address) {
            var addr = document.createElement("div");
            addr.className = "small text-secondary";
            addr.textContent = p.address;
            box.appendChild(addr);
          }
          var a = document.createElement("a");
          a.href = detail.replace(/0\/$/, p.id + "/");
          a.textContent = openLabel;
          box.appendChild(a);
          m.bindPopup(box);
          bounds.push([p.lat, p.lng]);
        });
        if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); }
        el.setAttribute("data-loaded", String(pts.length));
        var count = document.getElementById("tx-map-count");
        if (count) { count.textContent = pts.length + " " + (count.getAttribute("data-label") || ""); }
      });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
