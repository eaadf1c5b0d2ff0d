// The ranking control, an enhancement only: the numbered select boxes remain the form (and the
// whole ballot without JavaScript). The script keeps the rows in preference order, ranked
// first, and gives each row buttons, following the WAI-ARIA practices for a rearrangeable
// list: "Add to my ranking" / "Remove from my ranking", and for a ranked row "Move up" and
// "Move down", which move it among the ranked rows only (never ranking anyone else). After
// every change focus stays on the control just used, in its row wherever the row went, and
// the change is said in the polite live region ("Owen Smith is now preference 2 of 3").
// Rows can also be dragged with a mouse.
(function () {
  "use strict";
  var list = document.querySelector("[data-ranking]");
  if (!list) return;
  var live = document.getElementById("ranking-status");
  var rows = function () { return Array.prototype.slice.call(list.querySelectorAll(".candidate")); };
  var select = function (row) { return row.querySelector("select"); };
  var name = function (row) { return row.querySelector("label").firstChild.textContent.trim(); };
  var ranked = function () { return rows().filter(function (row) { return select(row).value !== ""; }); };

  function say(text) { if (live) live.textContent = text; }

  function where(row) {
    var n = ranked().length;
    if (select(row).value === "") return name(row) + " is not ranked. " + n + " of " + rows().length + " ranked.";
    return name(row) + " is now preference " + select(row).value + " of " + n + ".";
  }

  // Numbers 1, 2, 3… in the order given: the ranked rows, closing any gap.
  function number(order) { order.forEach(function (row, i) { select(row).value = String(i + 1); }); }

  // After a select changes: keep the voter's numbers in order, close any gap, and on a shared
  // number let the row just changed take it.
  function renumber(changed) {
    var order = ranked();
    order.sort(function (a, b) {
      var d = Number(select(a).value) - Number(select(b).value);
      return d !== 0 ? d : (a === changed ? -1 : b === changed ? 1 : 0);
    });
    number(order);
  }

  // Rows in preference order, the unranked after in ballot order; the focused control keeps
  // its focus (moving an element in the page would otherwise drop focus to the body).
  function arrange() {
    var focused = document.activeElement;
    var keyed = rows().map(function (row) {
      var v = select(row).value;
      return { row: row, key: v === "" ? 1000 + Number(row.dataset.paper) : Number(v) };
    });
    keyed.sort(function (a, b) { return a.key - b.key; });
    keyed.forEach(function (k) { list.appendChild(k.row); });
    rows().forEach(refresh);
    if (focused && list.contains(focused) && document.activeElement !== focused) focused.focus();
  }

  // A row's buttons say what they would do now; a move that cannot happen is marked so
  // (aria-disabled keeps the focus on it, where a disabled button would lose it).
  function refresh(row) {
    var order = ranked(), at = order.indexOf(row), b = row.querySelector("[data-act='toggle']");
    b.textContent = at < 0 ? "Add to my ranking" : "Remove from my ranking";
    b.setAttribute("aria-label", b.textContent + ": " + name(row));
    row.querySelectorAll("[data-act='up'], [data-act='down']").forEach(function (m) {
      var stuck = at < 0 || (m.dataset.act === "up" ? at === 0 : at === order.length - 1);
      m.hidden = at < 0;
      m.setAttribute("aria-disabled", stuck ? "true" : "false");
    });
    row.classList.toggle("ranked", at >= 0);
  }

  function toggle(row) {
    var order = ranked();
    if (select(row).value === "") {
      select(row).value = String(order.length + 1);
    } else {
      select(row).value = "";
      number(order.filter(function (r) { return r !== row; }));
    }
    arrange();
    say(where(row));
  }

  function move(row, step) {
    var order = ranked(), i = order.indexOf(row), j = i + step;
    if (i < 0) return;
    if (j < 0 || j >= order.length) {
      say(name(row) + " is already preference " + (i + 1) + " of " + order.length + ".");
      return;
    }
    order.splice(i, 1);
    order.splice(j, 0, row);
    number(order);
    arrange();
    say(where(row));
  }

  function button(row, act, text, onclick) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "secondary"; b.dataset.act = act; b.textContent = text;
    b.setAttribute("aria-label", text + ": " + name(row));
    b.addEventListener("click", onclick);
    return b;
  }

  rows().forEach(function (row, i) {
    row.dataset.paper = String(i);
    var tools = document.createElement("div");
    tools.className = "moves";
    tools.appendChild(button(row, "toggle", "Add to my ranking", function () { toggle(row); }));
    tools.appendChild(button(row, "up", "Move up", function () { move(row, -1); }));
    tools.appendChild(button(row, "down", "Move down", function () { move(row, 1); }));
    row.appendChild(tools);

    row.draggable = true;
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
      var dragging = list.querySelector(".dragging") || row;
      // Dropped among the ranked rows it is ranked there; below them it is not ranked.
      // Nobody else's rank changes but to make room.
      var others = ranked().filter(function (r) { return r !== dragging; });
      var order = rows().filter(function (r) { return r === dragging || others.indexOf(r) >= 0; });
      if (order.indexOf(dragging) >= others.length && select(dragging).value === "") {
        order = others;
      }
      rows().forEach(function (r) { if (order.indexOf(r) < 0) select(r).value = ""; });
      number(order);
      arrange();
      say(where(dragging));
    });
    select(row).addEventListener("change", function () { renumber(row); arrange(); say(where(row)); });
  });
  arrange();  // a page shown again (after a mistake, or to change) keeps its order
  var intro = document.getElementById("ranking-help");
  if (intro) intro.hidden = false;
})();
