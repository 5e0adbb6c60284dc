// cutover: search, dashboard filters, sortable tables and the cue on boxes
// that scroll sideways. Progressive enhancement only: every page is complete
// without this script; the controls stay hidden until it runs.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  function norm(s) {
    return String(s || "").toLowerCase();
  }

  // The search data is two scripts the build writes beside the pages
  // (search-index.js: names, owners, releases, people, items; and
  // search-evidence.js: the words of every evidence body). They are loaded
  // only when someone uses the search box: at portfolio scale they are
  // megabytes that no page needs to show. Script elements rather than fetch,
  // because pages opened from file:// may not fetch.
  var pending = {};
  function load(file, global, done) {
    if (window[global]) return done();
    if (pending[file]) return pending[file].push(done);
    pending[file] = [done];
    var s = document.createElement("script");
    s.src = root + file;
    var finish = function () {
      var waiting = pending[file];
      pending[file] = null;
      waiting.forEach(function (f) { f(); });
    };
    s.onload = finish;
    s.onerror = finish; // an index that is not there: search what did load
    document.head.appendChild(s);
  }

  function entries() {
    var data = window.CUTOVER_SEARCH || { workloads: [], items: [], releases: [] };
    var out = [];
    var names = {};
    data.workloads.forEach(function (w) {
      names[w.id] = w.name;
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
    return { entries: out, names: names };
  }

  // Evidence matches come after the others: a word of the query matches a
  // body when one of the body's words contains it.
  function evidenceMatches(query, names, limit) {
    var ev = window.CUTOVER_EVIDENCE;
    // Indexed words are runs of letters, digits and "_": the query is cut the same way.
    var words = query.split(/[^\p{L}\p{N}_]+/u).filter(function (w) { return w.length >= 3; });
    if (!ev || !words.length) return [];
    var sets = words.map(function (q) {
      var ids = {};
      ev.words.forEach(function (w, i) { if (w.indexOf(q) !== -1) ids[i.toString(36)] = true; });
      return ids;
    });
    var out = [];
    for (var b = 0; b < ev.bodies.length && out.length < limit; b++) {
      var body = ev.bodies[b];
      var own = body[3].split(" ");
      var all = sets.every(function (ids) { return own.some(function (n) { return ids[n]; }); });
      if (all) {
        out.push({
          kind: "evidence",
          title: (names[body[0]] || body[0]) + ": " + body[2],
          detail: body[0] + " · " + body[1],
          href: "workloads/" + body[0] + "/index.html#item-" + body[1]
        });
      }
    }
    return out;
  }

  function setupSearch(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector(".results");
    var status = form.querySelector(".search-status");
    var data = null;
    var found = [];
    form.hidden = false;
    function search(query) {
      var words = norm(query).split(/\s+/).filter(Boolean);
      if (!words.length || !data) return [];
      var hits = data.entries.filter(function (e) {
        return words.every(function (w) { return e.text.indexOf(w) !== -1; });
      }).slice(0, 20);
      return hits.concat(evidenceMatches(norm(query), data.names, 25 - hits.length));
    }
    function show() {
      if (!data) {
        status.textContent = input.value ? "Loading the search index…" : "";
        return;
      }
      found = search(input.value);
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
    var started = false;
    var goWhenReady = false;
    function start() {
      if (started) return;
      started = true;
      var left = 2;
      var ready = function () {
        left -= 1;
        if (left === 0) {
          data = entries();
          show();
          // Enter pressed before the index arrived: go now.
          if (goWhenReady && found.length) window.location.href = root + found[0].href;
        }
      };
      load("search-index.js", "CUTOVER_SEARCH", ready);
      load("search-evidence.js", "CUTOVER_EVIDENCE", ready);
    }
    input.addEventListener("focus", start);
    input.addEventListener("input", function () { start(); show(); });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      start();
      show();
      if (!data) goWhenReady = true;
      else if (found.length) window.location.href = root + found[0].href;
    });
  }

  // Dashboard filters. The choice lives in the address (?decision=blocked&release=r2),
  // so a filtered view can be bookmarked and shared; it is applied when the page opens.
  function setupFilters(form) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-decision]"));
    var count = form.querySelector(".filter-count");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    form.hidden = false;
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (s) {
      var wanted = params.get(s.name);
      if (wanted === null) return;
      var known = Array.prototype.some.call(s.options, function (o) { return o.value === wanted; });
      if (known) s.value = wanted;
    });
    function remember() {
      var q = new URLSearchParams(window.location.search);
      selects.forEach(function (s) {
        if (s.value) q.set(s.name, s.value); else q.delete(s.name);
      });
      var text = q.toString();
      try {
        window.history.replaceState(null, "", window.location.pathname + (text ? "?" + text : "") + window.location.hash);
      } catch (e) {
        // Some browsers refuse to change a file:// address; the filter still applies.
      }
    }
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
    function changed() {
      apply();
      remember();
    }
    selects.forEach(function (s) { s.addEventListener("change", changed); });
    form.addEventListener("reset", function () { window.setTimeout(changed, 0); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); changed(); });
    apply();
  }

  // The value a cell sorts by: its data-sort attribute when the build wrote
  // one (days left, where an expired waiver reads "expired 3 days ago"),
  // else its text. Dates (2026-11-26) compare as text, which orders them;
  // numbers compare as numbers; empty cells and "-" go last.
  function sortKey(cell) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (raw === "" || raw === "-") return { empty: true };
    if (/^\d{4}-\d{2}-\d{2}/.test(raw)) return { text: raw.slice(0, 10) };
    if (/^-?\d+(\.\d+)?$/.test(raw)) return { num: parseFloat(raw) };
    return { text: raw };
  }

  function compare(a, b) {
    if (a.empty || b.empty) return (a.empty ? 1 : 0) - (b.empty ? 1 : 0);
    if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
    if (a.num !== undefined) return -1;
    if (b.num !== undefined) return 1;
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
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
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
          return { row: r, key: sortKey(r.cells[col]), at: i };
        });
        rows.sort(function (x, y) {
          var c = compare(x.key, y.key);
          // Empty cells stay last either way; equal keys keep their order.
          if (!x.key.empty && !y.key.empty && !ascending) c = -c;
          return c || x.at - y.at;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      });
    });
  }

  // A box that scrolls sideways says so: a hint above it and an edge that
  // shows it goes on (style.css), and it takes keyboard focus so it can be scrolled
  // without a mouse. Checked again when the window changes size.
  function markScrollers() {
    document.querySelectorAll(".scroll, .timeline-fig, .trend-fig, .burnup-fig").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("overflows", wide);
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = "Wider than the screen: scroll sideways for more →";
        box.parentNode.insertBefore(hint, box);
      }
      hint.hidden = !wide;
      // A figure keeps its own role; a plain box becomes a named region to tab to.
      var plain = box.localName === "div";
      if (wide) {
        box.setAttribute("tabindex", "0");
        if (plain) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", "Wide content, scrolls sideways");
        }
      } else {
        box.removeAttribute("tabindex");
        if (plain) {
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      }
    });
  }

  document.querySelectorAll("form.search").forEach(setupSearch);
  document.querySelectorAll("table.sortable").forEach(setupSort);
  document.querySelectorAll("form.filters").forEach(setupFilters);
  markScrollers();
  window.addEventListener("resize", markScrollers);
})();
