// The tracker check runs in the browser: the tracker never leaves the voter's machine.
// Without JavaScript the form asks the server instead (GET ?tracker=).
(function () {
  "use strict";
  var form = document.getElementById("tracker-check");
  var result = document.getElementById("tracker-result");
  if (!form || !result) return;
  function normalise(text) {
    var letters = text.toUpperCase().replace(/[^A-Z0-9]/g, "");
    return (letters.match(/.{1,4}/g) || []).join("-");
  }
  var listed = new Set(
    Array.prototype.map.call(document.querySelectorAll("#trackers code"), function (el) {
      return el.textContent.trim();
    })
  );
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = normalise(document.getElementById("tracker").value);
    result.textContent = "";
    var span = document.createElement("span");
    if (wanted && listed.has(wanted)) {
      span.className = "success";
      span.textContent = wanted + " is on the board: your ballot is counted (checked in your browser).";
    } else {
      span.className = "error";
      span.textContent = (wanted || "That") + " is not on the board (checked in your browser).";
    }
    result.appendChild(span);
  });
})();
