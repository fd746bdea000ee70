/* The live room's clicks: voting (`vote`), moderation (`moderate`: approve, answer, pin, unpin,
   hide) on the questions, and the Top/Newest sort links.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  /* A vote the server refused as `busy` was not counted (nothing was written): send it again
     after these waits, then tell the person it could not be counted. */
  var BUSY_RETRY_MS = [500, 1000, 2000];

  /* hooks: render(), receive(question), announce(message), problem(message). */
  parts.bindActions = function (page, store, socket, hooks) {
    var root = page.root;
    var sending = {};  // question id → true while its vote (or a retry of it) is on its way

    function vote(id) {
      if (sending[id]) { return; }
      sending[id] = true;
      send(id, store.hasVoted(id) ? 0 : 1, 0);
    }

    function send(id, value, attempt) {
      socket.emit("vote", { question: id, value: value }, function (ack) {
        var busy = !!(ack && !ack.ok && ack.error && ack.error.code === "busy");
        if (busy && attempt < BUSY_RETRY_MS.length) {
          if (attempt === 0) { hooks.announce("The server is busy: sending your vote again…"); }
          window.setTimeout(function () { send(id, value, attempt + 1); }, BUSY_RETRY_MS[attempt]);
          return;
        }
        sending[id] = false;
        if (busy) {
          hooks.problem(value
            ? "The server is too busy to count your vote just now. Please try again in a minute."
            : "The server is too busy to withdraw your vote just now. Please try again in a minute.");
          return;
        }
        if (!ack || !ack.ok) {
          hooks.announce(ack && ack.error ? ack.error.message : "Your vote did not go through.");
          return;
        }
        hooks.problem("");
        store.setVoted(id, value === 1);
        store.setVotes(id, ack.votes);
        hooks.render();
        hooks.announce(value ? "Vote counted." : "Vote withdrawn.");
      });
    }

    function moderate(id, action) {
      socket.emit("moderate", { question: id, action: action }, function (ack) {
        if (!ack || !ack.ok) {
          hooks.announce(ack && ack.error ? ack.error.message : "That did not go through.");
          return;
        }
        hooks.receive(ack.question);
      });
    }

    root.addEventListener("click", function (event) {
      var target = event.target.closest("[data-action]");
      if (!target || target.disabled) { return; }
      var item = target.closest(".question");
      var id = item ? parseInt(item.dataset.id, 10) : NaN;
      if (!id) { return; }
      var action = target.dataset.action;
      if (action === "vote") { vote(id); } else { moderate(id, action); }
    });

    root.querySelectorAll("[data-sort]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        store.sortMode = link.dataset.sort;
        root.querySelectorAll("[data-sort]").forEach(function (other) {
          if (other === link) { other.setAttribute("aria-current", "true"); }
          else { other.removeAttribute("aria-current"); }
        });
        hooks.render();
        hooks.announce(store.sortMode === "newest" ? "Newest questions first." : "Top questions first.");
      });
    });
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
