// The ballot page with JavaScript: review the ranking in the page, encrypt it here
// (encrypt.js), and post only the encrypted ballot to the cast. The numbered select boxes
// are never sent. Without JavaScript the form goes to the server's review page instead,
// and the server encrypts the ranking as it arrives (docs/threat-model.md says what that
// path trusts).
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  var seal = document.getElementById("seal");
  var review = document.getElementById("sealed-review");
  if (!form || !seal || !review || !window.omovEncrypt || !window.crypto) return;
  var paper = seal.dataset.positions.split(",").map(Number); // ballot order: index = code
  var order = document.getElementById("sealed-order");
  var cast = document.getElementById("sealed-cast");
  var chosen = [];
  var live = document.getElementById("ranking-status");

  function say(text) { if (live) live.textContent = text; }

  function ranked() {
    var picks = [];
    form.querySelectorAll("select").forEach(function (select) {
      if (select.value !== "") {
        picks.push({ n: Number(select.value), position: Number(select.id.replace("rank_", "")),
                     name: form.querySelector("label[for='" + select.id + "']").firstChild.textContent.trim() });
      }
    });
    picks.sort(function (a, b) { return a.n - b.n; });
    return picks;
  }

  form.addEventListener("submit", function (event) {
    var picks = ranked();
    if (!picks.length) return; // nothing ranked: the server says so, and learns nothing
    event.preventDefault();
    chosen = picks.map(function (p) { return paper.indexOf(p.position); });
    order.textContent = "";
    picks.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p.name;
      order.appendChild(li);
    });
    form.hidden = true;
    review.hidden = false;
    say("Check your ballot: " + picks.length + (picks.length === 1 ? " preference." : " preferences."));
    document.getElementById("sealed-heading").focus();
  });

  document.getElementById("sealed-change").addEventListener("click", function () {
    review.hidden = true;
    form.hidden = false;
    say("Your ballot again: change your preferences, then review it.");
    form.querySelector("select").focus();
  });

  cast.addEventListener("submit", function (event) {
    var field = cast.querySelector("input[name=ciphertext]");
    try {
      field.value = window.omovEncrypt.encryptBallot(
        seal.dataset.contest, seal.dataset.key, chosen, paper.length);
    } catch (e) {
      event.preventDefault();
      order.insertAdjacentHTML("afterend", '<p class="error" role="alert">Your ballot could not be encrypted in this browser. Please try again, or vote with JavaScript switched off.</p>');
    }
  });
})();
