// Client-side search over the labels and synonyms of every page (the index is search-index.js, built with
// the site). Plain JavaScript, no libraries; works from file:// as well as from a web server.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.IFN_SEARCH_INDEX || [];
  var root = document.body.getAttribute("data-root") || "";
  var active = -1;
  var MAX = 15;

  function norm(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }
  var prepared = index.map(function (entry) {
    return { label: entry[0], synonyms: entry[1], url: entry[2], kind: entry[3],
             keys: [norm(entry[0])].concat(entry[1].map(norm)) };
  });

  function score(item, q) {
    var best = 0, match = null;
    for (var i = 0; i < item.keys.length; i++) {
      var key = item.keys[i], s = 0;
      if (key === q) s = 100; else if (key.indexOf(q) === 0) s = 60; else if (key.indexOf(" " + q) >= 0) s = 40;
      else if (key.indexOf(q) >= 0) s = 20;
      if (i > 0) s -= 5;  // a label match ranks above a synonym match
      if (s > best) { best = s; match = i; }
    }
    return [best, match];
  }

  function render(q) {
    list.innerHTML = "";
    active = -1;
    if (!q) { list.hidden = true; return; }
    var hits = [];
    for (var i = 0; i < prepared.length; i++) {
      var r = score(prepared[i], q);
      if (r[0] > 0) hits.push({ item: prepared[i], score: r[0], match: r[1] });
    }
    hits.sort(function (a, b) {
      return b.score - a.score || a.item.label.length - b.item.label.length || (a.item.label < b.item.label ? -1 : 1);
    });
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No label or synonym matches.";
      list.appendChild(none);
    }
    hits.slice(0, MAX).forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + hit.item.url;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.item.kind;
      a.appendChild(kind);
      a.appendChild(document.createTextNode(hit.item.label));
      if (hit.match > 0) {
        var syn = document.createElement("span");
        syn.className = "syn";
        syn.textContent = "synonym: " + hit.item.synonyms[hit.match - 1];
        a.appendChild(syn);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function move(step) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    if (active >= 0) links[active].classList.remove("active");
    active = (active + step + links.length) % links.length;
    links[active].classList.add("active");
    links[active].scrollIntoView({ block: "nearest" });
  }

  if (!input || !list) return;
  input.addEventListener("input", function () { render(norm(input.value)); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var links = list.querySelectorAll("a");
      if (links.length) { window.location.href = links[Math.max(active, 0)].href; event.preventDefault(); }
    } else if (event.key === "Escape") { list.hidden = true; }
  });
  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) list.hidden = true;
  });
})();
