/* The live room's question lists: #questions (everyone's) and #backstage (hosts' pending and
   hidden), each question's markup (the same as templates/live/_question.html), the state of
   their buttons, and keeping keyboard focus in place when a list is redrawn. Text only.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  var rules = parts.rules;

  // Pinning swaps the Pin button for Unpin (and back): focus follows to its counterpart.
  var COUNTERPARTS = { pin: "unpin", unpin: "pin" };

  parts.createView = function (page, store, doc) {
    var root = page.root;
    var list = doc.getElementById("questions");
    var emptyNote = doc.getElementById("questions-empty");
    var backstage = doc.getElementById("backstage");
    var backstageEmpty = doc.getElementById("backstage-empty");

    function canVote() {
      return store.joined && page.participant && rules.isOpen(store.phase);
    }

    function badge(text, modifier) {
      var span = doc.createElement("span");
      span.className = "badge" + (modifier ? " badge--" + modifier : "");
      span.textContent = text;
      return span;
    }

    function button(action, label, modifier, describedBy) {
      var b = doc.createElement("button");
      b.type = "button";
      b.className = "button button--small" + (modifier ? " button--" + modifier : "");
      b.dataset.action = action;
      b.textContent = label;
      b.disabled = !store.joined;
      // Says which question the button acts on, as its visible label does not.
      b.setAttribute("aria-describedby", describedBy);
      return b;
    }

    function questionItem(q) {
      var li = doc.createElement("li");
      li.className = "question" + (q.pinned ? " question--pinned" : "");
      li.dataset.id = String(q.id);
      li.dataset.status = q.status;

      var textId = "question-" + q.id + "-text";
      var text = doc.createElement("p");
      text.id = textId;
      text.className = "question__text";
      text.textContent = q.text;
      li.appendChild(text);

      var meta = doc.createElement("p");
      meta.className = "question__meta meta";
      var author = doc.createElement("span");
      author.className = "question__author";
      author.textContent = q.author || "Anonymous";
      meta.appendChild(author);
      if (q.asked_by !== undefined && q.author === null) {
        var askedBy = doc.createElement("span");
        askedBy.className = "question__asked-by";
        askedBy.textContent = " (asked by " + (q.asked_by || "a deleted account") + "; only organisers see this)";
        meta.appendChild(askedBy);
      }
      if (q.pinned) { meta.appendChild(badge("Pinned")); }
      if (q.status === "answered") { meta.appendChild(badge("Answered", "ok")); }
      if (q.status === "pending") { meta.appendChild(badge(rules.pendingLabel(store.phase, page.isHost), "warn")); }
      if (q.status === "hidden") { meta.appendChild(badge("Hidden", "danger")); }
      li.appendChild(meta);

      var actions = doc.createElement("div");
      actions.className = "question__actions";
      var vote = button("vote", "", "secondary", textId);
      vote.setAttribute("aria-pressed", store.hasVoted(q.id) ? "true" : "false");
      vote.disabled = !canVote();
      var hiddenLabel = doc.createElement("span");
      hiddenLabel.className = "visually-hidden";
      hiddenLabel.textContent = "Vote for this question. Votes: ";
      var votes = doc.createElement("span");
      votes.dataset.votes = "";
      votes.textContent = String(q.votes);
      var arrow = doc.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = " ▲";
      vote.append(hiddenLabel, votes, arrow);
      actions.appendChild(vote);
      if (page.isHost) {
        // The same choice of buttons as templates/live/_question.html.
        if (q.status === "pending" || q.status === "hidden") { actions.appendChild(button("approve", "Approve", "", textId)); }
        if (q.status !== "answered" && q.status !== "hidden") { actions.appendChild(button("answer", "Mark answered", "secondary", textId)); }
        if (q.pinned) { actions.appendChild(button("unpin", "Unpin", "secondary", textId)); }
        else if (q.status !== "hidden") { actions.appendChild(button("pin", "Pin", "secondary", textId)); }
        if (q.status !== "hidden") { actions.appendChild(button("hide", "Hide", "danger", textId)); }
      }
      li.appendChild(actions);
      return li;
    }

    function focusTarget() {
      var focused = doc.activeElement;
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

    return {
      /* Redraw both lists from the store, keeping focus on the control that had it. */
      render: function () {
        var target = focusTarget();
        var all = store.sorted();
        // The same split as networkfest/live/routes.py room(): hosts see pending ones backstage,
        // everyone else sees only their own pending ones (the only ones they are sent).
        var main = all.filter(function (q) { return rules.isPublic(q) || (!page.isHost && q.status === "pending"); });
        // No list at all where questions are switched off (room.html shows a note instead).
        if (list) {
          list.replaceChildren.apply(list, main.map(questionItem));
          emptyNote.hidden = main.length > 0;
        }
        if (page.isHost && backstage) {
          var held = all.filter(function (q) { return !rules.isPublic(q); });
          backstage.replaceChildren.apply(backstage, held.map(questionItem));
          backstageEmpty.hidden = held.length > 0;
        }
        if (target) { restoreFocus(target); }
      },

      /* Votes need the room joined, a place and a live session; moderation the room joined. */
      updateButtons: function () {
        root.querySelectorAll('[data-action="vote"]').forEach(function (b) { b.disabled = !canVote(); });
        root.querySelectorAll(".question__actions [data-action]:not([data-action=\"vote\"])").forEach(function (b) {
          b.disabled = !store.joined;
        });
      }
    };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
