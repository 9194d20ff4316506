// The trainer's live board of a class: every few seconds, fetch the table alone (?part=table) and swap it in.
// No inline script (the CSP forbids it); without JavaScript the page's <noscript> meta refresh reloads it.
(function () {
  "use strict";
  function start() {
    var board = document.getElementById("class-board");
    if (!board || !window.fetch) return;
    var url = board.getAttribute("data-refresh-url");
    var seconds = parseInt(board.getAttribute("data-refresh-seconds"), 10) || 5;
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" }, cache: "no-store" })
        .then(function (response) {
          if (response.redirected) { window.location.reload(); throw new Error("signed out"); }
          if (!response.ok) throw new Error("board " + response.status);
          return response.text();
        })
        .then(function (html) {
          board.innerHTML = html;
          board.setAttribute("data-refreshed", String(Date.now()));
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { window.setTimeout(refresh, seconds * 1000); });
    }
    window.setTimeout(refresh, seconds * 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
