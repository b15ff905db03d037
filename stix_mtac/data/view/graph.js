// Pan, zoom and inspect the graph drawn above. Reads only the data embedded in this page and
// never touches the network; text from the bundle is inserted with textContent, never as HTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("stix-graph-data").textContent);
  const svg = document.querySelector("#canvas svg");
  const status = document.getElementById("status");
  const title = document.getElementById("details-title");
  const properties = document.getElementById("properties");
  const box = svg.viewBox.baseVal;
  const home = { x: box.x, y: box.y, w: box.width, h: box.height };
  let view = Object.assign({}, home);

  svg.removeAttribute("width");
  svg.removeAttribute("height");

  function apply() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
  }

  // SVG units per screen pixel, given preserveAspectRatio "xMidYMid meet".
  function unitsPerPixel() {
    const rect = svg.getBoundingClientRect();
    return Math.max(view.w / Math.max(rect.width, 1), view.h / Math.max(rect.height, 1));
  }

  function toSvg(clientX, clientY) {
    const rect = svg.getBoundingClientRect();
    const scale = unitsPerPixel();
    const cx = view.x + view.w / 2 + (clientX - rect.left - rect.width / 2) * scale;
    const cy = view.y + view.h / 2 + (clientY - rect.top - rect.height / 2) * scale;
    return { x: cx, y: cy };
  }

  function zoom(factor, at) {
    const w = Math.min(Math.max(view.w * factor, home.w / 40), home.w * 4);
    const applied = w / view.w;
    view = {
      x: at.x - (at.x - view.x) * applied,
      y: at.y - (at.y - view.y) * applied,
      w: view.w * applied,
      h: view.h * applied,
    };
    apply();
  }

  function centre() {
    return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
  }

  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    zoom(event.deltaY < 0 ? 1 / 1.2 : 1.2, toSvg(event.clientX, event.clientY));
  }, { passive: false });

  let drag = null;
  svg.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX, y: event.clientY, view: Object.assign({}, view), moved: false };
  });
  window.addEventListener("pointermove", function (event) {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) {
      drag.moved = true;
      svg.classList.add("panning");
    }
    const scale = unitsPerPixel();
    view = Object.assign({}, drag.view, { x: drag.view.x - dx * scale, y: drag.view.y - dy * scale });
    apply();
  });
  window.addEventListener("pointerup", function () {
    svg.classList.remove("panning");
    setTimeout(function () { drag = null; }, 0);
  });

  function clearSelection() {
    svg.querySelectorAll(".selected, .linked, .dimmed").forEach(function (element) {
      element.classList.remove("selected", "linked", "dimmed");
    });
  }

  // One property per paragraph; strings as written (descriptions keep their line breaks).
  function describe(object) {
    return Object.keys(object).sort().map(function (key) {
      const value = object[key];
      return key + ": " + (typeof value === "string" ? value : JSON.stringify(value, null, 2));
    }).join("\n\n");
  }

  function show(id) {
    const object = data.objects[id];
    title.textContent = object ? object.type + ": " + (object.name || id) : id + " (not in bundle)";
    properties.textContent = object ? describe(object) : "This object is referenced but not included in the bundle.";
  }

  function select(element) {
    clearSelection();
    const id = element.getAttribute("data-id");
    element.classList.add("selected");
    if (element.classList.contains("node")) {
      const near = new Set([id]);
      svg.querySelectorAll("g.edge").forEach(function (edge) {
        if (edge.getAttribute("data-source") === id || edge.getAttribute("data-target") === id) {
          edge.classList.add("linked");
          near.add(edge.getAttribute("data-source"));
          near.add(edge.getAttribute("data-target"));
        } else {
          edge.classList.add("dimmed");
        }
      });
      svg.querySelectorAll("g.node").forEach(function (node) {
        if (!near.has(node.getAttribute("data-id"))) node.classList.add("dimmed");
      });
    }
    show(id);
    if (location.hash !== "#" + encodeURIComponent(id)) {
      history.replaceState(null, "", "#" + encodeURIComponent(id));
    }
  }

  // A link to graph.html#<STIX id> opens with that object selected.
  function selectFromHash() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    const element = Array.prototype.find.call(
      svg.querySelectorAll("g.node, g.edge"),
      function (candidate) { return candidate.getAttribute("data-id") === id; }
    );
    if (element) select(element);
  }

  svg.addEventListener("click", function (event) {
    if (drag && drag.moved) return;
    const target = event.target.closest("g.node, g.edge");
    if (target) {
      select(target);
    } else {
      clearSelection();
    }
  });

  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1 / 1.3, centre()); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.3, centre()); });
  document.getElementById("fit").addEventListener("click", function () { view = Object.assign({}, home); apply(); });

  window.addEventListener("hashchange", selectFromHash);
  selectFromHash();

  const nodes = svg.querySelectorAll("g.node").length;
  const edges = svg.querySelectorAll("g.edge").length;
  status.textContent = nodes + " nodes, " + edges + " edges";
  // A marker for tests (and curious readers): the script ran to the end over the drawn graph.
  document.documentElement.setAttribute("data-graph-ready", nodes + "/" + edges);
})();
