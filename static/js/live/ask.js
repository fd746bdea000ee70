/* The live room's ask form (#ask-form): why it is closed, the characters left, and sending a
   question with the `ask` event; once the session has ended, the note that questions closed
   (#ask-closed) in place of the form or the way to a place. Absent when questions are switched
   off for the session.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  var rules = parts.rules;

  /* hooks: receive(question) puts the asked question in the room; announce(message). */
  parts.createAsk = function (page, store, socket, hooks, doc) {
    var form = doc.getElementById("ask-form");
    var textarea = doc.getElementById("ask-text");
    var anonymous = doc.getElementById("ask-anonymous");
    var count = doc.getElementById("ask-count");
    var reason = doc.getElementById("ask-reason");
    var askError = doc.getElementById("ask-error");
    // Rendered for every session that can end (not a cancelled one): hidden until it has.
    var closedNote = doc.getElementById("ask-closed");
    var invitation = page.root.querySelector(".live-invite");
    // The text of the question this page is sending, until its acknowledgement is handled.
    var asking = null;

    /* Why this person cannot ask right now; "" when they can. */
    function refusal() {
      if (page.standingRefusal) { return page.standingRefusal; }
      if (!store.joined) { return "Connecting to the live room…"; }
      if (rules.isEnded(store.phase)) { return rules.endedRefusal; }
      if (!rules.isOpen(store.phase)) { return rules.notLiveRefusal; }
      return "";
    }

    function showError(message) {
      if (!askError) { return; }
      askError.textContent = message;
      askError.hidden = !message;
    }

    function updateCount() {
      var left = page.maxLength - textarea.value.length;
      count.textContent = left + (left === 1 ? " character left" : " characters left");
    }

    function submit(event) {
      event.preventDefault();
      var text = textarea.value.trim();
      if (!text) { showError("Please type a question first."); textarea.focus(); return; }
      showError("");
      if (asking !== null) { return; }
      asking = text;
      form.setAttribute("aria-busy", "true");
      socket.emit("ask", { session: page.slug, text: text, anonymous: anonymous.checked }, function (ack) {
        form.removeAttribute("aria-busy");
        if (!ack || !ack.ok) {
          asking = null;
          showError(ack && ack.error ? ack.error.message : "Your question did not go through.");
          return;
        }
        textarea.value = "";
        anonymous.checked = false;
        updateCount();
        hooks.receive(ack.question);
        asking = null;
        textarea.focus();
        hooks.announce(ack.question.status === "pending"
          ? "Question sent. It appears for everyone once a host approves it."
          : "Question posted.");
      });
    }

    if (form) {
      textarea.addEventListener("input", updateCount);
      form.addEventListener("submit", submit);
      updateCount();
    }

    return {
      /* The text of the question being sent from this page, or null. */
      asking: function () { return asking; },

      /* Open or close the form for the room's current state, saying why when closed. */
      update: function () {
        var closed = !!closedNote && rules.isEnded(store.phase);
        if (closedNote) { closedNote.hidden = !closed; }
        if (invitation) { invitation.hidden = closed; }
        if (!form) { return; }
        form.hidden = closed;
        var why = refusal();
        var disabled = why !== "";
        textarea.disabled = disabled;
        anonymous.disabled = disabled;
        form.querySelector('button[type="submit"]').disabled = disabled;
        reason.textContent = why;
        reason.hidden = !disabled;
      }
    };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
