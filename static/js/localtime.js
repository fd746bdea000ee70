// Adds the visitor's own time beside festival times: <time datetime="ISO" data-local>.
(function () {
  "use strict";
  var fmt = new Intl.DateTimeFormat("en-GB", {
    weekday: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll("time[data-local]").forEach(function (el) {
    var festivalZone = el.getAttribute("data-zone");
    if (festivalZone && festivalZone === zone) { return; }
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " (your time: " + fmt.format(when) + ")";
    el.after(span);
  });
}());
