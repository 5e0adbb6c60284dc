// cutover: search and dashboard filters. Progressive enhancement only: every
// page is complete without this script; the controls stay hidden until it runs.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  function norm(s) {
    return String(s || "").toLowerCase();
  }

  function entries() {
    var data = window.CUTOVER_SEARCH || { workloads: [], items: [], releases: [] };
    var out = [];
    data.workloads.forEach(function (w) {
      out.push({
        kind: "workload",
        title: w.name,
        detail: [w.id, w.owner, w.release, w.decision].filter(Boolean).join(" · "),
        text: norm([w.id, w.name, w.owner, w.release, w.release_title, w.decision].join(" ")),
        href: w.href
      });
    });
    data.releases.forEach(function (r) {
      out.push({ kind: "release", title: r.title, detail: r.id, text: norm(r.id + " " + r.title), href: r.href });
    });
    (data.people || []).forEach(function (x) {
      out.push({ kind: "person", title: x.title, detail: "owner or approver", text: norm(x.id + " " + x.title), href: x.href });
    });
    data.items.forEach(function (i) {
      out.push({ kind: "checklist item", title: i.title, detail: i.id, text: norm(i.id + " " + i.title + " " + i.summary), href: i.href });
    });
    return out;
  }

  function search(all, query) {
    var words = norm(query).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    return all.filter(function (e) {
      return words.every(function (w) { return e.text.indexOf(w) !== -1; });
    }).slice(0, 20);
  }

  function setupSearch(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector(".results");
    var status = form.querySelector(".search-status");
    var all = entries();
    var found = [];
    form.hidden = false;
    function show() {
      found = search(all, input.value);
      list.textContent = "";
      found.forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + e.href;
        a.textContent = e.title;
        var small = document.createElement("span");
        small.className = "sub";
        small.textContent = e.kind + " · " + e.detail;
        a.appendChild(small);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      status.textContent = input.value ? found.length + (found.length === 1 ? " result" : " results") : "";
    }
    input.addEventListener("input", show);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      show();
      if (found.length) window.location.href = root + found[0].href;
    });
  }

  function setupFilters(form) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-decision]"));
    var count = form.querySelector(".filter-count");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    form.hidden = false;
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = selects.every(function (s) {
          return !s.value || row.getAttribute("data-" + s.name) === s.value;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = "Showing " + shown + " of " + rows.length + " workloads";
    }
    selects.forEach(function (s) { s.addEventListener("change", apply); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
    apply();
  }

  // Tables marked sortable get heading buttons; without script they keep the
  // order the build wrote (by workload), which is already useful.
  function setupSort(table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    var body = table.tBodies[0];
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.classList.add("sort");
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent.trim();
          var y = b.cells[col].textContent.trim();
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  document.querySelectorAll("form.search").forEach(setupSearch);
  document.querySelectorAll("table.sortable").forEach(setupSort);
  document.querySelectorAll("form.filters").forEach(setupFilters);
})();
