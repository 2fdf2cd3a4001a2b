/* Searchable pickers (liaison/web/widgets.py): every <select data-picker> becomes
   a Tom Select search box. Loaded from a file, never inline: the
   Content-Security-Policy allows only the site's own scripts.

   data-picker="local"   every option is in the page; the browser searches them.
   data-picker="remote"  the page lists the first options; typing asks
                         data-picker-url?q=… for the matches (JSON {results: [...]}),
                         which the server already narrowed to what the user may see.

   Without JavaScript (or if Tom Select failed to load) the <select> stays as it is. */
(function () {
  "use strict";

  function clearButton(config) {
    var button = document.createElement("div");
    button.className = config.className;
    button.title = config.title;
    button.setAttribute("role", "button");
    button.setAttribute("aria-label", config.title);
    button.textContent = "×";
    button.tabIndex = -1; // for the mouse: the keyboard clears with Backspace
    return button;
  }

  function textOf(data, escape) {
    return '<span class="pick-text" dir="auto">' + escape(data.text || "") + "</span>";
  }

  function settingsFor(select) {
    var ds = select.dataset;
    var multiple = select.multiple;
    // A single choice that may stay empty ("Any action", "—"): its empty option's
    // words become the placeholder when they say something, and a button clears it.
    var empty = multiple ? null : select.querySelector('option[value=""]');
    var emptyText = empty ? empty.textContent.trim() : "";
    var plugins = {};
    if (multiple) {
      plugins.remove_button = { title: ds.pickerRemove || "Remove", label: "×" };
    } else if (empty && !select.required) {
      plugins.clear_button = { title: ds.pickerRemove || "Remove", html: clearButton };
    }
    var settings = {
      maxOptions: 100,
      searchField: ["text", "detail"],
      hidePlaceholder: true,
      closeAfterSelect: !multiple,
      // After choosing one of several, the typed words go: the next search starts afresh.
      clearAfterSelect: multiple,
      placeholder: /[^\s\-–—]/.test(emptyText) ? emptyText : ds.pickerPlaceholder || "",
      // A value typed into a forged page is refused by the server anyway;
      // the picker only ever offers what it was given.
      create: false,
      plugins: plugins,
      render: {
        option: function (data, escape) {
          var detail = data.detail ? '<span class="pick-detail" dir="auto">' + escape(data.detail) + "</span>" : "";
          return '<div class="pick-option">' + textOf(data, escape) + detail + "</div>";
        },
        item: function (data, escape) {
          var title = data.detail ? ' title="' + escape(data.detail) + '"' : "";
          return "<div" + title + ">" + textOf(data, escape) + "</div>";
        },
        no_results: function (data, escape) {
          return '<div class="no-results">' + escape(ds.pickerEmpty || "") + "</div>";
        },
        loading: function (data, escape) {
          return '<div class="spinner" role="status">' + escape(ds.pickerLoading || "") + "</div>";
        },
      },
    };
    if (ds.picker === "remote" && ds.pickerUrl) {
      Object.assign(settings, remoteSettings(ds.pickerUrl));
    }
    return settings;
  }

  function remoteSettings(url) {
    return {
      loadThrottle: 250,
      load: function (query, callback) {
        var self = this;
        var address = new URL(url, window.location.href);
        address.searchParams.set("q", query);
        fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (json) {
            var results = (json.results || []).map(function (option) {
              option.fromServer = true;
              return option;
            });
            var groups = [];
            results.forEach(function (option) {
              if (option.optgroup && groups.indexOf(option.optgroup) < 0) groups.push(option.optgroup);
            });
            // Only this answer's matches (and what is already chosen) stay offered.
            self.clearOptions();
            callback(results, groups.map(function (g) { return { value: g, label: g }; }));
          })
          .catch(function () { callback(); });
      },
      // The server matched names in every script and spelling ("明国平" finds
      // "Ming Guoping"): keep its answer as it is, in its order. Options of the
      // page itself are filtered here while the answer is on its way.
      score: function (search) {
        var local = this.sifter.getScoreFunction(search, this.getSearchOptions());
        return function (item) { return item.fromServer ? 1 : local(item); };
      },
    };
  }

  function start(root) {
    if (typeof window.TomSelect !== "function") return;
    root.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.tomselect) return;
      try {
        var picker = new window.TomSelect(select, settingsFor(select));
        // The help text below the field is read out with the search box, as it was with the <select>.
        var help = select.getAttribute("aria-describedby");
        if (help) picker.control_input.setAttribute("aria-describedby", help);
      } catch (error) {
        // A picker that fails leaves the plain <select> working.
        if (window.console) window.console.error(error);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }
})();
