// Shows the live room's feedback panel as soon as the room's phase becomes "ended".
// The live room's script keeps `data-phase` on #live-room current; the panel is also
// rendered visible by the server once the session has ended, so it works without JS.
(function () {
  "use strict";
  var room = document.getElementById("live-room");
  var panel = document.querySelector("[data-feedback-session]");
  if (!room || !panel || !window.MutationObserver) {
    return;
  }
  function reveal() {
    if (room.dataset.phase !== "ended" || !panel.hidden) {
      return;
    }
    panel.hidden = false;
    var heading = panel.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }
  new MutationObserver(reveal).observe(room, { attributes: true, attributeFilter: ["data-phase"] });
  reveal();
})();
