/* The live room's polls: the open poll as a fieldset of radio buttons (one choice) or checkboxes
   (several), its results as a table with bars, closed polls' results below it, and for hosts
   the prepared polls with "Open", a form to write one and "Close". Answers go as `poll_answer`;
   counts arrive as `poll` events (coalesced by the server) and after every (re)join; a newly
   published programme's prepared polls arrive as `prepared_polls` (hosts only).
   The answer form is built once per poll, so a count moving never loses what someone has
   ticked or where their focus is; only the results are rebuilt. User text only via textContent.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  /* hooks: announce(message). */
  parts.createPolls = function (page, socket, hooks, doc) {
    var section = doc.getElementById("live-polls");
    var noop = { load: function () {}, setPhase: function () {} };
    if (!section) { return noop; }

    var openBox = doc.getElementById("poll-open");
    var emptyNote = doc.getElementById("polls-empty");
    var closedWrap = doc.getElementById("polls-closed-wrap");
    var closedList = doc.getElementById("polls-closed");
    var preparedList = doc.getElementById("polls-prepared");
    var preparedEmpty = doc.getElementById("polls-prepared-empty");
    var writeForm = doc.getElementById("poll-write-form");

    var polls = {};      // poll id → the latest poll object
    var mine = {};       // poll id (string) → the option ids of my answer
    var phase = page.phase;
    var joined = false;
    var formFor = null;  // the id of the poll the answer form was built for

    function el(tag, className, text) {
      var node = doc.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }

    function hidden(poll) { return poll.options.length > 0 && poll.options[0].votes === null; }

    function byStatus(status) {
      return Object.keys(polls).map(function (id) { return polls[id]; })
        .filter(function (p) { return p.status === status; })
        .sort(function (a, b) { return a.id - b.id; });
    }

    function canAnswer() { return joined && page.participant && phase === "live"; }
    function canRun() { return joined && page.isHost && phase === "live"; }

    /* The same markup as templates/live/_poll_results.html. */
    function results(poll) {
      var box = el("div", "poll__results");
      var people = poll.total === 1 ? "person" : "people";
      box.appendChild(el("p", "meta poll__total", poll.total + " " + people + " answered" +
        (hidden(poll) ? ". Results are shown when the host closes the poll." : ".")));
      if (hidden(poll)) { return box; }
      var table = el("table", "poll-results");
      table.appendChild(el("caption", "visually-hidden", "Results: " + poll.question));
      var head = el("thead");
      var headRow = el("tr");
      ["Option", "Answers", "Share"].forEach(function (label) {
        var th = el("th", "", label);
        th.setAttribute("scope", "col");
        headRow.appendChild(th);
      });
      head.appendChild(headRow);
      table.appendChild(head);
      var body = el("tbody");
      poll.options.forEach(function (option) {
        var share = poll.total ? Math.round(option.votes * 100 / poll.total) : 0;
        var row = el("tr");
        var name = el("th", "", option.text);
        name.setAttribute("scope", "row");
        row.appendChild(name);
        row.appendChild(el("td", "", String(option.votes)));
        var cell = el("td");
        var bar = el("meter");
        bar.min = 0; bar.max = 100; bar.value = share;
        bar.setAttribute("aria-hidden", "true");
        cell.appendChild(bar);
        cell.appendChild(doc.createTextNode(" " + share + "%"));
        row.appendChild(cell);
        body.appendChild(row);
      });
      table.appendChild(body);
      box.appendChild(table);
      return box;
    }

    function answerForm(poll) {
      var form = el("form", "form poll__form");
      form.noValidate = true;
      var fieldset = el("fieldset");
      var legend = el("legend", "poll__question", poll.question);
      fieldset.appendChild(legend);
      fieldset.appendChild(el("p", "meta", poll.multiple ? "Choose one or more." : "Choose one."));
      var chosen = mine[String(poll.id)] || [];
      poll.options.forEach(function (option) {
        var wrap = el("div", "checkbox");
        var input = el("input");
        input.type = poll.multiple ? "checkbox" : "radio";
        input.name = "poll-" + poll.id;
        input.id = "poll-" + poll.id + "-option-" + option.id;
        input.value = String(option.id);
        input.checked = chosen.indexOf(option.id) !== -1;
        var label = el("label", "", option.text);
        label.htmlFor = input.id;
        wrap.appendChild(input);
        wrap.appendChild(label);
        fieldset.appendChild(wrap);
      });
      form.appendChild(fieldset);
      var error = el("p", "flash flash--error");
      error.setAttribute("role", "alert");
      error.hidden = true;
      form.appendChild(error);
      var note = el("p", "meta poll__mine");
      note.setAttribute("role", "status");
      note.textContent = chosen.length ? "Your answer is in; you can change it while the poll is open." : "";
      form.appendChild(note);
      var submit = el("button", "button", chosen.length ? "Change my answer" : "Answer");
      submit.type = "submit";
      form.appendChild(submit);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var picked = Array.prototype.slice.call(form.querySelectorAll("input:checked"))
          .map(function (input) { return parseInt(input.value, 10); });
        error.hidden = true;
        if (!picked.length) {
          error.textContent = "Please choose an option first.";
          error.hidden = false;
          return;
        }
        submit.disabled = true;
        socket.emit("poll_answer", { poll: poll.id, choices: picked }, function (ack) {
          submit.disabled = !canAnswer();
          if (!ack || !ack.ok) {
            error.textContent = ack && ack.error ? ack.error.message : "Your answer did not go through.";
            error.hidden = false;
            return;
          }
          mine[String(poll.id)] = picked.slice().sort(function (a, b) { return a - b; });
          note.textContent = "Your answer is in; you can change it while the poll is open.";
          submit.textContent = "Change my answer";
          receive(ack.poll);
        });
      });
      return form;
    }

    function button(label, onClick) {
      var b = el("button", "button button--secondary button--small", label);
      b.type = "button";
      b.addEventListener("click", onClick);
      return b;
    }

    function run(event, payload, problemBox) {
      socket.emit(event, payload, function (ack) {
        if (!ack || !ack.ok) {
          var message = ack && ack.error ? ack.error.message : "That did not go through.";
          if (problemBox) { problemBox.textContent = message; problemBox.hidden = false; }
          hooks.announce(message);
          return;
        }
        if (problemBox) { problemBox.hidden = true; }
        receive(ack.poll);
      });
    }

    function renderOpen() {
      var open = byStatus("open")[0] || null;
      emptyNote.hidden = !!open;
      if (!open) {
        openBox.textContent = "";
        formFor = null;
        return;
      }
      if (formFor !== open.id || !openBox.querySelector(".poll__form, .poll__question")) {
        openBox.textContent = "";
        formFor = open.id;
        if (page.participant) {
          openBox.appendChild(answerForm(open));
        } else {
          openBox.appendChild(el("h3", "poll__question", open.question));
          openBox.appendChild(el("p", "meta", "Polls are answered by people with a place in this session."));
        }
        if (page.isHost) {
          var problem = el("p", "flash flash--error");
          problem.setAttribute("role", "alert");
          problem.hidden = true;
          var closer = button("Close this poll", function () { run("poll_close", { poll: open.id }, problem); });
          closer.dataset.pollClose = String(open.id);
          openBox.appendChild(closer);
          openBox.appendChild(problem);
        }
        openBox.appendChild(el("div", "poll__results-slot"));
      }
      var slot = openBox.querySelector(".poll__results-slot");
      slot.textContent = "";
      slot.appendChild(results(open));
      var submit = openBox.querySelector(".poll__form button[type=submit]");
      if (submit) { submit.disabled = !canAnswer(); }
      var closeButton = openBox.querySelector("[data-poll-close]");
      if (closeButton) { closeButton.disabled = !joined; }
    }

    function renderClosed() {
      var closed = byStatus("closed").reverse();
      closedWrap.hidden = closed.length === 0;
      closedList.textContent = "";
      closed.forEach(function (poll) {
        var item = el("li", "poll");
        item.appendChild(el("h4", "poll__question", poll.question));
        item.appendChild(results(poll));
        closedList.appendChild(item);
      });
    }

    function renderPrepared() {
      if (!preparedList) { return; }
      var ready = byStatus("ready");
      var anyOpen = byStatus("open").length > 0;
      preparedList.textContent = "";
      preparedEmpty.hidden = ready.length > 0;
      ready.forEach(function (poll) {
        var item = el("li", "poll poll--ready");
        item.appendChild(el("span", "poll__question", poll.question));
        item.appendChild(doc.createTextNode(" "));
        var opener = button("Open", function () { run("poll_open", { session: page.slug, poll: poll.id }); });
        opener.setAttribute("aria-label", "Open the poll: " + poll.question);
        opener.disabled = !canRun() || anyOpen;
        item.appendChild(opener);
        preparedList.appendChild(item);
      });
      if (writeForm) {
        Array.prototype.forEach.call(writeForm.elements, function (field) {
          field.disabled = !canRun() || (field.type === "submit" && anyOpen);
        });
      }
    }

    function render() {
      var any = Object.keys(polls).length > 0;
      section.hidden = !any && !page.isHost;
      renderOpen();
      renderClosed();
      renderPrepared();
    }

    function receive(poll) {
      if (!poll || poll.session !== page.slug || !poll.options) { return; }
      // Hosts also get the room's copy without counts; theirs (with counts) comes too.
      if (page.isHost && hidden(poll)) { return; }
      var before = polls[poll.id];
      polls[poll.id] = poll;
      render();
      if (poll.status === "open" && (!before || before.status !== "open")) {
        hooks.announce("A poll has opened: " + poll.question);
      } else if (poll.status === "closed" && before && before.status === "open") {
        hooks.announce("The poll has closed: " + poll.question);
      }
    }

    if (writeForm) {
      var writeError = doc.getElementById("poll-write-error");
      writeForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var options = writeForm.elements.options.value.split("\n")
          .map(function (line) { return line.trim(); })
          .filter(function (line) { return line; });
        socket.emit("poll_open", {
          session: page.slug,
          question: writeForm.elements.question.value,
          options: options,
          multiple: writeForm.elements.multiple.checked,
          results: writeForm.elements.hidden.checked ? "closed" : "live"
        }, function (ack) {
          if (!ack || !ack.ok) {
            writeError.textContent = ack && ack.error ? ack.error.message : "The poll did not open.";
            writeError.hidden = false;
            return;
          }
          writeError.hidden = true;
          writeForm.reset();
          receive(ack.poll);
        });
      });
    }

    /* A published change to the programme's prepared polls (hosts only): the new list
       replaces the prepared ones, except a poll this page already knows has opened or closed
       (the list may have been read just before the host opened it). */
    function receivePrepared(prepared) {
      if (!page.isHost || !prepared || prepared.session !== page.slug || !prepared.polls) { return; }
      byStatus("ready").forEach(function (poll) { delete polls[poll.id]; });
      prepared.polls.forEach(function (poll) {
        var known = polls[poll.id];
        if (!known || known.status === "ready") { polls[poll.id] = poll; }
      });
      render();
      hooks.announce("The prepared polls were updated from the programme.");
    }

    socket.on("poll", receive);
    socket.on("prepared_polls", receivePrepared);

    return {
      /* The join state's `polls` and `my_choices`: the full picture, also after a reconnect. */
      load: function (state) {
        joined = true;
        polls = {};
        (state.polls || []).forEach(function (poll) { polls[poll.id] = poll; });
        mine = state.my_choices || {};
        formFor = null;
        render();
      },
      disconnected: function () { joined = false; render(); },
      setPhase: function (next) { phase = next; render(); }
    };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
