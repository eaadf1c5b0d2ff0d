// Drag-and-drop ranking, an enhancement only: the numbered select boxes remain the form, and
// this script just reorders the rows and renumbers the selects to match. Each row also gets
// "Move up"/"Move down" buttons so keyboard users have the same shortcut.
(function () {
  "use strict";
  var list = document.querySelector("[data-ranking]");
  if (!list) return;
  var rows = function () { return Array.prototype.slice.call(list.querySelectorAll(".candidate")); };
  var live = document.getElementById("ranking-status");

  // After a select changes: keep the voter's numbers in order, close any gap, and on a
  // shared number let the row just changed take it.
  function renumber(changed) {
    var ranked = rows().filter(function (row) { return row.querySelector("select").value !== ""; });
    ranked.sort(function (a, b) {
      var d = Number(a.querySelector("select").value) - Number(b.querySelector("select").value);
      return d !== 0 ? d : (a === changed ? -1 : b === changed ? 1 : 0);
    });
    ranked.forEach(function (row, i) { row.querySelector("select").value = String(i + 1); });
  }

  function sortBySelects() {
    var keyed = rows().map(function (row, i) {
      var v = row.querySelector("select").value;
      return { row: row, key: v === "" ? 1000 + i : Number(v) };
    });
    keyed.sort(function (a, b) { return a.key - b.key; });
    keyed.forEach(function (k) { list.appendChild(k.row); });
  }

  function move(row, step) {
    var all = rows(), i = all.indexOf(row), j = i + step;
    if (j < 0 || j >= all.length) return;
    if (step < 0) list.insertBefore(row, all[j]); else list.insertBefore(all[j], row);
    rows().forEach(function (r, n) { r.querySelector("select").value = String(n + 1); });
    if (live) live.textContent = row.querySelector("label").textContent.trim() + " is now preference " + (rows().indexOf(row) + 1);
  }

  rows().forEach(function (row) {
    row.draggable = true;
    var name = row.querySelector("label").textContent.trim();
    [["Move up", -1], ["Move down", 1]].forEach(function (spec) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary"; b.textContent = spec[0];
      b.setAttribute("aria-label", spec[0] + ": " + name);
      b.addEventListener("click", function () { move(row, spec[1]); });
      row.appendChild(b);
    });
    row.addEventListener("dragstart", function (e) { e.dataTransfer.setData("text/plain", ""); row.classList.add("dragging"); });
    row.addEventListener("dragend", function () { row.classList.remove("dragging"); });
    row.addEventListener("dragover", function (e) {
      e.preventDefault();
      var dragging = list.querySelector(".dragging");
      if (dragging && dragging !== row) {
        var after = e.clientY > row.getBoundingClientRect().top + row.offsetHeight / 2;
        list.insertBefore(dragging, after ? row.nextSibling : row);
      }
    });
    row.addEventListener("drop", function (e) {
      e.preventDefault();
      rows().forEach(function (r, n) { r.querySelector("select").value = String(n + 1); });
    });
    row.querySelector("select").addEventListener("change", function () { renumber(row); sortBySelects(); });
  });
  sortBySelects();  // a page shown again (after a mistake, or to change) keeps its order
})();
