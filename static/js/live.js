/* The live room's entry point: wires together the parts in static/js/live/ (loaded before this,
   in order, by templates/live/room.html) and owns what ties them together: taking in a question
   (announcing the change), the session's phase (badge, call link, controls) and joining.
     live/page.js        settings the server put on #live-room, and the rules it does not send
     live/status.js      the status line, the announcer and the notice
     live/store.js       the questions, my votes, sort order, phase, joined
     live/render.js      the question lists, their buttons and focus
     live/ask.js         the ask form
     live/actions.js     vote, moderation and sort clicks
     live/polls.js       the open poll, its answer form and results, the hosts' poll controls
     live/connection.js  the socket (window.networkfestLive), joining, reconnecting
   User text is only ever set with textContent. */
(function (parts) {
  "use strict";

  var root = document.getElementById("live-room");
  if (!root || typeof window.io !== "function") {
    return;
  }

  // The badge classes of room.html's phase label.
  var PHASE_BADGES = { live: "badge--live", lobby: "badge--ok" };

  var rules = parts.rules;
  var page = parts.readPage(root);
  var status = parts.createStatus(document);
  var store = parts.createStore(page);
  var view = parts.createView(page, store, document);
  var callLink = root.querySelector("[data-call]");
  var phaseLabel = root.querySelector("[data-phase-label]");
  var hasClock = !!document.getElementById("session-clock");

  var connection = parts.connect(page, status, {
    joined: joined,
    disconnected: disconnected,
    question: receive,
    clock: clock
  });
  var ask = parts.createAsk(page, store, connection.socket,
    { receive: receive, announce: status.announce }, document);
  parts.bindActions(page, store, connection.socket,
    { render: view.render, receive: receive, announce: status.announce, problem: status.problem });
  var polls = parts.createPolls(page, connection.socket, { announce: status.announce }, document);

  function onlineMessage() {
    if (page.qaOff) {
      if (store.phase === "ended") { return "Connected. The session has ended."; }
      return (store.phase === "live" ? "Live." : "Connected.") + " There is no Q&A in this session.";
    }
    if (store.phase === "live") { return "Live: questions update as they come in."; }
    if (store.phase === "ended") { return "Connected. The session has ended, so questions are closed."; }
    return "Connected. Questions open when the session starts.";
  }

  function updateControls() {
    var phase = store.phase;
    root.dataset.phase = phase;
    if (phaseLabel) {
      phaseLabel.textContent = phase.charAt(0).toUpperCase() + phase.slice(1);
      phaseLabel.className = "badge" + (PHASE_BADGES[phase] ? " " + PHASE_BADGES[phase] : "");
    }
    if (store.joined && status.state() === "online") { status.set("online", onlineMessage()); }
    if (callLink) { callLink.hidden = !rules.callOpen(phase); }
    view.updateButtons();
    ask.update();
    polls.setPhase(phase);
  }

  function setPhase(next) {
    if (!next || next === store.phase) { return; }
    store.phase = next;
    // A pending question's badge depends on the phase (rules.pendingLabel).
    view.render();
    updateControls();
    // The session clock, where the room has one, announces the phase itself.
    if (!hasClock) { status.announce("The session is now " + next + "."); }
  }

  /* Whether a question is this person's own, so no news to them: the one this page is sending
     (its broadcast can come before the acknowledgement), or a pending one sent to someone who
     is not a host (only its asker gets it). The broadcast does not say whose a visible question
     is, so the asker's other pages hear it as everyone does. */
  function ownQuestion(q) {
    return q.text === ask.asking() || (!page.isHost && q.status === "pending");
  }

  function describeChange(before, q) {
    if (!before) {
      return ownQuestion(q) ? "" : "New question" + (q.author ? " from " + q.author : "") + ": " + q.text;
    }
    if (before.status !== q.status) {
      if (q.status === "answered") { return "A question was marked answered."; }
      if (q.status === "visible") { return "A question was approved."; }
      if (q.status === "hidden") { return "A question was hidden."; }
    }
    if (before.pinned !== q.pinned) { return q.pinned ? "A question was pinned." : "A question was unpinned."; }
    return "";
  }

  /* A question from a broadcast or an acknowledgement. */
  function receive(q) {
    var change = store.receive(q);
    if (!change) { return; }
    view.render();
    if (!change.question) { status.announce("A question was removed."); return; }
    var message = describeChange(change.before, change.question);
    if (message) { status.announce(message); }
  }

  function joined(state) {
    store.joined = true;
    store.load(state);
    view.render();
    polls.load(state);
    updateControls();
    status.set("online", onlineMessage());
    document.dispatchEvent(new CustomEvent("live:joined", { detail: state }));
  }

  function disconnected() {
    store.joined = false;
    polls.disconnected();
    updateControls();
    // The server ends this page's stay in the room: feedback.js counts attendance by it.
    document.dispatchEvent(new CustomEvent("live:disconnected"));
  }

  function clock(payload) {
    setPhase(payload.phase);
    document.dispatchEvent(new CustomEvent("live:clock", { detail: payload }));
  }

  document.addEventListener("live:phase", function (event) {
    var detail = event.detail;
    setPhase(typeof detail === "string" ? detail : detail && detail.phase);
  });

  status.set("connecting", "Connecting…");
  updateControls();
})(window.networkfestLiveParts);
