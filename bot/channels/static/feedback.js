/*
 * 👍/👎 under the web chat's answers. Loaded by widget.js from the same folder; the chat works
 * without it (no controls) if it cannot be loaded.
 *
 * An answer the bot can take a rating for arrives with an `answer_id` (bot/feedback.py). A click
 * sends `/helpful{"answer_id":"…"}` or `/not_helpful{…}` silently, through the widget's own send
 * path, so the bot's reply appears as any other; the controls then show the choice and stay
 * disabled. After a reload the history says which answers were rated (`rating`). Whether a rating
 * counts (known answer, this conversation, first time) is the bot's decision, not this file's.
 */
(function () {
  "use strict";

  // A drawn thumb rather than the 👍/👎 characters: those need an emoji font, which not every
  // machine has (headless Chromium on a server shows empty boxes). 👎 is 👍 flipped upside down.
  var THUMB = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">' +
    '<path%s fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" stroke-linecap="round" ' +
    'd="M3 11h3v9H3zM6 11l4-8c1.2 0 2 .9 2 2v4h5.5a2 2 0 0 1 2 2.3l-1.2 6.5a2 2 0 0 1-2 1.7H6"/></svg>';
  var RATINGS = [
    { name: "helpful", label: "Helpful", icon: THUMB.replace("%s", "") },
    { name: "not_helpful", label: "Not helpful", icon: THUMB.replace("%s", ' transform="matrix(1 0 0 -1 0 24)"') }
  ];
  // What an answer id may look like before it is put in a payload; anything else gets no controls.
  var ANSWER_ID = /^[A-Za-z0-9_-]{1,64}$/;

  function known(rating) {
    return RATINGS.some(function (r) { return r.name === rating; });
  }

  /*
   * window.__webchatFeedback(el, send) -> controls(message)
   *   el(tag, className, attrs)  the widget's element maker
   *   send(payload)              sends a payload silently; a Promise of true once the bot replied,
   *                              false if it was not sent (busy, or the bot unreachable)
   *   controls(message)          the 👍/👎 group for a bot message, or null if it is not rateable
   */
  window.__webchatFeedback = function (el, send) {
    return function controls(message) {
      var id = message && message.answer_id;
      if (typeof id !== "string" || !ANSWER_ID.test(id)) return null;
      var group = el("div", "feedback", { role: "group", "aria-label": "Rate this answer", "data-answer-id": id });
      var buttons = RATINGS.map(function (r) {
        var button = el("button", "rate", { type: "button", "aria-label": r.label, title: r.label,
                                           "aria-pressed": "false", "data-rating": r.name });
        button.innerHTML = r.icon; // static markup of ours, no message text
        button.addEventListener("click", function () { rate(r.name); });
        group.appendChild(button);
        return button;
      });

      function show(chosen) {
        buttons.forEach(function (button) {
          button.disabled = !!chosen;
          button.setAttribute("aria-pressed", String(button.getAttribute("data-rating") === chosen));
        });
        group.classList.toggle("rated", !!chosen);
      }

      function rate(rating) {
        if (group.classList.contains("rated")) return;
        // Sent before the buttons are disabled, so the widget still sees where the focus was.
        var sent = send("/" + rating + JSON.stringify({ answer_id: id }));
        show(rating);
        sent.then(function (ok) { if (!ok) show(null); }); // not sent: the person can try again
      }

      if (known(message.rating)) show(message.rating);
      return group;
    };
  };
})();
