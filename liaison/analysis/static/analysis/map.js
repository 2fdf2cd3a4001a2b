/* The map of sites and located events (liaison/analysis/map_views.py), drawn with
   Leaflet and Leaflet.markercluster, both served by Liaison itself. No tile server:
   the land is country outlines (world-atlas, Natural Earth) and, from zoom 5, the
   first-level administrative areas of the region, both TopoJSON decoded by
   topojson-client. A file, not an inline script (the Content-Security-Policy allows
   only the site's own scripts); the words come translated from the page
   (json_script "map-texts"), the dates in the reader's calendar and digits from
   Intl with the locale the server chose (data-locale).

   The server answers for the part of the map on screen only, with the records the
   reader may see. Up to a few hundred points it sends each one and the browser
   groups nearby ones (markercluster); past that it sends one marker per area with
   its counts, and the browser draws those as they come. */
(function () {
  "use strict";

  var DAY = 86400000;

  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function parseDay(iso) {
    var p = String(iso).split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]);
  }

  function isoDay(ms) {
    return new Date(ms).toISOString().slice(0, 10);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("map");
    if (!box || !window.L) {
      return;
    }
    var texts = JSON.parse(document.getElementById("map-texts").textContent);
    var form = document.getElementById("map-filters");
    var panel = document.getElementById("map-panel");
    var status = document.getElementById("map-status");
    var locale = box.getAttribute("data-locale") || document.documentElement.lang || "en";
    var numberFormat, dayFormat;
    try {
      numberFormat = new Intl.NumberFormat(locale);
      dayFormat = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    } catch (e) {
      numberFormat = new Intl.NumberFormat();
      dayFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    }
    function num(n) {
      return numberFormat.format(n);
    }

    // Filters beside the map on wide screens; a closed panel above it on phones.
    if (panel && window.matchMedia && window.matchMedia("(min-width: 901px)").matches) {
      panel.open = true;
    }

    var view = (box.getAttribute("data-view") || "").split(",").map(Number);
    var map = L.map(box, { minZoom: 2, maxZoom: 18, zoomSnap: 1, worldCopyJump: false, attributionControl: false });
    map.fitBounds([[view[1], view[0]], [view[3], view[2]]], { maxZoom: 12 });

    // --- outlines -------------------------------------------------------------------------
    map.createPane("outlines");
    map.getPane("outlines").classList.add("map-outlines-pane");
    var outlineRenderer = L.canvas({ pane: "outlines", padding: 0.5 });
    function topo(url, name, style) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) {
          throw new Error(r.status);
        }
        return r.json();
      }).then(function (data) {
        return L.geoJSON(topojson.feature(data, data.objects[name]), {
          pane: "outlines", renderer: outlineRenderer, interactive: false, style: style,
        });
      });
    }
    topo(box.getAttribute("data-countries"), "countries", {
      color: "#7b7d7d", weight: 0.8, fillColor: "#fbfaf5", fillOpacity: 1,
    }).then(function (layer) {
      layer.addTo(map);
      layer.bringToBack();
      box.setAttribute("data-outlines", "countries");
    }).catch(function () { /* the points still show, on the plain sea */ });
    var areas = null;
    topo(box.getAttribute("data-admin-areas"), "admin1", {
      color: "#a6acaf", weight: 0.6, dashArray: "3 3", fill: false,
    }).then(function (layer) {
      areas = layer;
      showAreas();
    }).catch(function () {});
    function showAreas() {
      if (!areas) {
        return;
      }
      if (map.getZoom() >= 5) {
        areas.addTo(map);
      } else {
        areas.remove();
      }
    }
    map.on("zoomend", showAreas);

    // --- points ---------------------------------------------------------------------------
    function statusClass(value) {
      return "map-status-" + (value || "unknown");
    }

    // One marker per place: a site with the events placed at it (the events' own
    // markers would sit exactly on the site's and hide it). Events whose site the
    // filters leave out still show, as an event marker at that place.
    function placeIcon(place) {
      var p = place.site;
      var cls = !p ? "map-pin map-pin--event"
        : "map-pin map-pin--" + (p.kind === "crossing" ? "crossing" : "site") + " " + statusClass(p.status);
      var badge = place.events.length && p ? '<span class="map-badge">' + num(place.events.length) + "</span>"
        : place.events.length > 1 ? '<span class="map-badge">' + num(place.events.length) + "</span>" : "";
      return L.divIcon({ className: "map-marker", html: '<span class="' + cls + '"></span>' + badge, iconSize: [18, 18] });
    }

    function link(href, text) {
      var a = el("a", "", text);
      a.href = href;
      return a;
    }

    function isolated(tag, className, text) {
      var node = el(tag, className);
      node.appendChild(el("bdi", "", text)).setAttribute("dir", "auto");
      return node;
    }

    var EVENTS_LISTED = 15;

    function placePopup(place) {
      var root = el("div", "map-popup");
      var p = place.site;
      if (p) {
        root.appendChild(isolated("p", "map-popup-title", p.name));
        root.appendChild(el("p", "", p.kind_label + " · " + p.status_label + (p.since ? " " + fill(texts.since, { date: p.since }) : "")));
        if (p.place) {
          root.appendChild(isolated("p", "muted", p.place));
        }
        root.appendChild(el("p", "small", p.tlp));
        root.appendChild(link(p.url, texts.open_site));
      } else if (place.events.length) {
        // "at %(site)s": the site's name isolated wherever the language puts it.
        var at = el("p", "map-popup-title");
        var around = String(texts.at_site).split("%(site)s");
        at.appendChild(document.createTextNode(around[0] || ""));
        at.appendChild(el("bdi", "", place.events[0].site)).setAttribute("dir", "auto");
        at.appendChild(document.createTextNode(around[1] || ""));
        root.appendChild(at);
      }
      if (place.events.length) {
        root.appendChild(el("p", "map-popup-events", fill(texts.events_here, { count: num(place.events.length) })));
        var list = el("ul");
        place.events.slice(0, EVENTS_LISTED).forEach(function (e) {
          var item = el("li");
          item.appendChild(link(e.url, "")).appendChild(el("bdi", "", e.title)).setAttribute("dir", "auto");
          item.appendChild(el("span", "muted", " " + e.kind_label + (e.date ? " · " + e.date : "") + " · " + e.tlp));
          list.appendChild(item);
        });
        root.appendChild(list);
        if (place.events.length > EVENTS_LISTED && p) {
          root.appendChild(el("p", "muted", fill(texts.more_events, { count: num(place.events.length - EVENTS_LISTED) })));
        }
      }
      return root;
    }

    function clusterPopup(p) {
      var root = el("div", "map-popup");
      root.appendChild(el("p", "map-popup-title", fill(texts.cluster_title, { count: num(p.count) })));
      var list = el("ul");
      Object.keys(p.statuses || {}).forEach(function (key) {
        list.appendChild(el("li", "", (texts.statuses[key] || key) + ": " + num(p.statuses[key])));
      });
      Object.keys(p.event_kinds || {}).forEach(function (key) {
        list.appendChild(el("li", "", (texts.event_kinds[key] || key) + ": " + num(p.event_kinds[key])));
      });
      root.appendChild(list);
      var zoom = el("button", "", texts.zoom_in);
      zoom.type = "button";
      zoom.addEventListener("click", function () {
        zoomTo(p.bounds);
      });
      root.appendChild(zoom);
      return root;
    }

    function zoomTo(b) {
      var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
      if (bounds.getNorth() - bounds.getSouth() < 1e-4 && bounds.getEast() - bounds.getWest() < 1e-4) {
        map.setView(bounds.getCenter(), Math.min(map.getZoom() + 3, 18));
      } else {
        map.fitBounds(bounds.pad(0.1), { maxZoom: 18 });
      }
    }

    function dominant(counts) {
      var best = "", n = -1;
      Object.keys(counts || {}).forEach(function (k) {
        if (counts[k] > n) {
          best = k;
          n = counts[k];
        }
      });
      return best;
    }

    function clusterIcon(count, statusCounts) {
      var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 50;
      var cls = "map-cluster " + statusClass(dominant(statusCounts) || "event");
      return L.divIcon({ className: "map-marker", html: '<span class="' + cls + '"><span>' + num(count) + "</span></span>",
                         iconSize: [size, size] });
    }

    var points = L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true,
      iconCreateFunction: function (cluster) {
        var counts = {}, records = 0;
        cluster.getAllChildMarkers().forEach(function (m) {
          var place = m.options.place;
          var s = place.site ? place.site.status : "event";
          counts[s] = (counts[s] || 0) + 1;
          records += (place.site ? 1 : 0) + place.events.length;
        });
        return clusterIcon(records, counts);
      },
    }).addTo(map);
    var groups = L.layerGroup().addTo(map);
    var markersById = {};
    var focus = box.getAttribute("data-focus");
    var focused = false;

    function draw(data) {
      points.clearLayers();
      groups.clearLayers();
      markersById = {};
      var places = {}, order = [];
      function placeOf(siteId, latlng) {
        if (!places[siteId]) {
          places[siteId] = { site: null, events: [], latlng: latlng };
          order.push(siteId);
        }
        return places[siteId];
      }
      data.features.forEach(function (f) {
        var p = f.properties;
        var latlng = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        if (p.type === "cluster") {
          var m = L.marker(latlng, { icon: clusterIcon(p.count, p.events && !p.sites ? { event: 1 } : p.statuses),
                                     keyboard: true, title: fill(texts.cluster_title, { count: num(p.count) }) });
          m.bindPopup(clusterPopup(p));
          groups.addLayer(m);
        } else if (p.type === "site") {
          placeOf(p.id, latlng).site = p;
        } else {
          placeOf(p.site_id, latlng).events.push(p);
        }
      });
      var shown = order.map(function (id) {
        var place = places[id];
        var title = place.site ? place.site.name : place.events[0].title;
        var marker = L.marker(place.latlng, { icon: placeIcon(place), place: place, keyboard: true, title: title });
        marker.bindPopup(function () { return placePopup(place); }, { maxWidth: 300 });
        markersById["site:" + id] = marker;
        return marker;
      });
      points.addLayers(shown);
      box.setAttribute("data-places", String(shown.length));
      var t = data.totals;
      var words = [fill(texts.totals, { sites: num(t.sites), events: num(t.events) })];
      if (data.clustered) {
        words.push(texts.clustered);
      } else if (!t.sites && !t.events) {
        words = [texts.nothing];
      }
      if (data.unlocated_sites) {
        words.push(fill(texts.unlocated, { count: num(data.unlocated_sites) }));
      }
      status.textContent = words.join(" ");
      status.classList.remove("error");
      if (focus && !focused && markersById["site:" + focus]) {
        focused = true;
        points.zoomToShowLayer(markersById["site:" + focus], function () {
          markersById["site:" + focus].openPopup();
        });
      }
    }

    // --- the time slider ------------------------------------------------------------------
    var slider = document.getElementById("map-at");
    var sliderLabel = document.getElementById("map-at-label");
    var atValue = document.getElementById("map-at-value");
    var first = parseDay(slider.getAttribute("data-first"));
    var today = parseDay(slider.getAttribute("data-today"));
    var lastDay = Math.max(0, Math.round((today - first) / DAY));
    slider.max = String(lastDay);
    slider.value = atValue.value ? String(Math.max(0, Math.min(lastDay, Math.round((parseDay(atValue.value) - first) / DAY)))) : String(lastDay);
    function sliderDay() {
      var n = +slider.value;
      return n >= lastDay ? "" : isoDay(first + n * DAY);
    }
    function showSliderDay() {
      var day = sliderDay();
      var label = day ? dayFormat.format(new Date(parseDay(day))) : texts.today;
      sliderLabel.textContent = label;
      slider.setAttribute("aria-valuetext", label);
      atValue.value = day;
    }
    showSliderDay();
    slider.addEventListener("input", function () {
      showSliderDay();
      schedule(250);
    });
    document.getElementById("map-at-now").addEventListener("click", function () {
      slider.value = String(lastDay);
      showSliderDay();
      schedule(0);
    });

    // --- asking the server ----------------------------------------------------------------
    var pending = null, timer = null;

    function query() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value !== "") {
          params.append(key, value);
        }
      });
      return params;
    }

    function load() {
      var params = query();
      var b = map.getBounds().pad(0.15);
      var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
      var south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
      params.set("bbox", [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(","));
      params.set("zoom", String(map.getZoom()));
      if (pending) {
        pending.abort();
      }
      pending = window.AbortController ? new AbortController() : null;
      box.setAttribute("aria-busy", "true");
      fetch(box.getAttribute("data-url") + "?" + params.toString(), {
        credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending ? pending.signal : undefined,
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) {
            throw new Error(body && body.error ? body.error : texts.error);
          }
          return body;
        });
      }).then(function (data) {
        box.setAttribute("aria-busy", "false");
        draw(data);
      }).catch(function (err) {
        if (err && err.name === "AbortError") {
          return;
        }
        box.setAttribute("aria-busy", "false");
        status.textContent = err && err.message && !/^\d+$/.test(err.message) ? err.message : texts.error;
        status.classList.add("error");
      });
    }

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(load, delay);
    }

    // The address keeps the filters, so that the view can be sent to a colleague
    // (who sees what their own agency may see).
    function remember() {
      var params = query();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "?" + params.toString());
      }
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      remember();
      schedule(0);
      if (window.matchMedia && !window.matchMedia("(min-width: 901px)").matches) {
        panel.open = false;
      }
    });
    form.addEventListener("change", function (e) {
      if (e.target && e.target.id === "map-operation") {
        limitPhases();
      }
      if (e.target && (e.target.type === "text")) {
        return; // dates: applied with the button, not at every keystroke
      }
      remember();
      schedule(150);
    });

    // A phase belongs to one operation: once an operation is chosen, only its phases.
    var phaseSelect = document.getElementById("map-phase");
    function limitPhases() {
      var op = document.getElementById("map-operation").value;
      Array.prototype.forEach.call(phaseSelect.querySelectorAll("option[data-operation]"), function (o) {
        var other = op && o.getAttribute("data-operation") !== op;
        o.hidden = other;
        o.disabled = other;
        if (other && o.selected) {
          phaseSelect.value = "";
        }
      });
    }
    limitPhases();

    map.on("moveend", function () {
      schedule(120);
    });
    load();
  });
})();
