/* The session clock: a countdown drawn from the server's instants, right whatever the
   visitor's own clock says. The offset to the server comes from `clock_sync` round trips
   (the shortest one wins); the display updates every second locally and changes state
   when the server sends a `clock` event (phase change, agenda move, warning).
   Other countdowns on a page (the front page, the live room's lobby line) count on the same
   server time: any element with data-countdown-to="<epoch ms>" (see `initCountdowns`).
   No data ever goes through innerHTML: text only. */
(function () {
  "use strict";

  var SYNC_ROUNDS = 5;
  // A clock event further than this from the estimated server time means the estimate is stale.
  var RESYNC_MS = 2000;
  var DAY_S = 86400;

  // Server time minus this browser's time, in ms: set by the session clock (and its
  // clock_sync rounds) where there is one, else from the page's data-server-now.
  var offset = null;

  function serverNow() { return Date.now() + (offset || 0); }

  function countdown(ms) {
    var total = Math.max(Math.ceil(ms / 1000), 0);
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) { return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss; }
    return m + ":" + ss;
  }

  // countdown() with whole days in front: "3 days 4:05:06" (festival_day/presenters.py).
  function longCountdown(ms) {
    var total = Math.max(Math.ceil(ms / 1000), 0);
    var days = Math.floor(total / DAY_S), rest = total % DAY_S;
    if (!days) { return countdown(rest * 1000); }
    var h = Math.floor(rest / 3600), m = Math.floor((rest % 3600) / 60), s = rest % 60;
    return days + (days === 1 ? " day " : " days ") + h + ":" + (m < 10 ? "0" : "") + m + ":" +
      (s < 10 ? "0" : "") + s;
  }

  /* Every [data-countdown-to] element counts down to its instant on the server's time; when
     the instant comes it shows its data-countdown-done text instead, and stops. */
  function initCountdowns() {
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-countdown-to]"));
    if (!items.length || window.networkfestCountdowns) { return; }
    window.networkfestCountdowns = true;
    if (offset === null) {
      var source = document.querySelector("[data-server-now]");
      var rendered = source ? parseInt(source.dataset.serverNow, 10) : NaN;
      // Until anything better: the render instant, off by the page's load time only.
      offset = isNaN(rendered) ? 0 : rendered - Date.now();
    }
    function tick() {
      var now = serverNow();
      items = items.filter(function (el) {
        var left = parseInt(el.dataset.countdownTo, 10) - now;
        if (left > 0) {
          el.textContent = longCountdown(left);
          return true;
        }
        el.textContent = el.dataset.countdownDone || longCountdown(0);
        el.dataset.countdownState = "done";
        return false;
      });
      if (items.length) { window.setTimeout(tick, 1000 - (now % 1000) + 15); }
    }
    tick();
  }

  function init() {
    var root = document.getElementById("session-clock");
    if (!root || window.networkfestClock) { return; }
    window.networkfestClock = true;

    var room = document.getElementById("live-room");
    var live = window.networkfestLive || null;
    var isHost = root.dataset.host === "true";
    var el = function (name) { return root.querySelector("[data-clock-" + name + "]"); };
    var phaseEl = el("phase"), runningEl = el("running"), labelEl = el("label"),
      countdownEl = el("countdown"), itemEl = el("item"), itemPosEl = el("item-position"),
      itemTitleEl = el("item-title"), itemLabelEl = el("item-label"), itemLeftEl = el("item-left"),
      behindEl = el("behind"), nextEl = el("next"), errorEl = el("error"), endedEl = el("ended"),
      announcer = el("announcer");

    var clock = JSON.parse(root.dataset.clock);
    // Until clock_sync answers: the render instant, off by the page's load time only.
    offset = clock.server_now - Date.now();
    var bestRtt = Infinity;
    var received = Date.now() + offset;
    var phase = clock.phase;
    var level = warningLevel(serverNow());
    var timer = null;
    var pending = false;

    var PHASE_LABELS = {
      scheduled: "Not started yet",
      lobby: "The lobby is open",
      live: "Live now",
      ended: "This session has ended"
    };

    function words(ms) {
      var total = Math.round(Math.abs(ms) / 1000);
      var m = Math.floor(total / 60), s = total % 60;
      if (!m) { return s + " s"; }
      return s ? m + " min " + s + " s" : m + " min";
    }

    function localPhase(now) {
      if (now >= clock.ends_at) { return "ended"; }
      if (now >= clock.starts_at) { return "live"; }
      return clock.phase === "live" || clock.phase === "ended" ? "lobby" : clock.phase;
    }

    // Warnings as levels: 0 none, 1 the first offset passed ("soon"), 2 the last ("final").
    function warningLevel(now) {
      if (localPhase(now) !== "live") { return 0; }
      var left = clock.ends_at - now;
      if (left <= 60000) { return 2; }
      if (left <= 300000) { return 1; }
      return clock.warning ? 1 : 0;
    }

    function announce(text) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    }

    function setPhase(next) {
      if (next === phase) { return; }
      phase = next;
      root.dataset.phase = phase;
      if (room) { room.dataset.phase = phase; }
      document.dispatchEvent(new CustomEvent("live:phase", { detail: phase }));
      if (phase === "live") { announce("The session is live."); }
      else if (phase === "lobby") { announce("The lobby is open."); }
      else if (phase === "ended") { announce("This session has ended."); }
    }

    function draw() {
      var now = serverNow();
      var current = localPhase(now);
      setPhase(current);
      phaseEl.textContent = PHASE_LABELS[current];
      runningEl.hidden = current === "ended";
      endedEl.hidden = current !== "ended";
      if (current === "scheduled" || current === "lobby") {
        labelEl.textContent = "Starts in";
        countdownEl.textContent = countdown(clock.starts_at - now);
      } else if (current === "live") {
        labelEl.textContent = "Time left";
        countdownEl.textContent = countdown(clock.ends_at - now);
      }
      var item = current === "live" ? clock.item : null;
      itemEl.hidden = !item;
      if (item) {
        itemPosEl.textContent = "Item " + (item.index + 1) + (item.count ? " of " + item.count : "");
        itemTitleEl.textContent = item.title;
        var over = now > item.ends_at;
        itemLabelEl.textContent = over ? "Over its timebox by" : "Time left for this item";
        itemLeftEl.textContent = countdown(Math.abs(item.ends_at - now));
        root.dataset.item = over ? "over" : "on-time";
      } else {
        root.dataset.item = "none";
      }
      var nextLevel = warningLevel(now);
      root.dataset.warning = ["none", "soon", "final"][nextLevel];
      if (nextLevel > level) {
        announce(Math.ceil((clock.ends_at - now) / 60000) + (nextLevel === 2 ? " minute left." : " minutes left."));
      }
      level = nextLevel;
      if (isHost && behindEl) {
        var behind = (clock.behind_ms || 0);
        if (item) { behind += Math.max(item.ends_at, now) - Math.max(item.ends_at, received); }
        behindEl.textContent = current !== "live" || Math.abs(behind) < 1000 ? "On the run sheet's time"
          : behind > 0 ? "Behind the run sheet by " + words(behind)
            : "Ahead of the run sheet by " + words(behind);
        root.dataset.behind = behind >= 60000 ? "late" : "fine";
      }
      if (nextEl) { nextEl.disabled = pending || current !== "live" || !live; }
    }

    function schedule() {
      window.clearTimeout(timer);
      draw();
      // Wake just after the next whole second of server time, so the digits turn on time.
      var delay = 1000 - (serverNow() % 1000) + 15;
      timer = window.setTimeout(schedule, delay);
    }

    function receive(next) {
      if (!next || next.session !== clock.session) { return; }
      var itemBefore = clock.item ? clock.item.index : null;
      clock = next;
      received = clock.server_now;
      // Far off the estimate: the server's clock moved (or the estimate predates it): start again.
      if (bestRtt === Infinity || Math.abs(clock.server_now - serverNow()) > RESYNC_MS) {
        offset = clock.server_now - Date.now();
        if (bestRtt !== Infinity) { bestRtt = Infinity; sync(0); }
      }
      if (clock.phase === "scheduled" || clock.phase === "lobby") { setPhase(clock.phase); }
      if (clock.item && clock.item.index !== itemBefore && localPhase(serverNow()) === "live") {
        announce("Now: " + clock.item.title + ".");
      }
      schedule();
    }

    function sync(round) {
      if (!live) { return; }
      if (round >= SYNC_ROUNDS) { root.dataset.synced = "true"; return; }
      var t0 = Date.now();
      live.socket.emit("clock_sync", { t0: t0 }, function (ack) {
        var t1 = Date.now();
        if (ack && ack.ok && ack.t0 === t0) {
          var rtt = t1 - t0;
          if (rtt < bestRtt) {
            bestRtt = rtt;
            offset = ack.server - (t0 + rtt / 2);
            schedule();
          }
        }
        sync(round + 1);
      });
    }

    document.addEventListener("live:joined", function (event) {
      if (event.detail && event.detail.clock) { receive(event.detail.clock); }
    });
    document.addEventListener("live:clock", function (event) { receive(event.detail); });

    if (live) {
      live.socket.on("connect", function () { bestRtt = Infinity; sync(0); });
      if (live.socket.connected) { sync(0); }
    }

    if (nextEl) {
      nextEl.addEventListener("click", function () {
        if (!live) { return; }
        pending = true;
        nextEl.disabled = true;
        errorEl.hidden = true;
        live.socket.emit("agenda_next", { session: clock.session }, function (ack) {
          pending = false;
          nextEl.disabled = false;
          if (ack && ack.ok) { receive(ack.clock); return; }
          errorEl.textContent = ack && ack.error ? ack.error.message : "The run sheet did not move. Please try again.";
          errorEl.hidden = false;
        });
      });
    }

    root.dataset.ready = "true";
    schedule();
  }

  function start() {
    init();
    initCountdowns();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
