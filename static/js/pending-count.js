/* The hosts' count of questions waiting for moderation, in the live room's header
   (templates/live/room.html): kept in step with the backstage list, which the room's scripts
   (static/js/live/render.js) redraw as questions arrive and are approved. Text only. */
(function () {
  "use strict";

  function words(n) {
    if (n === 0) { return "No questions"; }
    return n === 1 ? "1 question" : n + " questions";
  }

  function init() {
    var list = document.getElementById("backstage");
    var summary = document.querySelector("[data-pending-summary]");
    if (!list || !summary || typeof MutationObserver !== "function") { return; }
    var count = summary.querySelector("[data-pending-count]");

    function update() {
      var n = list.querySelectorAll('.question[data-status="pending"]').length;
      var text = words(n);
      if (count.textContent !== text) { count.textContent = text; }
      summary.dataset.pendingState = n ? "waiting" : "clear";
    }

    new MutationObserver(update).observe(list, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["data-status"]
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
