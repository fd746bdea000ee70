// A table too wide for the screen scrolls inside its .table-wrap. Keyboard users can only
// scroll it if the wrapper can take focus (WCAG 2.1.1), and a focusable wrapper needs a role
// and a name: the table's caption. Re-checked on resize, so it is focusable only while it scrolls.
(function () {
  "use strict";
  var wraps = Array.prototype.slice.call(document.querySelectorAll(".table-wrap"));
  if (!wraps.length) { return; }

  function label(wrap) {
    var caption = wrap.querySelector("caption");
    var text = caption ? caption.textContent.trim() : "";
    return (text || "Table") + " (scrolls sideways)";
  }

  function update() {
    wraps.forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", label(wrap));
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  // A table inside a closed <details> has no width until it opens.
  document.addEventListener("toggle", update, true);

  var pending = null;
  window.addEventListener("resize", function () {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(update);
  });
  update();
}());
