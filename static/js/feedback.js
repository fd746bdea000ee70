// Shows the live room's feedback panel as soon as the room's phase becomes "ended".
// The live room's script keeps `data-phase` on #live-room current; the panel is also
// rendered visible by the server once the session has ended, so it works without JS.
// The server can only say who may answer once the session has ended; before that, the form
// is offered at the end only if this page was in the room (joined, still connected) while the
// session was live, as the server counts attendance. Otherwise the panel says why there is none.
(function () {
  "use strict";
  var room = document.getElementById("live-room");
  var panel = document.querySelector("[data-feedback-session]");
  if (!room || !panel || !window.MutationObserver) {
    return;
  }
  var form = panel.querySelector("[data-feedback-form]");
  var absent = panel.querySelector("[data-feedback-absent]");
  var joined = false;
  var inRoom = false;

  function noteStay() {
    if (joined && room.dataset.phase === "live") { inRoom = true; }
  }

  function reveal() {
    if (room.dataset.phase !== "ended" || !panel.hidden) {
      return;
    }
    if (form && absent && !inRoom) {
      form.hidden = true;
      absent.hidden = false;
    }
    panel.hidden = false;
    var heading = panel.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  document.addEventListener("live:joined", function () { joined = true; noteStay(); });
  document.addEventListener("live:disconnected", function () { joined = false; });
  new MutationObserver(function () { noteStay(); reveal(); })
    .observe(room, { attributes: true, attributeFilter: ["data-phase"] });
  reveal();
})();
