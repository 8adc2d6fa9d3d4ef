/* 初心图谱: the red sites from map.json as circle markers coloured by kind, over the districts
   (a labelled box around each district's sites) on a plain background: no tile server.
   No inline script (CSP). The list below the map is the accessible way to the same sites. */
(function () {
  "use strict";
  var COLORS = { base: "#C8161D", charter: "#b45309", school: "#1d4ed8" };
  function start() {
    var el = document.getElementById("tx-redmap");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { zoomControl: false, attributionControl: false, preferCanvas: true });
    L.control.zoom({
      zoomInTitle: el.getAttribute("data-zoom-in") || "Zoom in",
      zoomOutTitle: el.getAttribute("data-zoom-out") || "Zoom out"
    }).addTo(map);
    map.setView([29.87, 121.55], 9);
    var detail = el.getAttribute("data-detail");
    var openLabel = el.getAttribute("data-open-label") || "";
    fetch(el.getAttribute("data-points"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var bounds = [];
        (data.districts || []).forEach(function (d) {
          var b = d.box, pad = 0.006;
          var corners = [[b[0] - pad, b[1] - pad], [b[2] + pad * 2, b[3] + pad]];
          L.rectangle(corners, {
            color: "#9ca3af", weight: 1, fillColor: "#ffffff", fillOpacity: 0.7, interactive: false
          }).addTo(map);
          L.tooltip({ permanent: true, direction: "center", className: "tx-redmap-district" })
            .setLatLng([b[2] + pad * 1.2, (b[1] + b[3]) / 2]).setContent(d.name).addTo(map);
          bounds.push(corners[0], corners[1]);
        });
        var pts = data.points || [];
        pts.forEach(function (p) {
          var m = L.circleMarker([p.lat, p.lng], {
            radius: p.kind === "school" ? 5 : 6, color: "#ffffff", weight: 1,
            fillColor: COLORS[p.kind] || "#C8161D", fillOpacity: 0.9
          }).addTo(map);
          var box = document.createElement("div");
          var title = document.createElement("strong");
          title.textContent = p.name;
          box.appendChild(title);
          var kind = document.createElement("div");
          kind.className = "small";
          kind.textContent = el.getAttribute("data-label-" + p.kind) || "";
          box.appendChild(kind);
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
        var count = document.getElementById("tx-redmap-count");
        if (count) { count.textContent = pts.length + " " + (count.getAttribute("data-label") || ""); }
      });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
