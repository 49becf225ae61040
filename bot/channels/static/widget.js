/*
 * Web chat widget for a Rasa bot served by bot/channels/webchat.py. No dependencies.
 *
 * Embed:  <script src="https://BOT/webchat/widget.js" data-server="https://BOT/" defer></script>
 * Options (data-* on the script tag):
 *   data-server  where the bot is (default: the server the script came from)
 *   data-title   header text (default: the title the bot sends)
 *   data-mode    "page" fills the window with the chat instead of showing a launcher button
 *
 * 👍/👎 under rateable answers come from feedback.js, which this script loads from the same folder.
 *
 * Everything lives in a shadow root, so the host page's CSS cannot restyle the widget and ours
 * cannot leak out. The bot's text is put in the DOM as text nodes, never as HTML; only http(s)
 * links become <a> elements.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__webchatLoaded) return; // a second copy of the tag must not add a second chat
  window.__webchatLoaded = true;

  var server = new URL(script.getAttribute("data-server") || "../", script.src).href;
  if (server.slice(-1) !== "/") server += "/";
  var endpoint = server + "webchat/";
  var pageMode = script.getAttribute("data-mode") === "page";
  var fixedTitle = script.getAttribute("data-title");
  var key = "webchat:" + server; // one conversation per bot, whichever site embeds it
  var TIMEOUT_MS = 60000;

  // localStorage can be switched off or full; the chat still works, it just forgets on reload.
  var memory = {};
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return memory[k] || null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { memory[k] = v; } },
    remove: function (k) { try { localStorage.removeItem(k); } catch (e) { delete memory[k]; } }
  };

  // 128 random bits as hex. getRandomValues (unlike randomUUID) also works on plain-http pages.
  function newConversationId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  var conversation = store.get(key + ":id");
  if (!conversation) { conversation = newConversationId(); store.set(key + ":id", conversation); }

  // --- DOM -------------------------------------------------------------------------------------
  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  var host = el("div", "", { id: "webchat-widget" });
  var root = host.attachShadow({ mode: "open" });
  host.style.display = "none"; // until the stylesheet has loaded, so nothing flashes unstyled
  var css = el("link", "", { rel: "stylesheet", href: endpoint + "widget.css" });
  css.onload = css.onerror = function () { host.style.display = ""; };
  root.appendChild(css);

  // The 👍/👎 controls; until (or unless) feedback.js has loaded, answers get none.
  var rateControls = function () { return null; };
  var feedbackLoaded = new Promise(function (resolve) {
    var tag = el("script", "", { src: endpoint + "feedback.js", async: "" });
    tag.onload = tag.onerror = function () { resolve(); };
    (document.head || document.documentElement).appendChild(tag);
  }).then(function () {
    if (typeof window.__webchatFeedback === "function") rateControls = window.__webchatFeedback(el, sendRating);
  });

  var panel = el("section", pageMode ? "panel page" : "panel", { role: pageMode ? "main" : "dialog", id: "panel" });
  var header = el("header", "header");
  var heading = el("h1", "title", { id: "chat-title" });
  panel.setAttribute("aria-labelledby", "chat-title");
  var restart = el("button", "restart", { type: "button" });
  restart.textContent = "Start over";
  header.appendChild(heading);
  header.appendChild(restart);

  var log = el("div", "log", { role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  var notice = el("p", "notice", { role: "alert" });
  notice.hidden = true;

  var form = el("form", "composer");
  var input = el("input", "input", {
    type: "text", autocomplete: "off", maxlength: "1000", enterkeyhint: "send",
    "aria-label": "Your message", placeholder: "Ask a question…"
  });
  var sendButton = el("button", "send", { type: "submit", "aria-label": "Send message" });
  sendButton.textContent = "Send";
  form.appendChild(input);
  form.appendChild(sendButton);

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(notice);
  panel.appendChild(form);

  var launcher = null, close = null;
  if (!pageMode) {
    close = el("button", "close", { type: "button", "aria-label": "Close chat" });
    close.textContent = "×";
    header.appendChild(close);
    launcher = el("button", "launcher", { type: "button", "aria-expanded": "false", "aria-controls": "panel" });
    launcher.innerHTML = // static markup of ours, no message text
      '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
      '<path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
    panel.hidden = true;
    root.appendChild(launcher);
  }
  root.appendChild(panel);

  var title = "";
  function labelLauncher() {
    var label = (panel.hidden ? "Open chat" : "Close chat") + (title ? ": " + title : "");
    if (launcher) launcher.setAttribute("aria-label", label);
  }
  function setTitle(text) {
    title = text;
    heading.textContent = text || "Chat";
    labelLauncher();
  }
  setTitle(fixedTitle || "");

  // --- rendering --------------------------------------------------------------------------------
  // [title](https://...) or a bare https://... address; trailing punctuation stays outside the link.
  var LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/g;

  function appendText(node, text) {
    var last = 0, match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text))) {
      node.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = el("a", "", { href: match[2] || match[3], target: "_blank", rel: "noopener noreferrer" });
      a.textContent = match[1] || match[3];
      node.appendChild(a);
      last = LINK.lastIndex;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function addBubble(from, text) {
    var row = el("div", "msg " + from);
    var who = el("span", "sr-only");
    who.textContent = from === "user" ? "You: " : "Assistant: ";
    var bubble = el("div", "bubble");
    bubble.appendChild(who);
    if (from === "bot") appendText(bubble, text); else bubble.appendChild(document.createTextNode(text));
    row.appendChild(bubble);
    log.appendChild(row);
    scrollDown();
    return row;
  }

  function addBotMessage(message) {
    if (message.text) addBubble("bot", message.text);
    if (message.image && /^https?:\/\//.test(message.image)) {
      var row = el("div", "msg bot");
      row.appendChild(el("img", "image", { src: message.image, alt: "Image from the assistant" }));
      log.appendChild(row);
    }
    var rating = message.text ? rateControls(message) : null; // its own row, apart from the replies
    if (rating) log.appendChild(rating);
    if (message.buttons && message.buttons.length) {
      var group = el("div", "replies", { role: "group", "aria-label": "Suggested replies" });
      message.buttons.forEach(function (b) {
        var button = el("button", "reply", { type: "button" });
        button.textContent = b.title || b.payload;
        button.addEventListener("click", function () { send(b.payload, b.title || b.payload); });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    scrollDown();
  }

  // Quick replies belong to the latest bot turn; once the person answers they are gone.
  function takeReplies() {
    var groups = Array.prototype.slice.call(log.querySelectorAll(".replies"));
    groups.forEach(function (g) { g.remove(); });
    return groups;
  }

  var typing = el("div", "msg bot typing");
  typing.innerHTML = '<div class="bubble"><span class="sr-only">The assistant is typing</span>' +
    '<i aria-hidden="true"></i><i aria-hidden="true"></i><i aria-hidden="true"></i></div>';
  function showTyping(on) {
    if (on) { log.appendChild(typing); scrollDown(); } else if (typing.parentNode) typing.remove();
  }

  function showNotice(text) { notice.textContent = text || ""; notice.hidden = !text; }

  function explain(error) {
    if (error.status === 403) return "This site is not allowed to use the chat.";
    if (error.status && error.status < 500 && error.message) return error.message;
    return "The assistant can't be reached right now. Your message is kept below; try again in a moment.";
  }

  // --- talking to the bot -----------------------------------------------------------------------
  function api(path, body) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, TIMEOUT_MS);
    // A plain-string body goes as text/plain: a "simple" request, so cross-origin calls need no
    // CORS preflight. The server parses it as JSON and checks the Origin itself.
    var options = body ? { method: "POST", body: JSON.stringify(body), signal: abort.signal } : { signal: abort.signal };
    return fetch(endpoint + path, options).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) { var e = new Error(data.error || "HTTP " + res.status); e.status = res.status; throw e; }
        return data;
      });
    }).finally(function () { clearTimeout(timer); });
  }

  var loaded = false, loading = null, busy = false, greeting = null;

  // History first (a reload or a server restart shows the same conversation); a new conversation
  // starts with the bot's greeting, which the widget asks for without showing a user bubble.
  function load() {
    if (loaded) return Promise.resolve();
    if (loading) return loading;
    showTyping(true);
    // The controls script is waited for, so answers from history get their 👍/👎 too.
    loading = Promise.all([api("history", { sender: conversation }), feedbackLoaded]).then(function (all) {
      var data = all[0];
      showTyping(false);
      if (!fixedTitle && data.title) setTitle(data.title);
      greeting = data.greeting;
      (data.messages || []).forEach(function (m) {
        if (m.from === "user") { takeReplies(); addBubble("user", m.text); } else addBotMessage(m);
      });
      loaded = true;
      showNotice("");
      if (!(data.messages || []).length && greeting) return send(greeting, null, true);
    }, function (error) {
      showTyping(false);
      showNotice(explain(error));
    }).finally(function () { loading = null; });
    return loading;
  }

  // Resolves to true once the bot has replied, false if nothing was sent.
  function send(text, label, silent) {
    if (busy || !text) return Promise.resolve(false);
    if (!loaded && !silent) {
      // Bot was unreachable when the panel opened: try again before sending anything.
      return load().then(function () { return loaded && send(text, label, silent); });
    }
    busy = true;
    var typed = !label && !silent;
    var hadFocus = root.activeElement && /\b(reply|rate)\b/.test(root.activeElement.className);
    var replies = silent ? [] : takeReplies();
    var bubble = silent ? null : addBubble("user", label || text);
    if (typed) { input.value = ""; store.remove(key + ":draft"); }
    if (hadFocus) input.focus(); // the clicked button is gone or disabled; keep keyboard focus in the chat
    showNotice("");
    showTyping(true);
    var body = { sender: conversation, message: text };
    if (label) body.label = label;
    if (silent) body.silent = true;
    return api("message", body).then(function (data) {
      showTyping(false);
      (data.messages || []).forEach(addBotMessage);
      return true;
    }, function (error) {
      // Nothing the person did is lost: the bubble goes, the text returns to the box, the
      // suggested replies come back.
      showTyping(false);
      if (bubble) bubble.remove();
      replies.forEach(function (g) { log.appendChild(g); });
      if (typed) {
        input.value = input.value ? text + " " + input.value : text;
        store.set(key + ":draft", input.value);
      }
      showNotice(explain(error));
      return false;
    }).finally(function () { busy = false; });
  }

  // A 👍/👎 click: its payload goes silently (no bubble), and the follow-up buttons on screen stay,
  // since the bot carries on as if the rating had not been sent.
  function sendRating(payload) { return send(payload, null, true); }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (text) send(text, null, false);
  });

  input.value = store.get(key + ":draft") || "";
  input.addEventListener("input", function () { store.set(key + ":draft", input.value); });

  restart.addEventListener("click", function () {
    if (busy || loading) return; // a reply still on its way would land in the new conversation
    conversation = newConversationId();
    store.set(key + ":id", conversation);
    log.textContent = "";
    showNotice("");
    loaded = false;
    input.focus();
    load();
  });

  // --- launcher (embedded mode) -----------------------------------------------------------------
  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.classList.toggle("open", open);
    labelLauncher();
    if (open) store.set(key + ":open", "1"); else store.remove(key + ":open");
    if (open) load();
    if (moveFocus) (open ? input : launcher).focus();
  }

  if (launcher) {
    launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
    close.addEventListener("click", function () { setOpen(false, true); });
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") setOpen(false, true); });
  }

  function start() {
    document.body.appendChild(host);
    if (pageMode) { load(); input.focus(); }
    // Open again if it was open on the previous page, without taking the focus (a phone would
    // pop up its keyboard on every page of the site).
    else if (store.get(key + ":open")) setOpen(true, false);
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
