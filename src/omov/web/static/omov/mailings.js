// The dashboard's mailings table follows a mailing under way: every few seconds, while a
// mailing is not done, the counts are fetched again and written into their cells.
(function () {
  "use strict";
  var table = document.getElementById("mailings-table");
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-progress-url");
  var fields = ["state", "total", "sent", "waiting", "bounced", "failed"];
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var underWay = false;
        data.mailings.forEach(function (mailing) {
          var row = document.getElementById("mailing-" + mailing.id);
          if (!row) return;
          fields.forEach(function (field) {
            var cell = row.querySelector("[data-field=" + field + "]");
            if (cell) cell.textContent = String(mailing[field]);
          });
          if (mailing.state !== "Done") underWay = true;
        });
        if (underWay) window.setTimeout(refresh, 3000);
      });
  }
  if (table.getAttribute("data-under-way")) window.setTimeout(refresh, 3000);
})();
