/* The live room's connection: the Socket.IO socket on /live (shared with the clock's and the
   feedback's scripts as window.networkfestLive = { socket, session }), joining the room, and
   what the status line says while connecting, reconnecting and after a failed join.
   Part of the live room's scripts (static/js/live/*.js, wired together by static/js/live.js). */
(function (parts) {
  "use strict";

  /* hooks: joined(state) after each successful join, disconnected(), question(q), clock(clock). */
  parts.connect = function (page, status, hooks) {
    var socket = window.io("/live", { transports: ["websocket", "polling"], withCredentials: true });
    window.networkfestLive = { socket: socket, session: page.slug };

    /* A join refused `busy` (the server's database is saturated) is sent again, waiting
       longer each time up to the last of these; any other refusal is shown as it is. */
    var JOIN_RETRY_MS = [500, 1000, 2000, 4000];
    var busyJoins = 0;
    var rejoin = null;

    function join() {
      window.clearTimeout(rejoin);
      socket.emit("join", { session: page.slug }, function (ack) {
        if (ack && !ack.ok && ack.error && ack.error.code === "busy") {
          status.set("connecting", "The live room is busy: joining again in a moment…");
          rejoin = window.setTimeout(join, JOIN_RETRY_MS[Math.min(busyJoins, JOIN_RETRY_MS.length - 1)]);
          busyJoins += 1;
          return;
        }
        busyJoins = 0;
        if (!ack || !ack.ok) {
          status.set("error", ack && ack.error ? ack.error.message : "Could not join the live room.");
          return;
        }
        hooks.joined(ack.state);
      });
    }

    /* Until the first connection succeeds, a failed attempt is still "Connecting…". After
       this many failures in a row (about 7 s of Socket.IO's growing waits), the status says
       so, as it keeps trying: a network that blocks WebSockets, or a server refusing this
       page's address, would otherwise look like a slow start for ever. */
    var SAY_FAILING_AFTER = 4;
    var everConnected = false;
    var failures = 0;
    socket.on("connect", function () {
      everConnected = true;
      failures = 0;
      join();
    });
    socket.on("disconnect", function () {
      status.set("reconnecting", "Reconnecting…");
      hooks.disconnected();
    });
    socket.on("connect_error", function () {
      failures += 1;
      var failing = failures >= SAY_FAILING_AFTER
        ? " The live room cannot be reached yet: check your connection, or reload the page." : "";
      if (everConnected) {
        status.set("reconnecting", "Reconnecting…" + failing);
      } else {
        status.set("connecting", "Connecting…" + failing);
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
      if (payload.status === "down" && status.state() !== "reconnecting") {
        status.set("reconnecting", "Reconnecting…");
      } else if (payload.status === "up" && resync === null) {
        resync = window.setTimeout(function () { resync = null; join(); }, Math.random() * 3000);
      }
    });
    socket.on("question", hooks.question);
    socket.on("clock", function (clock) {
      if (!clock || clock.session !== page.slug) { return; }
      hooks.clock(clock);
    });
    socket.on("notice", function (payload) {
      if (!payload) { return; }
      status.notice(typeof payload.message === "string" ? payload.message : "");
    });
    socket.on("logged_out", function () { window.location.reload(); });
    // A right was lost (a host no longer named, an organiser no longer one): the server
    // closes the connection; the page reloads to what this person may now see.
    socket.on("rights_changed", function () { window.location.reload(); });

    return { socket: socket };
  };
})(window.networkfestLiveParts = window.networkfestLiveParts || {});
