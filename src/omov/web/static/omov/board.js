// The tracker check runs in the browser: the tracker never leaves the voter's machine.
// The browser fetches the board's range of trackers that begin with the same two characters
// (one of 1,024), so the server learns only that range. Without JavaScript the form asks
// the server instead (GET ?tracker=).
(function () {
  "use strict";
  var form = document.getElementById("tracker-check");
  var result = document.getElementById("tracker-result");
  if (!form || !result || !window.fetch) return;
  function normalise(text) {
    var letters = text.toUpperCase().replace(/[^A-Z0-9]/g, "");
    return (letters.match(/.{1,4}/g) || []).join("-");
  }
  function show(className, text) {
    result.textContent = "";
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    result.appendChild(span);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = normalise(document.getElementById("tracker").value);
    if (wanted.length < 2) {
      show("error", (wanted || "That") + " is not on the board (checked in your browser).");
      return;
    }
    var url = form.getAttribute("data-range-url").replace(/XX\.txt$/, wanted.slice(0, 2) + ".txt");
    show("", "Checking…");
    fetch(url, { credentials: "omit" })
      .then(function (response) {
        if (response.status === 404) return "";
        if (!response.ok) throw new Error(response.statusText);
        return response.text();
      })
      .then(function (text) {
        if (text.split("\n").indexOf(wanted) >= 0) {
          show("success", wanted + " is on the board: your ballot is counted (checked in your browser).");
        } else {
          show("error", wanted + " is not on the board (checked in your browser).");
        }
      })
      .catch(function () {
        show("error", "The board could not be fetched; press Check to try again.");
      });
  });
})();
