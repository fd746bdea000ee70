// The agenda page: copy the private webcal:// link to the clipboard.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.querySelector(".agenda-feed__copied");
    if (!input || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        if (status) { status.textContent = "Link copied. Paste it into your calendar app."; }
      }, function () {
        input.select();
        if (status) { status.textContent = "Select the link and copy it yourself."; }
      });
    });
  });
}());
