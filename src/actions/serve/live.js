// cutover serve: reloads the page when the portfolio changes.
// Served by `cutover serve` only, as a file, so the site's Content-Security-Policy
// (script-src 'self') holds; `cutover build` never includes it.
(function () {
  "use strict";
  var me = document.currentScript;
  var version = me ? new URL(me.src).searchParams.get("v") : null;
  if (version === null) {
    return;
  }
  function wait(delay) {
    window.setTimeout(poll, delay);
  }
  function poll() {
    fetch("/__cutover/poll?since=" + encodeURIComponent(version), { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(String(r.status));
        }
        return r.json();
      })
      .then(function (state) {
        if (String(state.version) !== version) {
          window.location.reload();
        } else {
          wait(0);
        }
      })
      .catch(function () {
        // The server is restarting or gone: try again, gently.
        wait(1000);
      });
  }
  var overlay = document.getElementById("cutover-overlay");
  if (overlay) {
    var close = overlay.querySelector("button");
    if (close) {
      close.addEventListener("click", function () {
        overlay.hidden = true;
      });
    }
  }
  poll();
})();
