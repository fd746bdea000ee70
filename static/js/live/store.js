/* The live room's state: the questions this person can see, their own votes, the sort order,
   the session's phase and whether the room is joined. No DOM.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  parts.createStore = function (page) {
    var questions = new Map();
    var myVotes = new Set();

    var store = {
      phase: page.phase,
      joined: false,
      sortMode: page.sort,

      /* The join acknowledgement's snapshot replaces everything. */
      load: function (state) {
        questions.clear();
        state.questions.forEach(function (q) { questions.set(q.id, q); });
        myVotes = new Set(state.my_votes);
        if (state.clock && state.clock.phase) { store.phase = state.clock.phase; }
      },

      /* One question from the server. Returns null when nothing changed, else
         { before, question } (question null when it was removed from this person's view). */
      receive: function (q) {
        if (!q || q.session !== page.slug) { return null; }
        var before = questions.get(q.id);
        if (q.text === null) {
          // Withheld from this person (hidden by a host). Hosts keep their own full copy.
          if (page.isHost || !before) { return null; }
          questions.delete(q.id);
          return { before: before, question: null };
        }
        // Only organisers are told who asked; broadcasts leave it out, so keep what we knew.
        if (before && before.asked_by !== undefined && q.asked_by === undefined) {
          q.asked_by = before.asked_by;
        }
        questions.set(q.id, q);
        return { before: before, question: q };
      },

      setVotes: function (id, votes) {
        var q = questions.get(id);
        if (q) { q.votes = votes; }
      },
      hasVoted: function (id) { return myVotes.has(id); },
      setVoted: function (id, voted) {
        if (voted) { myVotes.add(id); } else { myVotes.delete(id); }
      },

      /* All questions in display order: pinned first, then by the sort mode. */
      sorted: function () {
        return Array.from(questions.values()).sort(compare);
      }
    };

    function compare(a, b) {
      if (a.pinned !== b.pinned) { return a.pinned ? -1 : 1; }
      if (store.sortMode === "newest") { return b.created_at - a.created_at || b.id - a.id; }
      return b.votes - a.votes || a.created_at - b.created_at || a.id - b.id;
    }

    return store;
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
