/* The live room's messages to the person: the status line (#live-status), the screen-reader
   announcer (#live-announcer) and the organisers' notice (#live-notice). Text only.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  parts.createStatus = function (doc) {
    var statusLine = doc.getElementById("live-status");
    var announcer = doc.getElementById("live-announcer");
    var notice = doc.getElementById("live-notice");

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
      }
    };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
