// The dashboard's live stream: one EventSource per page, authenticated by the session cookie.
// A section marked data-refresh-on="<event types>" is fetched again (htmx, the same page,
// that section only) when such an event arrives; rows of the SKUs that changed are marked.
// Nothing here decides what a figure means: every mark and number is rendered by the hub.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.live;
  if (!url || !window.EventSource || !window.htmx) {
    return;
  }
  var TYPES = ["stock.changed", "alert.raised", "alert.resolved"];
  var DELAY_MS = 200; // a burst of events costs one refresh per section
  var waiting = {};

  function show(state) {
    body.dataset.stream = state;
    var label = document.querySelector(".stream-state .label");
    if (label) {
      label.textContent = state === "open" ? "live" : state;
    }
  }

  function refresh(id, skus) {
    var here = window.location.pathname + window.location.search;
    var target = "#" + id;
    htmx.ajax("GET", here, { target: target, select: target, swap: "outerHTML" }).then(function () {
      var section = document.getElementById(id);
      if (!section) {
        return;
      }
      skus.forEach(function (sku) {
        section.querySelectorAll('[data-sku="' + CSS.escape(sku) + '"]').forEach(function (row) {
          row.classList.add("changed");
        });
      });
      body.dispatchEvent(new CustomEvent("tillsync:refreshed", { detail: { id: id } }));
    });
  }

  function received(type, data) {
    var sku = data && (data.sku || data.product_sku);
    document.querySelectorAll("[data-refresh-on]").forEach(function (section) {
      if (!section.id || section.dataset.refreshOn.split(/\s+/).indexOf(type) < 0) {
        return;
      }
      var entry = waiting[section.id];
      if (!entry) {
        entry = waiting[section.id] = { skus: new Set() };
        setTimeout(function () {
          delete waiting[section.id];
          refresh(section.id, entry.skus);
        }, DELAY_MS);
      }
      if (sku) {
        entry.skus.add(sku);
      }
    });
  }

  var source = new EventSource(url);
  source.onopen = function () {
    show("open");
  };
  source.onerror = function () {
    show(source.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
  };
  TYPES.forEach(function (type) {
    source.addEventListener(type, function (event) {
      received(type, JSON.parse(event.data));
    });
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();

// An action refused because of the state it met (409 Conflict: a sync of that mode is already
// under way) answers with the page that says why: htmx swaps it in like a success.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
