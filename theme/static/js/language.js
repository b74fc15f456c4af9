// Remembers the interface language a reader picks, and uses it only to choose where the
// site root's redirect pages lead. It never hides or replaces a page the reader asked for.
(function () {
  "use strict";
  var KEY = "palabre.language";

  function remembered() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (error) {
      return null; // storage disabled: the default language it is
    }
  }

  function remember(code) {
    try {
      window.localStorage.setItem(KEY, code);
    } catch (error) {
      // storage disabled: nothing to remember
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[hreflang]");
    if (link && link.closest(".language-switcher, .language-choice")) {
      remember(link.getAttribute("hreflang"));
    }
  });

  var target = document.body && document.body.getAttribute("data-redirect");
  if (!target) {
    return;
  }
  var choice = remembered();
  var links = document.querySelectorAll(".language-choice a[hreflang]");
  for (var i = 0; i < links.length; i += 1) {
    if (choice && links[i].getAttribute("hreflang") === choice) {
      target = links[i].href;
    }
  }
  window.location.replace(target + window.location.search + window.location.hash);
})();
