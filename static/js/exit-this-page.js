// Public pages: leave nothing for whoever picks up the device next.
//
// Loaded only on public pages (the @public_page decorator), from a file so it
// runs under the Content-Security-Policy. GOV.UK Frontend's "Exit this page"
// component still draws the button, counts Shift presses and announces them;
// this script adds what it does not do (docs/decisions/0004-exit-this-page.md):
//
// 1. The exit replaces the page it leaves in the browser history, so Back
//    after exiting does not land on the page that was being filled in.
//    A click on the button or the secondary link is handled here. For Shift
//    pressed 3 times, GOV.UK Frontend leaves by setting location.href (a new
//    history entry); that navigation is turned into location.replace() here,
//    through the Navigation API where the browser has it, otherwise as soon
//    as the component starts to leave (it hides the page first).
// 2. Before leaving, every field is emptied, so no copy of the page kept by
//    the browser holds what was typed.
// 3. When a page is shown again from the history, fields the browser filled
//    back in are put back to what the server sent (which, after an exit, is
//    nothing: the server ended the session). A page restored whole from the
//    back/forward cache is emptied and fetched again from the server.
//
// Without JavaScript the server does the work: the pages are never stored
// (Cache-Control: no-store), the fields ask the browser not to keep their
// values (autocomplete="off"), and /exit/ ends the session.
(function () {
  "use strict";

  var button = document.querySelector(".govuk-js-exit-this-page-button");
  if (!button) {
    return;
  }
  var exitUrl = button.href;
  var EXIT_LINKS = ".govuk-js-exit-this-page-button, .govuk-js-exit-this-page-skiplink";
  var leaving = false;

  function isChoice(field) {
    return field.type === "radio" || field.type === "checkbox";
  }

  function isTyped(field) {
    return !(
      field.type === "hidden" ||
      field.type === "submit" ||
      field.type === "button" ||
      field.type === "reset" ||
      field.type === "image"
    );
  }

  function tellComponents(field) {
    // The character count (and anything else listening) shows the new value.
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function emptyEveryField() {
    document.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!isTyped(field)) {
        return;
      }
      if (isChoice(field)) {
        field.checked = false;
      } else if (field.tagName === "SELECT") {
        field.selectedIndex = -1;
      } else {
        field.value = "";
      }
      tellComponents(field);
    });
  }

  function backToWhatTheServerSent() {
    document.querySelectorAll("input, textarea, select").forEach(function (field) {
      if (!isTyped(field)) {
        return;
      }
      if (isChoice(field)) {
        field.checked = field.defaultChecked;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = option.defaultSelected;
        });
      } else {
        field.value = field.defaultValue;
      }
      tellComponents(field);
    });
  }

  function leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    document.body.classList.add("govuk-exit-this-page-hide-content");
    emptyEveryField();
    window.location.replace(exitUrl);
  }

  // The button and the secondary link: handled here, before GOV.UK Frontend
  // sees the click, so the page is left the same way in every browser.
  document.addEventListener(
    "click",
    function (event) {
      var target = event.target instanceof Element ? event.target : null;
      var link = target && target.closest(EXIT_LINKS);
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      leave();
    },
    true
  );

  // Shift pressed 3 times: GOV.UK Frontend counts the presses and then sets
  // location.href, which is turned into a replacement here.
  if (window.navigation && typeof window.navigation.addEventListener === "function") {
    window.navigation.addEventListener("navigate", function (event) {
      if (
        event.navigationType === "push" &&
        event.cancelable &&
        event.destination.url === exitUrl
      ) {
        event.preventDefault();
        leave();
      }
    });
  } else if ("MutationObserver" in window) {
    // GOV.UK Frontend hides the page just before it sets location.href: a
    // replace() that follows straight away takes the place of that navigation.
    new MutationObserver(function () {
      if (document.body.classList.contains("govuk-exit-this-page-hide-content")) {
        leave();
      }
    }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
  }

  window.addEventListener("pageshow", function (event) {
    leaving = false;
    if (event.persisted) {
      // The whole page, as it was, from the back/forward cache: empty it and
      // ask the server what it should show now.
      emptyEveryField();
      document.body.classList.add("govuk-exit-this-page-hide-content");
      window.location.reload();
      return;
    }
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")
      : [];
    if (entries.length && entries[0].type === "back_forward") {
      backToWhatTheServerSent();
    }
  });
})();
