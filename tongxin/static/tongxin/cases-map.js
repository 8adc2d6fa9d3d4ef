/* 事件地图: a coordinate picker on the resident's report page (data-mode="pick") and the
   reported point on the staff case page (data-mode="show"). Works offline: without a tile
   server (the TONGXIN_MAP_TILES setting, data-tiles) the map is a plain background with the
   compounds' markers and a scale. The page works without this script: the map is not shown
   and the fields are filled by hand or left empty. No inline script (CSP). */
(function () {
  "use strict";
  var RED = "#C8161D";
  var BLUE = "#2563eb";

  function baseMap(el) {
    el.hidden = false;
    var map = L.map(el, { zoomControl: false, attributionControl: false });
    // The zoom buttons' names in the page's language (data-zoom-in/-out), not Leaflet's English.
    L.control.zoom({
      zoomInTitle: el.getAttribute("data-zoom-in") || "Zoom in",
      zoomOutTitle: el.getAttribute("data-zoom-out") || "Zoom out"
    }).addTo(map);
    var tiles = el.getAttribute("data-tiles");
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    else { el.classList.add("tx-map-plain"); }
    L.control.scale({ imperial: false }).addTo(map);
    // The pin above the compounds' labels (tooltips sit at z-index 650).
    map.createPane("txPin").style.zIndex = "660";
    return map;
  }

  function compoundMarker(map, p) {
    var m = L.circleMarker([p.lat, p.lng], {
      radius: 6, color: BLUE, weight: 1, fillColor: BLUE, fillOpacity: 0.6
    }).addTo(map);
    // Place names are data, never HTML: a text node, not a string Leaflet would parse.
    m.bindTooltip(document.createTextNode(p.name), { permanent: true, direction: "top", offset: [0, -6], opacity: 0.9 });
    return m;
  }

  function pinMarker(map, ll) {
    return L.circleMarker(ll, {
      radius: 9, color: "#fff", weight: 3, fillColor: RED, fillOpacity: 1, pane: "txPin"
    }).addTo(map);
  }

  function fit(map, bounds) {
    if (bounds.length === 1) { map.setView(bounds[0], 16); }
    else { map.fitBounds(bounds, { paddingTopLeft: [30, 45], paddingBottomRight: [30, 25], maxZoom: 17 }); }
  }

  function picker(el) {
    var data = document.getElementById(el.getAttribute("data-points"));
    var points = data ? JSON.parse(data.textContent) : [];
    if (!points.length) { return; }
    var lat = document.getElementById(el.getAttribute("data-lat"));
    var lng = document.getElementById(el.getAttribute("data-lng"));
    var area = document.getElementById(el.getAttribute("data-area"));
    var hint = document.getElementById("tx-map-hint");
    var clear = document.getElementById("tx-map-clear");
    var idle = hint ? hint.textContent : "";
    var map = baseMap(el);
    var bounds = [];
    var pin = null;

    function nearest(ll) {
      var best = null;
      var bestD = Infinity;
      points.forEach(function (p) {
        var dy = p.lat - ll.lat;
        var dx = (p.lng - ll.lng) * Math.cos(ll.lat * Math.PI / 180);
        var d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = p; }
      });
      return best;
    }

    function place(ll, compound, chooseArea) {
      lat.value = ll.lat.toFixed(6);
      lng.value = ll.lng.toFixed(6);
      if (pin) { pin.setLatLng(ll); } else { pin = pinMarker(map, ll); }
      var p = compound || nearest(ll);
      if (chooseArea && p && area) { area.value = String(p.id); }
      if (hint) {
        hint.textContent = (el.getAttribute("data-picked") || "") +
          (p ? (el.getAttribute("data-nearest") || "") + p.name : "");
      }
      if (clear) { clear.hidden = false; }
      el.setAttribute("data-picked-at", lat.value + "," + lng.value);
    }

    points.forEach(function (p) {
      var m = compoundMarker(map, p);
      m.on("click", function (e) {
        L.DomEvent.stopPropagation(e);
        place(L.latLng(p.lat, p.lng), p, true);
      });
      bounds.push([p.lat, p.lng]);
    });
    fit(map, bounds);
    map.on("click", function (e) { place(e.latlng, null, true); });
    if (clear) {
      clear.addEventListener("click", function () {
        if (pin) { map.removeLayer(pin); pin = null; }
        lat.value = "";
        lng.value = "";
        if (hint) { hint.textContent = idle; }
        clear.hidden = true;
        el.removeAttribute("data-picked-at");
      });
    }
    // A form shown again after an error keeps the point the resident had chosen.
    var la = parseFloat(lat.value);
    var lo = parseFloat(lng.value);
    if (isFinite(la) && isFinite(lo) && Math.abs(la) <= 90 && Math.abs(lo) <= 180) {
      place(L.latLng(la, lo), null, false);
    }
    el.setAttribute("data-ready", "1");
  }

  function viewer(el) {
    var ll = [parseFloat(el.getAttribute("data-lat")), parseFloat(el.getAttribute("data-lng"))];
    if (!isFinite(ll[0]) || !isFinite(ll[1])) { return; }
    var map = baseMap(el);
    var bounds = [ll];
    var aLat = parseFloat(el.getAttribute("data-area-lat"));
    var aLng = parseFloat(el.getAttribute("data-area-lng"));
    if (isFinite(aLat) && isFinite(aLng)) {
      compoundMarker(map, { lat: aLat, lng: aLng, name: el.getAttribute("data-area-name") || "" });
      bounds.push([aLat, aLng]);
    }
    pinMarker(map, ll).bindTooltip(document.createTextNode(el.getAttribute("data-label") || ""), {
      permanent: true, direction: "right", offset: [10, 0]
    });
    fit(map, bounds);
    el.setAttribute("data-ready", "1");
  }

  function start() {
    if (typeof L === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-tx-map]"), function (el) {
      if (el.getAttribute("data-tx-map") === "pick") { picker(el); } else { viewer(el); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
