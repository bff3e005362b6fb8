// Warn a signed-in user five minutes before an idle session ends.
//
// Loaded from a file (no inline script, so it works under the
// Content-Security-Policy). Without JavaScript the page still says
// "You will be signed out after 30 minutes of inactivity", and the server
// ends the session regardless; this only adds a warning and a way to stay
// signed in.
(function () {
  "use strict";

  var script = document.getElementById("session-timeout-script");
  if (!script || !("HTMLDialogElement" in window)) {
    return;
  }
  var idleMs = parseInt(script.getAttribute("data-idle-minutes"), 10) * 60 * 1000;
  var keepAliveUrl = script.getAttribute("data-keep-alive-url");
  var signOutUrl = script.getAttribute("data-sign-out-url");
  var signedOutNoticeUrl = script.getAttribute("data-signed-out-notice-url");
  if (!idleMs || idleMs <= 0 || !signedOutNoticeUrl) {
    return;
  }
  var warnBeforeMs = Math.min(5 * 60 * 1000, idleMs / 2);
  var warnTimer = null;
  var endTimer = null;
  var dialog = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function buildDialog() {
    var box = element("dialog", "app-timeout-dialog");
    box.setAttribute("aria-labelledby", "app-timeout-title");
    box.setAttribute("aria-describedby", "app-timeout-text");
    box.appendChild(element("h2", "govuk-heading-m", "You will be signed out soon"));
    box.lastChild.id = "app-timeout-title";
    var minutes = Math.round(warnBeforeMs / 60000);
    var text = element(
      "p",
      "govuk-body",
      "You have not done anything for a while. To protect the records in this " +
        "service, you will be signed out in " + minutes + " minute" +
        (minutes === 1 ? "" : "s") + ". Anything you have not saved will be lost."
    );
    text.id = "app-timeout-text";
    box.appendChild(text);
    var stay = element("button", "govuk-button", "Stay signed in");
    stay.type = "button";
    stay.addEventListener("click", staySignedIn);
    box.appendChild(stay);
    box.addEventListener("cancel", function (event) {
      event.preventDefault();
      staySignedIn();
    });
    document.body.appendChild(box);
    return box;
  }

  function warn() {
    dialog = dialog || buildDialog();
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  function end() {
    // Sign out properly (the page's own sign-out form carries the CSRF
    // token), then show the sign-in page with the reason.
    var form = document.querySelector('form[action="' + signOutUrl + '"]');
    if (!form) {
      window.location.href = signedOutNoticeUrl;
      return;
    }
    var next = document.createElement("input");
    next.type = "hidden";
    next.name = "next";
    next.value = signedOutNoticeUrl;
    form.appendChild(next);
    form.submit();
  }

  function start() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(warn, idleMs - warnBeforeMs);
    endTimer = window.setTimeout(end, idleMs);
  }

  function staySignedIn() {
    // Any request refreshes the session on the server.
    fetch(keepAliveUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.ok) {
          if (dialog && dialog.open) {
            dialog.close();
          }
          start();
        } else {
          end();
        }
      })
      .catch(end);
  }

  start();
})();
