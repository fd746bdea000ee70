/* The live room: Socket.IO on /live, the question list, asking, voting and moderation.
   User text is only ever set with textContent. */
(function () {
  "use strict";

  var root = document.getElementById("live-room");
  if (!root || typeof window.io !== "function") {
    return;
  }

  var slug = root.dataset.session;
  var isHost = root.dataset.host === "true";
  var participant = root.dataset.participant === "true";
  var qaOff = root.dataset.qaMode === "off";
  var personRefusal = root.dataset.refusal || "";
  var maxLength = parseInt(root.dataset.maxLength, 10) || 500;
  var phase = root.dataset.phase;
  var joined = false;
  var sending = false;
  var sortMode = new URLSearchParams(window.location.search).get("sort") === "newest" ? "newest" : "top";

  var questions = new Map();
  var myVotes = new Set();

  var list = document.getElementById("questions");
  var emptyNote = document.getElementById("questions-empty");
  var backstage = document.getElementById("backstage");
  var backstageEmpty = document.getElementById("backstage-empty");
  var statusLine = document.getElementById("live-status");
  var announcer = document.getElementById("live-announcer");
  var notice = document.getElementById("live-notice");
  var form = document.getElementById("ask-form");
  var textarea = document.getElementById("ask-text");
  var anonymous = document.getElementById("ask-anonymous");
  var count = document.getElementById("ask-count");
  var reason = document.getElementById("ask-reason");
  var askError = document.getElementById("ask-error");
  var callLink = root.querySelector("[data-call]");
  var phaseLabel = root.querySelector("[data-phase-label]");

  var socket = window.io("/live", { transports: ["websocket", "polling"], withCredentials: true });
  window.networkfestLive = { socket: socket, session: slug };

  function announce(message) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  function setStatus(state, message) {
    statusLine.dataset.state = state;
    statusLine.textContent = message;
  }

  function onlineMessage() {
    if (phase === "live") { return "Live: questions update as they come in."; }
    if (phase === "ended") { return "Connected. The session has ended, so questions are closed."; }
    return "Connected. Questions open when the session starts.";
  }

  var PHASE_BADGES = { live: "badge--live", lobby: "badge--ok" };

  function isPublic(q) {
    return q.status === "visible" || q.status === "answered";
  }

  function canAct() {
    return joined && participant && phase === "live";
  }

  function askRefusal() {
    if (qaOff) { return "Questions are switched off for this session."; }
    if (personRefusal && !participant) { return personRefusal; }
    if (!joined) { return "Connecting to the live room…"; }
    if (phase !== "live") { return "Questions open when the session starts and close when it ends."; }
    return "";
  }

  function badge(text, modifier) {
    var span = document.createElement("span");
    span.className = "badge" + (modifier ? " badge--" + modifier : "");
    span.textContent = text;
    return span;
  }

  function button(action, label, modifier) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button button--small" + (modifier ? " button--" + modifier : "");
    b.dataset.action = action;
    b.textContent = label;
    b.disabled = !joined;
    return b;
  }

  function questionItem(q) {
    var li = document.createElement("li");
    li.className = "question" + (q.pinned ? " question--pinned" : "");
    li.dataset.id = String(q.id);
    li.dataset.status = q.status;

    var text = document.createElement("p");
    text.className = "question__text";
    text.textContent = q.text;
    li.appendChild(text);

    var meta = document.createElement("p");
    meta.className = "question__meta meta";
    var author = document.createElement("span");
    author.className = "question__author";
    author.textContent = q.author || "Anonymous";
    meta.appendChild(author);
    if (q.asked_by !== undefined && q.author === null) {
      var askedBy = document.createElement("span");
      askedBy.className = "question__asked-by";
      askedBy.textContent = " (asked by " + (q.asked_by || "a deleted account") + "; only organisers see this)";
      meta.appendChild(askedBy);
    }
    if (q.pinned) { meta.appendChild(badge("Pinned")); }
    if (q.status === "answered") { meta.appendChild(badge("Answered", "ok")); }
    if (q.status === "pending") { meta.appendChild(badge("Awaiting moderation", "warn")); }
    if (q.status === "hidden") { meta.appendChild(badge("Hidden", "danger")); }
    li.appendChild(meta);

    var actions = document.createElement("div");
    actions.className = "question__actions";
    var vote = button("vote", "", "secondary");
    vote.setAttribute("aria-pressed", myVotes.has(q.id) ? "true" : "false");
    vote.disabled = !canAct();
    var hiddenLabel = document.createElement("span");
    hiddenLabel.className = "visually-hidden";
    hiddenLabel.textContent = "Vote for this question. Votes: ";
    var votes = document.createElement("span");
    votes.dataset.votes = "";
    votes.textContent = String(q.votes);
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = " ▲";
    vote.append(hiddenLabel, votes, arrow);
    actions.appendChild(vote);
    if (isHost) {
      if (q.status === "pending" || q.status === "hidden") { actions.appendChild(button("approve", "Approve")); }
      if (q.status !== "answered" && q.status !== "hidden") { actions.appendChild(button("answer", "Mark answered", "secondary")); }
      if (q.pinned) { actions.appendChild(button("unpin", "Unpin", "secondary")); }
      else if (q.status !== "hidden") { actions.appendChild(button("pin", "Pin", "secondary")); }
      if (q.status !== "hidden") { actions.appendChild(button("hide", "Hide", "danger")); }
    }
    li.appendChild(actions);
    return li;
  }

  function compare(a, b) {
    if (a.pinned !== b.pinned) { return a.pinned ? -1 : 1; }
    if (sortMode === "newest") { return b.created_at - a.created_at || b.id - a.id; }
    return b.votes - a.votes || a.created_at - b.created_at || a.id - b.id;
  }

  function focusTarget() {
    var focused = document.activeElement;
    if (!focused || !focused.dataset || !focused.dataset.action) { return null; }
    var owner = focused.closest(".question");
    if (!owner) { return null; }
    var listEl = owner.parentElement;
    return {
      id: owner.dataset.id,
      action: focused.dataset.action,
      list: listEl,
      index: Array.prototype.indexOf.call(listEl.children, owner)
    };
  }

  // Pinning swaps the Pin button for Unpin (and back): focus follows to its counterpart.
  var COUNTERPARTS = { pin: "unpin", unpin: "pin" };

  function restoreFocus(target) {
    var question = '.question[data-id="' + target.id + '"] ';
    var same = target.list.querySelector(question + '[data-action="' + target.action + '"]') ||
      target.list.querySelector(question + '[data-action="' + COUNTERPARTS[target.action] + '"]');
    if (same) { same.focus(); return; }
    var moved = target.list.querySelector('.question[data-id="' + target.id + '"] [data-action]');
    if (moved) { moved.focus(); return; }
    var items = target.list.children;
    var neighbour = items[Math.min(target.index, items.length - 1)];
    var control = neighbour && (
      neighbour.querySelector('[data-action="' + target.action + '"]:not([disabled])') ||
      neighbour.querySelector("[data-action]:not([disabled])"));
    if (control) { control.focus(); return; }
    var heading = target.list.closest("section").querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function render() {
    var target = focusTarget();
    var all = Array.from(questions.values()).sort(compare);
    var main = all.filter(function (q) { return isPublic(q) || (!isHost && q.status === "pending"); });
    list.replaceChildren.apply(list, main.map(questionItem));
    emptyNote.hidden = main.length > 0;
    if (isHost && backstage) {
      var held = all.filter(function (q) { return !isPublic(q); });
      backstage.replaceChildren.apply(backstage, held.map(questionItem));
      backstageEmpty.hidden = held.length > 0;
    }
    if (target) { restoreFocus(target); }
  }

  function updateControls() {
    root.dataset.phase = phase;
    if (phaseLabel) {
      phaseLabel.textContent = phase.charAt(0).toUpperCase() + phase.slice(1);
      phaseLabel.className = "badge" + (PHASE_BADGES[phase] ? " " + PHASE_BADGES[phase] : "");
    }
    if (joined && statusLine.dataset.state === "online") { setStatus("online", onlineMessage()); }
    if (callLink) { callLink.hidden = !(phase === "lobby" || phase === "live"); }
    root.querySelectorAll('[data-action="vote"]').forEach(function (b) { b.disabled = !canAct(); });
    root.querySelectorAll(".question__actions [data-action]:not([data-action=\"vote\"])").forEach(function (b) {
      b.disabled = !joined;
    });
    if (form) {
      var refusal = askRefusal();
      var disabled = refusal !== "";
      textarea.disabled = disabled;
      anonymous.disabled = disabled;
      form.querySelector('button[type="submit"]').disabled = disabled;
      reason.textContent = refusal;
      reason.hidden = !disabled;
    }
  }

  function showError(message) {
    if (!askError) { return; }
    askError.textContent = message;
    askError.hidden = !message;
  }

  function setPhase(next) {
    if (!next || next === phase) { return; }
    phase = next;
    updateControls();
    announce("The session is now " + phase + ".");
  }

  function describeChange(before, q) {
    if (!before) { return "New question" + (q.author ? " from " + q.author : "") + ": " + q.text; }
    if (before.status !== q.status) {
      if (q.status === "answered") { return "A question was marked answered."; }
      if (q.status === "visible") { return "A question was approved."; }
      if (q.status === "hidden") { return "A question was hidden."; }
    }
    if (before.pinned !== q.pinned) { return q.pinned ? "A question was pinned." : "A question was unpinned."; }
    return "";
  }

  function receive(q) {
    if (!q || q.session !== slug) { return; }
    var before = questions.get(q.id);
    if (q.text === null) {
      if (isHost) { return; }
      if (before) { questions.delete(q.id); render(); announce("A question was removed."); }
      return;
    }
    if (before && before.asked_by !== undefined && q.asked_by === undefined) {
      q.asked_by = before.asked_by;
    }
    questions.set(q.id, q);
    render();
    var message = describeChange(before, q);
    if (message) { announce(message); }
  }

  function join() {
    socket.emit("join", { session: slug }, function (ack) {
      if (!ack || !ack.ok) {
        setStatus("error", ack && ack.error ? ack.error.message : "Could not join the live room.");
        return;
      }
      joined = true;
      questions.clear();
      ack.state.questions.forEach(function (q) { questions.set(q.id, q); });
      myVotes = new Set(ack.state.my_votes);
      if (ack.state.clock && ack.state.clock.phase) { phase = ack.state.clock.phase; }
      render();
      updateControls();
      setStatus("online", onlineMessage());
      document.dispatchEvent(new CustomEvent("live:joined", { detail: ack.state }));
    });
  }

  /* Until the first connection succeeds, a failed attempt is still "Connecting…". */
  var everConnected = false;
  socket.on("connect", function () {
    everConnected = true;
    join();
  });
  socket.on("disconnect", function () {
    joined = false;
    setStatus("reconnecting", "Reconnecting…");
    updateControls();
  });
  socket.on("connect_error", function () {
    if (everConnected) {
      setStatus("reconnecting", "Reconnecting…");
    } else {
      setStatus("connecting", "Connecting…");
    }
  });
  /* The server's link to its sibling processes (Redis). While it is down, updates from the
     others wait: say so ("down" repeats, so only change the status once); when it is back,
     re-join for the full snapshot, as after a reconnect. Asking still works meanwhile.
     Several processes may each say "up": one re-join, a random moment within 3 s later,
     answers every "up" that came before it and spreads the room's re-joins over time. */
  var resync = null;
  socket.on("queue", function (payload) {
    if (!payload) { return; }
    if (payload.status === "down" && statusLine.dataset.state !== "reconnecting") {
      setStatus("reconnecting", "Reconnecting…");
    } else if (payload.status === "up" && resync === null) {
      resync = window.setTimeout(function () { resync = null; join(); }, Math.random() * 3000);
    }
  });
  socket.on("question", receive);
  socket.on("clock", function (clock) {
    if (!clock || clock.session !== slug) { return; }
    setPhase(clock.phase);
    document.dispatchEvent(new CustomEvent("live:clock", { detail: clock }));
  });
  socket.on("notice", function (payload) {
    if (!notice || !payload) { return; }
    notice.textContent = typeof payload.message === "string" ? payload.message : "";
    notice.hidden = !notice.textContent;
  });
  socket.on("logged_out", function () { window.location.reload(); });

  document.addEventListener("live:phase", function (event) {
    var detail = event.detail;
    setPhase(typeof detail === "string" ? detail : detail && detail.phase);
  });

  root.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target || target.disabled) { return; }
    var item = target.closest(".question");
    var id = item ? parseInt(item.dataset.id, 10) : NaN;
    if (!id) { return; }
    var action = target.dataset.action;
    if (action === "vote") {
      var value = myVotes.has(id) ? 0 : 1;
      socket.emit("vote", { question: id, value: value }, function (ack) {
        if (!ack || !ack.ok) {
          announce(ack && ack.error ? ack.error.message : "Your vote did not go through.");
          return;
        }
        if (value) { myVotes.add(id); } else { myVotes.delete(id); }
        var q = questions.get(id);
        if (q) { q.votes = ack.votes; }
        render();
        announce(value ? "Vote counted." : "Vote withdrawn.");
      });
      return;
    }
    socket.emit("moderate", { question: id, action: action }, function (ack) {
      if (!ack || !ack.ok) {
        announce(ack && ack.error ? ack.error.message : "That did not go through.");
        return;
      }
      receive(ack.question);
    });
  });

  root.querySelectorAll("[data-sort]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      sortMode = link.dataset.sort;
      root.querySelectorAll("[data-sort]").forEach(function (other) {
        if (other === link) { other.setAttribute("aria-current", "true"); }
        else { other.removeAttribute("aria-current"); }
      });
      render();
      announce(sortMode === "newest" ? "Newest questions first." : "Top questions first.");
    });
  });

  function updateCount() {
    var left = maxLength - textarea.value.length;
    count.textContent = left + (left === 1 ? " character left" : " characters left");
  }

  if (form) {
    textarea.addEventListener("input", updateCount);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textarea.value.trim();
      if (!text) { showError("Please type a question first."); textarea.focus(); return; }
      showError("");
      if (sending) { return; }
      sending = true;
      form.setAttribute("aria-busy", "true");
      socket.emit("ask", { session: slug, text: text, anonymous: anonymous.checked }, function (ack) {
        sending = false;
        form.removeAttribute("aria-busy");
        if (!ack || !ack.ok) {
          showError(ack && ack.error ? ack.error.message : "Your question did not go through.");
          return;
        }
        textarea.value = "";
        anonymous.checked = false;
        updateCount();
        receive(ack.question);
        textarea.focus();
        announce(ack.question.status === "pending"
          ? "Question sent. It appears for everyone once a host approves it."
          : "Question posted.");
      });
    });
    updateCount();
  }

  setStatus("connecting", "Connecting…");
  updateControls();
})();
