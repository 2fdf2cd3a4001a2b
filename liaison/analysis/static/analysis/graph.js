/* Link analysis (analysis/graph_page.html): the picture, drawn with Cytoscape.js
   (vendored under static/vendor/cytoscape), grown in place as the analyst asks.

   Everything shown comes from the server's JSON (liaison/analysis/graph_views.py),
   which reads through the visibility layer: this file never decides what the
   reader may see, it only draws, hides and arranges what it was given. The
   export of GraphML/JSON posts the ids shown back to the server, which reads
   them again through the same layer, marks the file and audits it.

   Loaded from a file, never inline: the Content-Security-Policy allows only the
   site's own scripts and styles. Words come from data-t-* attributes of
   #link-analysis, in the reader's language. */
(function () {
  "use strict";

  var root = document.getElementById("link-analysis");
  if (!root || typeof window.cytoscape !== "function") return;

  var ds = root.dataset;
  var RECORD_KINDS = ["person", "organisation", "site", "identifier", "event", "operation", "case"];
  var COMMUNITY_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                           "#000000", "#999999", "#8c564b"];
  var TLP_ORDER = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];

  function t(name, values) {
    var key = "t" + name.replace(/-([a-z])/g, function (_m, c) { return c.toUpperCase(); })
      .replace(/^./, function (c) { return c.toUpperCase(); });
    var text = ds[key] || name;
    if (values) {
      Object.keys(values).forEach(function (k) { text = text.split("%(" + k + ")s").join(values[k]); });
    }
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var status = root.querySelector(".la-status");
  function say(text, isError) {
    status.textContent = text || "";
    status.classList.toggle("error", !!isError);
  }

  // --- Server ---------------------------------------------------------------------------------------------------

  function csrfToken() {
    var input = root.querySelector(".la-export input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function request(url, params, method) {
    say(t("loading"));
    var options = { credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method === "POST") {
      options.method = "POST";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = params;
    } else {
      url += "?" + params.toString();
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          say(data.error || t("failed"), true);
          throw new Error(data.error || response.status);
        }
        say("");
        return data;
      });
    }, function (error) {
      say(t("failed"), true);
      throw error;
    });
  }

  // --- Filters --------------------------------------------------------------------------------------------------

  var filters = { types: null, from: "", to: "" };  // types: null = every kind

  function readFilters() {
    var boxes = root.querySelectorAll(".la-types input[name=type]");
    var checked = [];
    var all = true;
    boxes.forEach(function (box) {
      if (box.checked) checked.push(box.value);
      else if (box.value !== "hidden") all = false;
    });
    filters.types = all ? null : checked.filter(function (v) { return v !== "hidden"; });
    filters.showHidden = checked.indexOf("hidden") >= 0 && all;
  }

  function filterParams(params) {
    if (filters.types) filters.types.forEach(function (kind) { params.append("type", kind); });
    if (filters.from) params.set("from", filters.from);
    if (filters.to) params.set("to", filters.to);
    return params;
  }

  /* The same rule as graphs.in_period on the server: partial dates stand for
     every day they may mean, undated links stay. */
  function bounds(text) {
    text = (text || "").trim();
    if (!/^\d{4}/.test(text)) return null;
    var parts = text.split("-");
    return [parts[0] + "-" + (parts[1] || "01") + "-" + (parts[2] || "01"),
            parts[0] + "-" + (parts[1] || "12") + "-" + (parts[2] || "31")];
  }

  function inPeriod(edge) {
    if (!filters.from && !filters.to) return true;
    var first = bounds(edge.data("start")), last = bounds(edge.data("end"));
    if (!first && !last) return true;
    var low = first ? first[0] : null;
    var high = last ? last[1] : (edge.data("family") !== "relationship" && first ? first[1] : null);
    var periodLow = filters.from ? bounds(filters.from)[0] : null;
    var periodHigh = filters.to ? bounds(filters.to)[1] : null;
    if (periodHigh && low && low > periodHigh) return false;
    if (periodLow && high && high < periodLow) return false;
    return true;
  }

  // --- The picture ----------------------------------------------------------------------------------------------

  var cy = window.cytoscape({
    container: document.getElementById("la-canvas"),
    wheelSensitivity: 0.3,
    minZoom: 0.1,
    maxZoom: 3,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
        "text-wrap": "ellipsis", "text-max-width": 150, "width": 26, "height": 26,
        "background-color": "#5b6577", "color": "#1d2430", "text-outline-color": "#fff", "text-outline-width": 2,
        "border-width": 2, "border-color": "#fff" } },
      { selector: "node.person", style: { "shape": "ellipse", "background-color": "#1f4e8c" } },
      { selector: "node.organisation", style: { "shape": "rectangle", "background-color": "#b3261e" } },
      { selector: "node.site", style: { "shape": "diamond", "background-color": "#8a5a00", "width": 30, "height": 30 } },
      { selector: "node.identifier", style: { "shape": "round-rectangle", "background-color": "#1e7a3c", "width": 34, "height": 20 } },
      { selector: "node.event", style: { "shape": "triangle", "background-color": "#6a3d9a", "width": 30, "height": 28 } },
      { selector: "node.operation", style: { "shape": "hexagon", "background-color": "#0f6d74", "width": 32, "height": 30 } },
      { selector: "node.hidden", style: {
        "background-color": "#c4c9d1", "border-color": "#8d95a3", "border-style": "dashed", "width": 18, "height": 18,
        "color": "#5b6577", "font-style": "italic", "font-size": 10 } },
      { selector: "node.protected", style: { "font-style": "italic" } },
      { selector: "node.retracted", style: { "opacity": 0.55, "border-style": "dashed", "border-color": "#b3261e" } },
      { selector: "node.more", style: {
        "shape": "round-rectangle", "background-color": "#fff", "border-color": "#1f4e8c", "border-style": "dashed",
        "border-width": 2, "label": "data(label)", "text-valign": "center", "text-margin-y": 0, "color": "#1f4e8c",
        "font-weight": "bold", "width": "label", "height": 22, "padding": "6px", "text-outline-width": 0 } },
      { selector: "node.centre", style: { "border-width": 4, "border-color": "#15263f", "font-weight": "bold",
        "font-size": 13 } },
      { selector: "node.pinned", style: { "border-style": "double", "border-width": 6, "border-color": "#15263f" } },
      { selector: "node.shared", style: { "border-width": 5, "border-color": "#e69500" } },
      { selector: "node.key", style: { "width": "data(keysize)", "height": "data(keysize)", "font-weight": "bold" } },
      { selector: "node.path", style: { "border-width": 5, "border-color": "#cc0033" } },
      { selector: "node:selected", style: { "border-width": 5, "border-color": "#ffc000" } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#8d95a3", "target-arrow-color": "#8d95a3", "target-arrow-shape": "triangle",
        "curve-style": "bezier", "arrow-scale": 0.9 } },
      { selector: "edge.labelled", style: {
        "label": "data(label)", "font-size": 9, "color": "#5b6577", "text-rotation": "autorotate",
        "text-outline-color": "#fff", "text-outline-width": 2, "font-style": "italic" } },
      { selector: "edge.participation, edge.site, edge.operation, edge.operator", style: {
        "line-style": "dashed", "target-arrow-shape": "none" } },
      { selector: "edge.same_value", style: {
        "line-style": "dotted", "line-color": "#1e7a3c", "width": 3, "target-arrow-shape": "none" } },
      { selector: "edge.more-edge", style: { "line-style": "dotted", "target-arrow-shape": "none", "line-color": "#1f4e8c" } },
      { selector: "edge.shared", style: { "line-color": "#e69500", "target-arrow-color": "#e69500", "width": 3 } },
      { selector: "edge.path", style: { "line-color": "#cc0033", "target-arrow-color": "#cc0033", "width": 4 } },
      { selector: ".filtered", style: { "display": "none" } },
    ].concat(COMMUNITY_COLOURS.map(function (colour, i) {
      return { selector: "node.c" + i, style: { "border-width": 6, "border-color": colour } };
    })),
  });

  var startId = ds.start;
  var hiddenStore = {};  // node id -> removed collection (the node and its links)
  var more = {};  // node id -> the server's "+N more" entry

  function recordNodes() {
    return cy.nodes().filter(function (n) { return RECORD_KINDS.indexOf(n.data("kind")) >= 0; });
  }

  function classesOf(node) {
    var classes = [node.kind];
    if (node.protected) classes.push("protected");
    if (node.retracted) classes.push("retracted");
    if (node.centre || node.id === startId) classes.push("centre");
    return classes.join(" ");
  }

  /* Add the nodes and edges of a server answer that are not in the picture yet;
     returns the nodes added. Hidden-by-the-analyst nodes stay hidden. */
  function addPicture(data) {
    var added = cy.collection();
    cy.batch(function () {
      (data.nodes || []).forEach(function (node) {
        if (hiddenStore[node.id] || cy.getElementById(node.id).nonempty()) return;
        var data = Object.assign({}, node);
        delete data.centre;
        added = added.union(cy.add({ group: "nodes", data: data, classes: classesOf(node) }));
      });
      (data.edges || []).forEach(function (edge) {
        if (cy.getElementById(edge.id).nonempty()) return;
        if (cy.getElementById(edge.source).empty() || cy.getElementById(edge.target).empty()) return;
        cy.add({ group: "edges", data: Object.assign({}, edge), classes: edge.family });
      });
    });
    return added;
  }

  function updateMore(entries) {
    (entries || []).forEach(function (entry) {
      var handleId = "more:" + entry.node;
      cy.remove(cy.getElementById(handleId));
      if (!entry.remaining || cy.getElementById(entry.node).empty()) {
        delete more[entry.node];
        return;
      }
      more[entry.node] = entry;
      cy.add({ group: "nodes", data: { id: handleId, kind: "more", owner_node: entry.node, label: entry.label },
               classes: "more" });
      cy.add({ group: "edges", data: { id: "more-edge:" + entry.node, source: entry.node, target: handleId },
               classes: "more-edge" });
      var anchor = cy.getElementById(entry.node).position();
      cy.getElementById(handleId).position({ x: anchor.x + 70, y: anchor.y - 50 });
    });
  }

  /* New nodes on a ring (or a fan, pointing away from the start) around the node they came from. */
  function placeAround(anchor, nodes) {
    if (!nodes.length) return;
    var centre = anchor.position();
    var startNode = cy.getElementById(startId);
    var away = 0, spread = 2 * Math.PI;
    if (startNode.nonempty() && startNode.id() !== anchor.id()) {
      var s = startNode.position();
      away = Math.atan2(centre.y - s.y, centre.x - s.x);
      spread = Math.min(2 * Math.PI, Math.PI * 0.9 + nodes.length * 0.12);
    }
    var radius = Math.max(120, nodes.length * 9);
    nodes.forEach(function (node, i) {
      var angle = spread >= 2 * Math.PI ? (2 * Math.PI * i) / nodes.length
        : away - spread / 2 + (spread * (i + 0.5)) / nodes.length;
      node.position({ x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
    });
  }

  function layoutAll() {
    var count = cy.nodes().length;
    var options = count <= 150
      ? { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 9000; },
          idealEdgeLength: function () { return 90; }, numIter: 1500, fit: true, padding: 30 }
      : { name: "concentric", animate: false, fit: true, padding: 30, minNodeSpacing: 12,
          concentric: function (node) { return node.id() === startId ? 1000 : node.degree(); },
          levelWidth: function () { return 3; } };
    cy.layout(options).run();
  }

  function refresh() {
    cy.edges().toggleClass("labelled", cy.edges().length <= 60);
    applyFilters();
    renderTable();
    renderMore();
  }

  function applyFilters() {
    readFilters();
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var kind = node.data("kind");
        var out = false;
        if (kind === "hidden") out = !filters.showHidden;
        else if (kind === "more") out = cy.getElementById(node.data("owner_node")).hasClass("filtered");
        else if (filters.types && node.id() !== startId) out = filters.types.indexOf(kind) < 0;
        node.toggleClass("filtered", out);
      });
      cy.edges().forEach(function (edge) {
        edge.toggleClass("filtered", edge.hasClass("more-edge") ? false : !inPeriod(edge));
      });
      if (filters.from || filters.to) {
        // Records left without a link in the period go too (the start and pinned ones stay).
        cy.nodes().forEach(function (node) {
          if (node.id() === startId || node.hasClass("pinned") || node.hasClass("more")) return;
          var links = node.connectedEdges().filter(function (e) { return !e.hasClass("more-edge"); });
          if (links.nonempty() && links.every(function (e) { return e.hasClass("filtered"); })) {
            node.addClass("filtered");
          }
        });
      }
    });
  }

  // --- Expanding ------------------------------------------------------------------------------------------------

  function expand(nodeId, offset) {
    var params = filterParams(new URLSearchParams({ node: nodeId, hops: "1", limit: ds.limit, offset: offset || 0 }));
    return request(ds.urlNeighbourhood, params).then(function (data) {
      var anchor = cy.getElementById(nodeId);
      var added = addPicture(data);
      if (anchor.nonempty()) placeAround(anchor, added);
      updateMore(data.more);
      if (!(data.more || []).some(function (m) { return m.node === nodeId; })) {
        // Every link of the node is shown now: no handle left.
        delete more[nodeId];
        cy.remove(cy.getElementById("more:" + nodeId));
      }
      if (data.truncated) say(t("truncated", { max: ds.maxNodes }));
      refresh();
      if (added.nonempty()) fitAll();
      return added;
    });
  }

  // --- The selected record --------------------------------------------------------------------------------------

  var panel = root.querySelector(".la-selected");

  function button(text, action) {
    var b = el("button", { type: "button", text: text });
    b.addEventListener("click", action);
    return b;
  }

  function select(node) {
    cy.nodes().unselect();
    node.select();
    showSelected(node);
  }

  function showSelected(node) {
    panel.textContent = "";
    if (!node || node.empty()) {
      panel.appendChild(el("p", { class: "muted", text: t("nothing-selected") }));
      return;
    }
    var data = node.data();
    if (data.kind === "hidden") {
      panel.appendChild(el("p", { class: "la-node-title la-hidden-note", text: t("hidden-record") }));
      panel.appendChild(el("p", { class: "muted", text: t("hidden-help") }));
      panel.appendChild(el("div", { class: "la-node-actions" }, [button(t("hide"), function () { hide(node); })]));
      return;
    }
    panel.appendChild(el("p", { class: "la-node-title", dir: "auto", text: data.label }));
    if (data.detail) panel.appendChild(el("p", { class: "la-kind muted", text: data.detail }));
    if (data.protected) panel.appendChild(el("p", { class: "protected", text: t("protected") }));
    if (data.retracted) panel.appendChild(el("p", { class: "protected", text: t("retracted") }));
    var facts = el("dl");
    [[t("owner"), data.owner], ["TLP", data.tlp]].forEach(function (pair) {
      if (pair[1]) { facts.appendChild(el("dt", { text: pair[0] })); facts.appendChild(el("dd", { text: pair[1] })); }
    });
    panel.appendChild(facts);
    var actions = el("div", { class: "la-node-actions" }, [
      el("a", { class: "button", href: data.url, text: t("open") }),
      button(t("expand"), function () { expand(node.id(), 0); }),
      button(node.hasClass("pinned") ? t("unpin") : t("pin"), function () { togglePin(node); }),
      button(t("hide"), function () { hide(node); }),
      node.id() !== startId ? button(t("path-here"), function () { findPath(startId, node.id()); }) : null,
      ["person", "organisation", "identifier"].indexOf(data.kind) >= 0
        ? button(t("shared"), function () { shared([node.id()]); }) : null,
    ]);
    panel.appendChild(actions);
  }

  function togglePin(node) {
    if (node.hasClass("pinned")) { node.removeClass("pinned"); node.unlock(); }
    else { node.addClass("pinned"); node.lock(); }
    showSelected(node);
  }

  // --- Hiding ---------------------------------------------------------------------------------------------------

  var hiddenSection = root.querySelector(".la-hidden-list");

  function hide(node) {
    if (node.id() === startId) return;
    var handle = cy.getElementById("more:" + node.id());
    var removed = node.union(node.connectedEdges()).union(handle).union(handle.connectedEdges()).remove();
    hiddenStore[node.id()] = { elements: removed, label: node.data("label") };
    showSelected(null);
    renderHidden();
    refresh();
  }

  function showAgain(id) {
    var stored = hiddenStore[id];
    delete hiddenStore[id];
    if (!stored) return;
    stored.elements.nodes().restore();
    stored.elements.edges().forEach(function (edge) {
      if (cy.getElementById(edge.data("source")).nonempty() && cy.getElementById(edge.data("target")).nonempty()) {
        edge.restore();
      }
    });
    renderHidden();
    refresh();
  }

  function renderHidden() {
    var list = hiddenSection.querySelector("ul");
    list.textContent = "";
    var ids = Object.keys(hiddenStore);
    hiddenSection.hidden = !ids.length;
    ids.forEach(function (id) {
      list.appendChild(el("li", {}, [el("bdi", { dir: "auto", text: hiddenStore[id].label }),
                                     button(t("show-again"), function () { showAgain(id); })]));
    });
  }

  // --- "+N more" handles, listed in the panel too (for keyboards and small screens) -------------------------------

  var morePanel = root.querySelector(".la-more");

  function renderMore() {
    morePanel.textContent = "";
    var ids = Object.keys(more).filter(function (id) { return cy.getElementById(id).nonempty(); });
    if (!ids.length) return;
    var list = el("ul");
    ids.forEach(function (id) {
      var entry = more[id];
      var label = cy.getElementById(id).data("label");
      list.appendChild(el("li", {}, [button(label + " — " + entry.label, function () { expand(id, entry.next_offset); })]));
    });
    morePanel.appendChild(list);
  }

  // --- Results: paths, shared identifiers, key members ------------------------------------------------------------

  var results = root.querySelector(".la-results");

  function showResults(title, body) {
    results.hidden = false;
    results.querySelector(".la-results-title").textContent = title;
    var holder = results.querySelector(".la-results-body");
    holder.textContent = "";
    body.forEach(function (child) { if (child) holder.appendChild(child); });
  }

  function nodeLink(id) {
    var node = cy.getElementById(id);
    var label = node.nonempty() ? node.data("label") : id;
    var b = el("button", { type: "button", class: "la-node-button", dir: "auto", text: label });
    b.addEventListener("click", function () {
      var target = cy.getElementById(id);
      if (target.nonempty()) { select(target); cy.animate({ center: { eles: target } }, { duration: 200 }); }
    });
    return b;
  }

  /* A record in a list of results, with its owner agency: two agencies' records of one number look alike. */
  function nodeWithOwner(id) {
    var node = cy.getElementById(id);
    var owner = node.nonempty() ? node.data("owner") : "";
    return el("span", {}, [nodeLink(id), owner ? el("span", { class: "la-owner", text: " " + owner }) : null]);
  }

  /* Bring what was just added into view (the whole picture, as it grew). */
  function fitAll() {
    cy.animate({ fit: { eles: cy.elements(":visible"), padding: 30 } }, { duration: 250 });
  }

  function findPath(from, to) {
    var params = new URLSearchParams({ from: from, to: to });
    cy.elements().removeClass("path");
    return request(ds.urlPath, params).then(function (data) {
      if (data.hops === null || data.hops === undefined) {
        showResults(t("path-here"), [el("p", { text: data.stopped === "frontier" ? t("path-stopped")
                                                     : t("no-path", { hops: "4" }) })]);
        return data;
      }
      var added = addPicture(data);
      var anchor = cy.getElementById(from);
      if (anchor.nonempty()) placeAround(anchor, added);
      var edgeIds = (data.edges || []).map(function (e) { return e.id; });
      (data.nodes || []).forEach(function (n) { cy.getElementById(n.id).addClass("path"); });
      edgeIds.forEach(function (id) { cy.getElementById(id).addClass("path"); });
      var lists = data.paths.map(function (path) {
        var ol = el("ol", { class: "la-path-steps" });
        path.forEach(function (id, i) {
          var item = el("li", {}, [nodeWithOwner(id)]);
          if (i + 1 < path.length) {
            var edge = cy.edges().filter(function (e) {
              return edgeIds.indexOf(e.id()) >= 0 && ((e.data("source") === id && e.data("target") === path[i + 1])
                || (e.data("target") === id && e.data("source") === path[i + 1]));
            }).first();
            if (edge.nonempty()) item.appendChild(el("span", { class: "la-step-rel", text: " — " + edge.data("label") }));
          }
          ol.appendChild(item);
        });
        return ol;
      });
      showResults(t("path-found", { hops: String(data.hops) }), lists);
      refresh();
      fitAll();
      var target = cy.getElementById(to.indexOf(":") > 0 ? normalise(to, data) : to);
      if (target.nonempty() && ["identifier", "person", "organisation"].indexOf(target.data("kind")) >= 0) {
        // "The path to this phone number", then who else holds it.
        return shared([target.id()], true);
      }
      return data;
    });
  }

  /* A picker gives "<content type id>:<id>"; the answer names the same record "<kind>:<id>". */
  function normalise(value, data) {
    var pk = value.split(":")[1];
    var last = data.paths && data.paths[0] ? data.paths[0][data.paths[0].length - 1] : "";
    return last.split(":")[1] === pk ? last : value;
  }

  function shared(nodeIds, append) {
    var params = new URLSearchParams();
    nodeIds.forEach(function (id) { params.append("node", id); });
    return request(ds.urlShared, params).then(function (data) {
      var added = addPicture(data);
      var anchor = cy.getElementById(nodeIds[0]);
      if (anchor.nonempty()) placeAround(anchor, added);
      cy.elements().removeClass("shared");
      var body = [];
      if (!data.groups.length) body.push(el("p", { text: t("no-shared") }));
      data.groups.forEach(function (group) {
        group.records.forEach(function (id) { cy.getElementById(id).addClass("shared"); });
        var items = group.holders.map(function (holder) {
          cy.getElementById(holder.node).addClass("shared");
          cy.getElementById(holder.node).connectedEdges().forEach(function (e) {
            if (group.records.indexOf(e.data("source")) >= 0 || group.records.indexOf(e.data("target")) >= 0) e.addClass("shared");
          });
          return el("li", {}, [nodeLink(holder.node), " ", el("span", { class: "la-owner", text: holder.owner }), " ",
                               el("span", { class: "la-step-rel", text: holder.relation }), " ",
                               el("a", { href: holder.url, text: t("open") })]);
        });
        cy.edges(".same_value").forEach(function (e) {
          if (group.records.indexOf(e.data("source")) >= 0) e.addClass("shared");
        });
        body.push(el("div", { class: "la-group" }, [
          el("h3", { dir: "auto", text: group.title }),
          el("p", { class: group.across_agencies ? "la-across" : "", text: group.summary }),
          el("ul", {}, items),
        ]));
      });
      if (append && !results.hidden) {
        var holder = results.querySelector(".la-results-body");
        holder.appendChild(el("h3", { text: t("shared") }));
        body.forEach(function (child) { holder.appendChild(child); });
      } else {
        showResults(t("shared"), body);
      }
      refresh();
      fitAll();
      return data;
    });
  }

  function analyse() {
    var params = new URLSearchParams();
    recordNodes().forEach(function (n) { params.append("node", n.id()); });
    return request(ds.urlAnalyse, params, "POST");
  }

  function toggleKeyMembers(buttonEl) {
    var on = buttonEl.getAttribute("aria-pressed") !== "true";
    cy.nodes().removeClass("key");
    buttonEl.setAttribute("aria-pressed", String(on));
    if (!on) { results.hidden = true; return; }
    analyse().then(function (data) {
      var top = data.key_members;
      var items = top.map(function (member, i) {
        var node = cy.getElementById(member.node);
        node.data("keysize", Math.max(30, 56 - i * 3));
        node.addClass("key");
        return el("li", {}, [nodeLink(member.node),
                             el("span", { class: "la-owner", text: " · " + t("links-count") + ": " + member.degree })]);
      });
      showResults(t("key-members"), [el("p", { class: "muted", text: t("key-members-help") }), el("ol", {}, items)]);
    });
  }

  function toggleCommunities(buttonEl) {
    var on = buttonEl.getAttribute("aria-pressed") !== "true";
    COMMUNITY_COLOURS.forEach(function (_c, i) { cy.nodes().removeClass("c" + i); });
    buttonEl.setAttribute("aria-pressed", String(on));
    if (!on) { say(""); return; }
    analyse().then(function (data) {
      Object.keys(data.communities).forEach(function (id) {
        cy.getElementById(id).addClass("c" + (data.communities[id] % COMMUNITY_COLOURS.length));
      });
      say(t("communities-count", { count: String(data.count) }));
    });
  }

  // --- Table of what is shown -----------------------------------------------------------------------------------

  var tbody = root.querySelector(".la-table tbody");

  function renderTable() {
    tbody.textContent = "";
    cy.edges().forEach(function (edge) {
      if (edge.hasClass("more-edge") || edge.hasClass("filtered")) return;
      var source = edge.source(), target = edge.target();
      if (source.hasClass("filtered") || target.hasClass("filtered")) return;
      var relation = edge.data("url") ? el("a", { href: edge.data("url"), text: edge.data("label") })
        : el("span", { text: edge.data("label") });
      tbody.appendChild(el("tr", {}, [
        el("td", {}, [endCell(source)]), el("td", {}, [relation]), el("td", {}, [endCell(target)]),
        el("td", { text: edge.data("dates") || "" }),
      ]));
    });
  }

  function endCell(node) {
    if (node.data("kind") === "hidden") return el("span", { class: "la-hidden-note", text: t("hidden-record") });
    return nodeLink(node.id());
  }

  // --- Export ---------------------------------------------------------------------------------------------------

  function strictestTlp() {
    var worst = 0;
    cy.elements().forEach(function (e) {
      var i = TLP_ORDER.indexOf(e.data("tlp"));
      if (i > worst && !e.hasClass("filtered")) worst = i;
    });
    return "TLP:" + TLP_ORDER[worst];
  }

  function exportFile(format) {
    var form = root.querySelector(".la-export");
    form.querySelectorAll("input[name=node]").forEach(function (input) { input.remove(); });
    form.querySelector("input[name=format]").value = format;
    cy.nodes().forEach(function (node) {
      if (node.hasClass("more") || node.hasClass("filtered")) return;
      form.appendChild(el("input", { type: "hidden", name: "node", value: node.id() }));
    });
    form.submit();
  }

  /* The picture with its marking above and below, as the reports mark every page. */
  function exportPng() {
    var marking = strictestTlp();
    cy.png({ output: "blob-promise", full: true, scale: 2, bg: "#ffffff" }).then(function (blob) {
      return window.createImageBitmap(blob);
    }).then(function (image) {
      var band = 48;
      var canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height + 2 * band;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(image, 0, band);
      ctx.fillStyle = "#000000";
      ctx.fillRect(0, 0, canvas.width, band);
      ctx.fillRect(0, canvas.height - band, canvas.width, band);
      ctx.font = "bold 26px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillStyle = marking.indexOf("RED") > 0 ? "#FF2B2B" : marking.indexOf("AMBER") > 0 ? "#FFC000"
        : marking.indexOf("GREEN") > 0 ? "#33FF00" : "#FFFFFF";
      ctx.fillText(marking, canvas.width / 2, band / 2);
      ctx.fillText(marking, canvas.width / 2, canvas.height - band / 2);
      canvas.toBlob(function (png) {
        var link = el("a", { href: URL.createObjectURL(png), download: "link-analysis-" + marking.replace(/[:+]/g, "-") + ".png" });
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    }).catch(function () { say(t("failed"), true); });
  }

  // --- Wiring ---------------------------------------------------------------------------------------------------

  cy.on("tap", "node", function (event) {
    var node = event.target;
    if (node.hasClass("more")) {
      var owner = node.data("owner_node");
      expand(owner, (more[owner] || {}).next_offset || 0);
      return;
    }
    select(node);
  });
  cy.on("dbltap", "node", function (event) {
    var node = event.target;
    if (RECORD_KINDS.indexOf(node.data("kind")) >= 0) expand(node.id(), 0);
  });
  cy.on("tap", function (event) { if (event.target === cy) showSelected(null); });

  root.querySelectorAll(".la-types input").forEach(function (box) {
    box.addEventListener("change", refresh);
  });
  root.querySelector("[data-action=period]").addEventListener("click", function () {
    var from = root.querySelector(".la-period input[name=from]");
    var to = root.querySelector(".la-period input[name=to]");
    if (!from.checkValidity() || !to.checkValidity()) { say(from.validationMessage || to.validationMessage, true); return; }
    filters.from = from.value.trim();
    filters.to = to.value.trim();
    say("");
    refresh();
  });
  root.querySelector("[data-action=layout]").addEventListener("click", layoutAll);
  window.addEventListener("resize", function () { cy.resize(); });
  root.querySelector("[data-action=fit]").addEventListener("click", function () { cy.fit(undefined, 30); });
  root.querySelector("[data-action=key-members]").addEventListener("click", function (e) { toggleKeyMembers(e.currentTarget); });
  root.querySelector("[data-action=communities]").addEventListener("click", function (e) { toggleCommunities(e.currentTarget); });
  root.querySelector("[data-action=shared-all]").addEventListener("click", function () {
    var chosen = cy.nodes(":selected").filter(function (n) { return RECORD_KINDS.indexOf(n.data("kind")) >= 0; });
    shared(chosen.nonempty() ? [chosen.first().id()] : [startId]);
  });
  root.querySelector("[data-action=png]").addEventListener("click", exportPng);
  root.querySelector("[data-action=graphml]").addEventListener("click", function () { exportFile("graphml"); });
  root.querySelector("[data-action=json]").addEventListener("click", function () { exportFile("json"); });
  root.querySelector("[data-role=path-form]").addEventListener("submit", function (event) {
    event.preventDefault();
    var select = event.currentTarget.querySelector("select");
    var value = select ? select.value : "";
    if (!value) { say(t("choose-target"), true); return; }
    var chosen = cy.nodes(":selected").filter(function (n) { return RECORD_KINDS.indexOf(n.data("kind")) >= 0; });
    findPath(chosen.nonempty() ? chosen.first().id() : startId, value);
  });

  // The first picture: the start and its links.
  var params = filterParams(new URLSearchParams({ node: startId, hops: "1", limit: ds.limit }));
  request(ds.urlNeighbourhood, params).then(function (data) {
    addPicture(data);
    var start = cy.getElementById(startId);
    start.position({ x: 0, y: 0 });
    placeAround(start, cy.nodes().difference(start));
    updateMore(data.more);
    refresh();
    layoutAll();
    select(start);
    root.classList.add("la-ready");
    // The canvas may have settled its size after the first drawing (fonts, a phone's bars).
    window.requestAnimationFrame(function () { cy.resize(); cy.fit(undefined, 30); });
  });
})();
