/* The live room's page settings: what the server told this page on #live-room (data- attributes),
   read once, and the few server rules the page is not told, each kept here in one place.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  /* Rules the server does not hand to the page. If one changes on the server, change it here. */
  var MIRRORED = {
    // networkfest/qa/rules.py PUBLIC_STATUSES: which questions everyone sees. The room's template
    // gets the lists already split, not the rule, and live updates need it to place a question.
    publicStatuses: ["visible", "answered"],
    // networkfest/live/routes.py ask_refusal() for a participant while the session is not live.
    // data-refusal holds the refusal for the phase the page was rendered in; the phase changes
    // while the page is open, so the words for "not live" are needed here too.
    notLiveRefusal: "Questions open when the session starts and close when it ends.",
    // networkfest/qa/rules.py ENDED_REFUSAL: ask_refusal() once the session has ended.
    endedRefusal: "Questions closed when the session ended.",
    // networkfest/qa/rules.py pending_label(): a pending question's badge, which tells its
    // asker (not the hosts, who can still approve it) once the session has ended.
    pendingLabel: "Awaiting moderation",
    pendingAfterEndLabel: "Not shown to the room",
    endedPhase: "ended",
    // networkfest/qa/rules.py check_live(): asking and voting are open only while live.
    openPhase: "live",
    // networkfest/live/routes.py CALL_PHASES: when the "Join the call" link shows.
    callPhases: ["lobby", "live"]
  };

  parts.rules = {
    isPublic: function (q) { return MIRRORED.publicStatuses.indexOf(q.status) !== -1; },
    isOpen: function (phase) { return phase === MIRRORED.openPhase; },
    callOpen: function (phase) { return MIRRORED.callPhases.indexOf(phase) !== -1; },
    isEnded: function (phase) { return phase === MIRRORED.endedPhase; },
    pendingLabel: function (phase, isHost) {
      return phase === MIRRORED.endedPhase && !isHost ? MIRRORED.pendingAfterEndLabel : MIRRORED.pendingLabel;
    },
    notLiveRefusal: MIRRORED.notLiveRefusal,
    endedRefusal: MIRRORED.endedRefusal
  };

  parts.readPage = function (root) {
    var data = root.dataset;
    var participant = data.participant === "true";
    return {
      root: root,
      slug: data.session,
      isHost: data.host === "true",
      participant: participant,
      maxLength: parseInt(data.maxLength, 10) || 500,
      // The phase when the page was rendered; the store keeps the current one.
      phase: data.phase,
      sort: data.sortMode === "newest" ? "newest" : "top",
      // Questions switched off in the schedule (qa = "off"): no question list, no ask form.
      qaOff: data.qaMode === "off",
      /* The server's refusal (data-refusal) for reasons that last as long as the page:
         questions switched off, not signed in, no confirmed place. A participant's refusal
         depends only on the phase, which the page follows itself (rules.notLiveRefusal). */
      standingRefusal: participant && data.qaMode !== "off" ? "" : (data.refusal || "")
    };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
