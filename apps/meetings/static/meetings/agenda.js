// Drag-and-drop reordering of the agenda. The up/down buttons are the keyboard (and no-JS) alternative;
// this script only adds dragging. It posts the new order with the agenda version it was built on: a 409
// (someone else changed the agenda) reloads the page with the server's order rather than overwriting it.
(function () {
  "use strict";
  var list = document.querySelector("[data-agenda]");
  if (!list) { return; }
  var dragged = null;
  var status = document.querySelector("[data-agenda-status]");

  function say(text) { if (status) { status.textContent = text; } }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function save() {
    var ids = Array.prototype.map.call(list.querySelectorAll("[data-item]"), function (row) { return row.getAttribute("data-item"); });
    var body = new URLSearchParams();
    body.set("order", ids.join(","));
    body.set("agenda_version", list.getAttribute("data-version"));
    say("Saving the new order…");
    fetch(list.getAttribute("data-reorder-url"), {
      method: "POST",
      headers: { "X-CSRFToken": csrf(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 409) {
        say("Another coordinator changed this agenda: reloading their version.");
        window.setTimeout(function () { window.location.reload(); }, 1200);
        return null;
      }
      if (!response.ok) { say("The order was not saved (" + response.status + "). Reload the page."); return null; }
      return response.json();
    }).then(function (data) {
      if (data) { window.location.reload(); }
    });
  }

  Array.prototype.forEach.call(list.querySelectorAll("[data-item]"), function (row) {
    row.setAttribute("draggable", "true");
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-item"));
    });
    row.addEventListener("dragend", function () { row.classList.remove("dragging"); });
    row.addEventListener("dragover", function (event) {
      event.preventDefault();
      if (!dragged || dragged === row) { return; }
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("drop", function (event) {
      event.preventDefault();
      if (dragged) { dragged = null; save(); }
    });
  });
})();
