(function () {
  "use strict";

  // After every image has loaded (or failed), mark each one and record a verdict on <body>:
  // data-images-total, data-images-broken, data-scroll-width, data-view-width and
  // data-ready="1" (read by the tests and handy when checking a report by hand).
  function checkImages() {
    var imgs = document.querySelectorAll("img");
    var broken = 0;
    imgs.forEach(function (img) {
      var ok = img.complete && img.naturalWidth > 0;
      img.setAttribute("data-loaded", ok ? "1" : "0");
      if (!ok) {
        broken += 1;
        img.classList.add("broken");
      }
    });
    document.body.setAttribute("data-images-total", String(imgs.length));
    document.body.setAttribute("data-images-broken", String(broken));
    // Whether anything (a long path, a long reason) makes the page wider than the window.
    document.body.setAttribute("data-scroll-width", String(document.documentElement.scrollWidth));
    document.body.setAttribute("data-view-width", String(window.innerWidth));
    document.body.setAttribute("data-ready", "1");
  }

  // Case gallery: filter by text, category and status; show one page at a time.
  function setupGallery() {
    var root = document.getElementById("gallery");
    if (!root) {
      return;
    }
    var cards = Array.prototype.slice.call(root.querySelectorAll(".case"));
    var pageSize = parseInt(root.getAttribute("data-page-size"), 10) || 8;
    var text = document.getElementById("g-text");
    var cat = document.getElementById("g-category");
    var status = document.getElementById("g-status");
    var info = document.getElementById("g-info");
    var prev = document.getElementById("g-prev");
    var next = document.getElementById("g-next");
    var page = 0;

    function matching() {
      var q = text.value.trim().toLowerCase();
      return cards.filter(function (c) {
        if (q && c.getAttribute("data-search").indexOf(q) < 0) {
          return false;
        }
        if (cat.value && c.getAttribute("data-category") !== cat.value) {
          return false;
        }
        if (status.value && c.getAttribute("data-statuses").split(" ").indexOf(status.value) < 0) {
          return false;
        }
        return true;
      });
    }

    function render() {
      var shown = matching();
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      page = Math.min(Math.max(0, page), pages - 1);
      cards.forEach(function (c) {
        c.hidden = true;
      });
      shown.slice(page * pageSize, (page + 1) * pageSize).forEach(function (c) {
        c.hidden = false;
      });
      info.textContent =
        shown.length + " of " + cards.length + " cases \u00b7 page " + (page + 1) + " of " + pages;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }

    [text, cat, status].forEach(function (el) {
      el.addEventListener("input", function () {
        page = 0;
        render();
      });
    });
    prev.addEventListener("click", function () {
      page -= 1;
      render();
    });
    next.addEventListener("click", function () {
      page += 1;
      render();
    });
    document.getElementById("g-controls").hidden = false;
    render();
  }

  setupGallery();
  if (document.readyState === "complete") {
    checkImages();
  } else {
    window.addEventListener("load", checkImages);
  }
})();
