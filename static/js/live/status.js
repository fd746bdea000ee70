/* The live room's messages to the person: the status line (#live-status), the screen-reader
   announcer (#live-announcer), the organisers' notice (#live-notice) and a warning about
   something of theirs that did not go through (made when first needed). Text only.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  parts.createStatus = function (doc) {
    var statusLine = doc.getElementById("live-status");
    var announcer = doc.getElementById("live-announcer");
    var notice = doc.getElementById("live-notice");
    var problem = null;

    return {
      announce: function (message) {
        announcer.textContent = "";
        window.setTimeout(function () { announcer.textContent = message; }, 50);
      },
      set: function (state, message) {
        statusLine.dataset.state = state;
        statusLine.textContent = message;
      },
      state: function () { return statusLine.dataset.state; },
      notice: function (message) {
        if (!notice) { return; }
        notice.textContent = message;
        notice.hidden = !notice.textContent;
      },
      /* Shown (and announced) until the next problem or problem(""), after the status line. */
      problem: function (message) {
        if (!problem && !message) { return; }
        if (!problem) {
          problem = doc.createElement("p");
          problem.className = "flash flash--warning";
          problem.setAttribute("role", "alert");
          problem.dataset.liveProblem = "";
          statusLine.insertAdjacentElement("afterend", problem);
        }
        problem.textContent = message;
        problem.hidden = !message;
      }
    };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
