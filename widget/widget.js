/*! Massage Coach website widget. Add it to a page with one tag:
 *    <script src="https://HOST:8080/widget.js" data-server="https://HOST:5005" defer></script>
 *  Options are data attributes (see the README). No build step, no dependencies: it speaks
 *  Socket.IO v5 over Engine.IO v4 on a WebSocket to Rasa's socket.io channel and renders
 *  the typed payloads of docs/payloads.md. Every user and bot text goes in as text, never HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.MassageCoachWidget) return;
  window.MassageCoachWidget = true;

  var SVG = "http://www.w3.org/2000/svg";
  var HISTORY_LIMIT = 200;
  var ZONES = ["collar", "dorsal", "lumbar"];
  var VERDICTS = {
    stop: ["Don't massage", "See a physician first."],
    caution: ["Only a professional, with the physician's approval", ""],
    unknown: ["Can't be cleared here", "Ask a physician before any massage."],
    ok: ["Go ahead gently", "Stop if anything hurts."],
    emergency: ["Emergency: stop now", "Call emergency services."]
  };
  var RULES = {never: "Never press", gently: "Gently only", not_if_injured: "Not if injured",
               recommended: "Good to massage", deep_ok: "Firmer pressure is fine"};

  var data = script.dataset;
  var options = {
    server: (data.server || defaultServer()).replace(/\/+$/, ""),
    socketPath: data.socketPath || "/socket.io",
    title: data.title || "Massage Coach",
    color: cssColor(data.color, "#1d5b85"),
    textColor: cssColor(data.textColor, "#ffffff"),
    position: data.position === "left" ? "left" : "right",
    open: data.open === "true",
    lang: data.lang || document.documentElement.lang || "en-US",
    readAloud: data.readAloud === "true"
  };

  function defaultServer() {
    var url = new URL(script.src, location.href);
    url.port = "5005";
    return url.origin;
  }

  function cssColor(value, fallback) {
    return value && window.CSS && CSS.supports("color", value) ? value : fallback;
  }

  // ------------------------------------------------------------------ state kept in the browser
  var storageKey = "massage-coach:" + options.server;
  var state = loadState();

  function loadState() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(storageKey)) || {}; } catch (error) { saved = {}; }
    return {
      sessionId: typeof saved.sessionId === "string" ? saved.sessionId : newSessionId(),
      history: Array.isArray(saved.history) ? saved.history : [],
      open: saved.open === undefined ? options.open : saved.open,
      readAloud: saved.readAloud === undefined ? options.readAloud : saved.readAloud,
      draft: typeof saved.draft === "string" ? saved.draft : ""
    };
  }

  function saveState() {
    try { localStorage.setItem(storageKey, JSON.stringify(state)); } catch (error) { /* private mode: keep it in memory */ }
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // ------------------------------------------------------------------ DOM helpers (text only)
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes, parent) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function button(label, onClick, className) {
    var node = el("button", className || "mc-button", label);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function humanize(id) {
    var words = String(id).replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function minutes(seconds) {
    var s = Math.max(0, seconds);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }

  // ------------------------------------------------------------------ the panel
  var host = el("div");
  host.id = "massage-coach-widget";
  var root = host.attachShadow({mode: "open"});
  root.appendChild(el("style", null, STYLE()));
  var frame = el("div", "mc mc--" + options.position);
  frame.style.setProperty("--mc-accent", options.color);
  frame.style.setProperty("--mc-on-accent", options.textColor);
  root.appendChild(frame);

  var launcher = button("", function () { setOpen(!state.open, true); }, "mc-launcher");
  launcher.setAttribute("aria-controls", "mc-panel");
  launcher.appendChild(icon("M4 5h16v11H9l-5 4z"));

  var panel = el("div", "mc-panel");
  panel.id = "mc-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "mc-title");
  var header = el("div", "mc-header");
  var title = el("h2", "mc-title", options.title);
  title.id = "mc-title";
  var readAloudButton = button("Read aloud", toggleReadAloud, "mc-header-button");
  var newButton = button("New chat", startOver, "mc-header-button");
  newButton.setAttribute("aria-label", "Start a new conversation");
  var closeButton = button("\u00d7", function () { setOpen(false); launcher.focus(); }, "mc-header-button mc-close");
  closeButton.setAttribute("aria-label", "Close chat");
  header.append(title, readAloudButton, newButton, closeButton);
  if (!window.speechSynthesis) readAloudButton.hidden = true;

  var status = el("p", "mc-status");
  status.setAttribute("role", "status");
  var log = el("div", "mc-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0;
  var typing = el("div", "mc-typing");
  typing.hidden = true;
  typing.append(el("span", "mc-dots", "\u2022\u2022\u2022"), el("span", "mc-visually-hidden", options.title + " is typing"));
  typing.firstChild.setAttribute("aria-hidden", "true");

  var form = el("form", "mc-form");
  var inputLabel = el("label", "mc-visually-hidden", "Message");
  inputLabel.htmlFor = "mc-input";
  var input = el("input", "mc-input");
  input.id = "mc-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 1000;
  input.placeholder = "Ask about massage\u2026";
  input.value = state.draft;
  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  var micButton = button("", listen, "mc-icon-button mc-mic");
  micButton.setAttribute("aria-label", "Speak your message");
  micButton.setAttribute("aria-pressed", "false");
  micButton.appendChild(icon("M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zM6 11a6 6 0 0 0 12 0M12 17v4"));
  micButton.hidden = !Recognition;
  var sendButton = el("button", "mc-icon-button mc-send");
  sendButton.type = "submit";
  sendButton.setAttribute("aria-label", "Send");
  sendButton.appendChild(icon("M4 12l16-8-6 16-2-7z"));
  form.append(inputLabel, input, micButton, sendButton);

  panel.append(header, status, log, typing, form);
  frame.append(panel, launcher);

  function icon(path) {
    var drawing = svg("svg", {viewBox: "0 0 24 24", width: "24", height: "24", "aria-hidden": "true", focusable: "false"});
    svg("path", {d: path, fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linejoin": "round",
                 "stroke-linecap": "round"}, drawing);
    return drawing;
  }

  function setOpen(open, moveFocus) {
    state.open = open;
    saveState();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", (open ? "Close " : "Open ") + options.title + " chat");
    if (open) log.scrollTop = log.scrollHeight;
    if (open && moveFocus) input.focus();
  }

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      setOpen(false);
      launcher.focus();
    }
  });

  input.addEventListener("input", function () {
    state.draft = input.value;
    saveState();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendInput();
    input.focus();
  });

  function sendInput() {
    if (send(input.value)) {
      input.value = state.draft = "";
      saveState();
    }
  }

  function setStatus(text, problem) {
    status.textContent = text;
    status.classList.toggle("mc-status--problem", !!problem);
  }

  // ------------------------------------------------------------------ Socket.IO v5 over a WebSocket
  var socket = null;
  var ready = false;
  var everConnected = false;
  var attempts = 0;
  var reconnectTimer = 0;
  var heartbeatTimer = 0;
  var socketUrl = options.server.replace(/^http/, "ws") + options.socketPath.replace(/\/?$/, "/") +
    "?EIO=4&transport=websocket";

  function connect() {
    clearTimeout(reconnectTimer);
    if (socket) return;
    var ws;
    try { ws = new WebSocket(socketUrl); } catch (error) { return retry(); }
    socket = ws;
    ws.onmessage = function (event) { onEnginePacket(ws, String(event.data)); };
    ws.onclose = function () { drop(ws); };
  }

  function drop(ws) {
    if (socket !== ws) return;
    socket = null;
    ws.onclose = ws.onmessage = null;
    try { ws.close(); } catch (error) { /* already closed */ }
    clearTimeout(heartbeatTimer);
    setReady(false);
    retry();
  }

  function retry() {
    var delay = Math.min(8000, 500 * Math.pow(2, attempts++));
    if (serverDown()) setStatus(unreachable(), true);
    reconnectTimer = setTimeout(connect, delay);
  }

  // Engine.IO packets: 0 open, 1 close, 2 ping (the server's), 3 pong, 4 message.
  function onEnginePacket(ws, packet) {
    var kind = packet.charAt(0);
    if (kind === "0") {
      var handshake = JSON.parse(packet.slice(1));
      watch(ws, handshake.pingInterval + handshake.pingTimeout);
      ws.send("40");
    } else if (kind === "2") {
      watch(ws);
      ws.send("3");
    } else if (kind === "1") {
      drop(ws);
    } else if (kind === "4") {
      onSocketPacket(ws, packet.slice(1));
    }
  }

  // No ping within the agreed interval: the server is gone even if TCP has not noticed.
  var heartbeatMs = 45000;
  function watch(ws, interval) {
    if (interval) heartbeatMs = interval;
    clearTimeout(heartbeatTimer);
    heartbeatTimer = setTimeout(function () { drop(ws); }, heartbeatMs);
  }

  // Socket.IO packets: 0 connect, 1 disconnect, 2 event, 4 connect error.
  function onSocketPacket(ws, packet) {
    var kind = packet.charAt(0);
    if (kind === "0") {
      emit("session_request", {session_id: state.sessionId});
    } else if (kind === "2") {
      var event = JSON.parse(packet.slice(packet.indexOf("[")));
      if (event[0] === "session_confirm") setReady(true);
      else if (event[0] === "bot_uttered" && event[1] && typeof event[1] === "object") receive(event[1]);
    } else if (kind === "1" || kind === "4") {
      drop(ws);
    }
  }

  function emit(name, payload) {
    socket.send("42" + JSON.stringify([name, payload]));
  }

  function setReady(isReady) {
    var recovered = isReady && !ready && serverDown();
    ready = isReady;
    if (isReady) {
      attempts = 0;
      everConnected = true;
      setStatus(recovered ? "Connected again." : "");
      if (recovered) setTimeout(function () { if (ready) setStatus(""); }, 4000);
      if (queued && input.value.trim() === queued) sendInput();
      queued = "";
    } else if (pendingBubble) {
      // The question was on its way when the connection dropped: offer it again.
      markUndelivered();
    }
  }

  // ------------------------------------------------------------------ conversation
  var pendingBubble = null;
  var pendingText = "";
  var queued = ""; // typed while offline: sent once the connection is back, if still in the box
  var lastSentAt = 0;
  var typingTimer = 0;

  function send(text, shownAs) {
    text = String(text || "").trim();
    if (!text) return false;
    if (!ready) {
      if (!shownAs) queued = text;
      setStatus(serverDown() ? unreachable() : "Connecting\u2026", serverDown());
      connect();
      return false;
    }
    emit("user_uttered", {message: text, session_id: state.sessionId});
    lastSentAt = Date.now();
    cancelSpeech();
    record({from: "user", text: shownAs || text});
    pendingBubble = log.lastElementChild;
    pendingText = shownAs ? "" : text;
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.hidden = true; }, 20000);
    return true;
  }

  function serverDown() {
    return everConnected || attempts > 1;
  }

  function unreachable() {
    return "Can't reach " + options.title + " right now. Trying again\u2026" +
      (queued ? " Your message is kept and will be sent when the connection is back." : "");
  }

  function markUndelivered() {
    pendingBubble.appendChild(el("span", "mc-undelivered", " (not delivered)"));
    if (pendingText && !input.value) input.value = state.draft = pendingText;
    pendingBubble = null;
    typing.hidden = true;
  }

  function receive(message) {
    // Every open tab of this conversation gets the bot's messages: the tab that asked records
    // them, the others show them when storage changes.
    if (Date.now() - lastSentAt > 60000) return;
    pendingBubble = null;
    typing.hidden = true;
    record({from: "bot", message: message});
  }

  function record(entry) {
    state.history = loadState().history; // another tab may have added to it
    state.history.push(entry);
    if (state.history.length > HISTORY_LIMIT) state.history.splice(0, state.history.length - HISTORY_LIMIT);
    saveState();
    render(entry, true);
  }

  function startOver() {
    cancelSpeech();
    state.history = [];
    state.sessionId = newSessionId();
    saveState();
    showHistory();
    joinSession();
    input.focus();
  }

  function showHistory() {
    retireStep();
    log.textContent = "";
    state.history.forEach(function (entry) {
      try { render(entry, false); } catch (error) { /* an entry another version wrote: skip it */ }
    });
  }

  function joinSession() {
    if (ready) emit("session_request", {session_id: state.sessionId});
  }

  window.addEventListener("storage", function (event) {
    if (event.key !== storageKey) return;
    var saved = loadState();
    if (saved.sessionId === state.sessionId && JSON.stringify(saved.history) === JSON.stringify(state.history)) return;
    var newSession = saved.sessionId !== state.sessionId;
    state.history = saved.history;
    state.sessionId = saved.sessionId;
    showHistory();
    if (newSession) joinSession();
  });

  // ------------------------------------------------------------------ rendering
  var liveStep = null; // the newest step card: the only one whose controls and timer run

  function render(entry, live) {
    if (entry.from === "user") {
      removeAll(".mc-replies");
      log.appendChild(el("p", "mc-msg mc-msg--user", entry.text));
    } else {
      var message = entry.message || {};
      if (typeof message.text === "string" && message.text) {
        log.appendChild(el("p", "mc-msg mc-msg--bot", message.text));
      }
      var replies = message.quick_replies || message.buttons;
      if (Array.isArray(replies) && replies.length) log.appendChild(quickReplies(replies));
      if (message.custom && typeof message.custom === "object") {
        var card = renderCard(message.custom, live);
        if (card) log.appendChild(card);
        if (card && live) refocus(card);
      }
      if (live) queueSpeech(message);
    }
    log.scrollTop = log.scrollHeight;
  }

  function removeAll(selector) {
    Array.prototype.forEach.call(log.querySelectorAll(selector), function (node) { node.remove(); });
  }

  function quickReplies(replies) {
    var group = el("div", "mc-replies");
    replies.forEach(function (reply) {
      var label = String(reply.title || reply.payload || "");
      group.appendChild(button(label, function () {
        if (send(reply.payload || label, label)) input.focus();
      }, "mc-button mc-reply"));
    });
    return group;
  }

  function card(kind, heading) {
    var node = el("section", "mc-card mc-card--" + kind);
    node.setAttribute("aria-label", heading);
    node.appendChild(el("p", "mc-card-title", heading));
    return node;
  }

  function list(items, format) {
    var node = el("ul", "mc-list");
    (items || []).forEach(function (item) { node.appendChild(el("li", null, format ? format(item) : humanize(item))); });
    return node;
  }

  function renderCard(payload, live) {
    var type = payload.type;
    var node;
    if (type === "safety" || type === "emergency") {
      var verdict = type === "emergency" ? "emergency" : payload.verdict;
      var words = VERDICTS[verdict] || VERDICTS.unknown;
      node = card("safety", words[0]);
      node.classList.add("mc-verdict--" + verdict);
      node.setAttribute("data-verdict", verdict);
      if (words[1]) node.appendChild(el("p", null, words[1]));
      if (payload.conditions && payload.conditions.length) node.appendChild(list(payload.conditions));
      if (payload.negated && payload.negated.length) {
        node.appendChild(el("p", null, "Ruled out: " + payload.negated.map(humanize).join(", ")));
      }
    } else if (type === "triage") {
      // Back pain: the answers are the quick replies under the question's text.
      node = card("safety", "One question first");
      node.classList.add("mc-verdict--caution");
    } else if (type === "triage_outcome") {
      var outcome = VERDICTS[payload.verdict] ? payload.verdict : "unknown";
      node = card("safety", VERDICTS[outcome][0]);
      node.classList.add("mc-verdict--" + outcome);
      node.setAttribute("data-verdict", outcome);
      if (payload.red_flags.length) node.appendChild(list(payload.red_flags));
      if (payload.avoid && payload.avoid.length) {
        node.appendChild(el("p", null, "Stay off: " + payload.avoid.map(humanize).join(", ")));
      }
    } else if (type === "contraindications") {
      node = card("safety", "When not to massage");
      node.classList.add("mc-verdict--stop");
      node.append(list(payload.conditions), el("p", "mc-card-title", "Only a professional, with the physician's approval"),
                  list(payload.caution));
    } else if (type === "screening") {
      node = card("safety", "Before you start, check for");
      node.classList.add("mc-verdict--caution");
      node.appendChild(list(payload.conditions));
    } else if (type === "confirmation") {
      node = card("safety", "For professionals only");
      node.classList.add("mc-verdict--caution");
    } else if (type === "technique") {
      node = card("info", "Technique: " + payload.name);
    } else if (type === "zone") {
      node = card("info", payload.name);
      node.appendChild(backDiagram([payload.zone], []));
    } else if (type === "zones") {
      node = card("info", "The three zones of the back");
      node.appendChild(backDiagram([], payload.zones || []));
    } else if (type === "anatomy") {
      node = card("info", "Where to press");
      node.appendChild(list(payload.parts, function (part) { return humanize(part.id) + ": " + (RULES[part.rule] || part.rule); }));
    } else if (type === "techniques") {
      node = card("info", "Techniques");
      node.appendChild(list(payload.techniques));
    } else if (type === "routines") {
      node = card("info", "Routines");
      node.appendChild(list(payload.routines, function (r) {
        return r.title + ": " + r.steps + " steps, about " + r.minutes + " min";
      }));
    } else if (type === "duration") {
      node = card("info", "How long");
      node.appendChild(el("p", null, payload.min_minutes + "\u2013" + payload.max_minutes +
                                     " minutes; the whole back about " + payload.whole_back_minutes + " minutes"));
    } else if (type === "preparation") {
      node = card("info", "You will need");
      node.appendChild(list(payload.items));
    } else if (type === "step") {
      node = stepCard(payload, live);
    } else if (type === "paused") {
      node = card("info", "Paused at step " + payload.step);
      if (live) node.appendChild(controls([["Continue", "continue"]]));
      retireStep();
    } else if (type === "progress") {
      node = card("info", "Step " + payload.step + " of " + payload.total);
      if (payload.lead) node.appendChild(el("p", "mc-lead", payload.lead));
    node.append(progressBar(payload.step, payload.total),
                  el("p", null, payload.steps_left + " steps left, about " + Math.ceil(payload.seconds_left / 60) + " min"));
    } else if (type === "routine_done" || type === "routine_stopped") {
      node = card("info", type === "routine_done" ? "Routine complete" : "Routine stopped");
      retireStep();
    }
    return node || null;
  }

  function progressBar(step, total) {
    var bar = el("div", "mc-progress");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", "Routine progress");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(step));
    var fill = el("span");
    fill.style.width = Math.round(100 * step / total) + "%";
    bar.appendChild(fill);
    return bar;
  }

  function stepCard(payload, live) {
    // The card carries the instruction, so the turn's text bubble would only repeat it.
    var previous = log.lastElementChild;
    if (previous && previous.classList.contains("mc-msg--bot")) previous.hidden = true;
    retireStep();
    var heading = "Step " + payload.step + " of " + payload.total;
    var node = card("step", heading);
    node.setAttribute("data-step", String(payload.step));
    var timer = el("span", "mc-timer", minutes(payload.duration_s));
    timer.setAttribute("aria-live", "off");
    node.firstChild.appendChild(timer);
    var zones = (payload.zones || [payload.zone]).filter(function (z) { return z !== payload.zone; });
    if (payload.lead) node.appendChild(el("p", "mc-lead", payload.lead));
    node.append(progressBar(payload.step, payload.total),
                el("p", "mc-instruction", payload.instruction || payload.speech),
                el("p", "mc-meta", (payload.techniques || [payload.technique]).map(humanize).join(", ") +
                                   " \u00b7 about " + Math.round(payload.duration_s / 60) + " min"),
                backDiagram([payload.zone], zones));
    if (live) {
      var seconds = payload.duration_s;
      var paused = false;
      var tick = setInterval(function () {
        if (paused) return;
        seconds -= 1;
        timer.textContent = seconds > 0 ? minutes(seconds) + " left" : "Time's up";
        if (seconds <= 0) {
          clearInterval(tick);
          if (state.readAloud) speak("Time is up. Say next when you're ready.");
        }
      }, 1000);
      node.appendChild(controls([["Back", "back"], ["Repeat", "repeat"], ["Next", "next"], ["Pause", "pause"]],
                                function (command) { if (command === "pause") paused = true; }));
      liveStep = {node: node, stop: function () { clearInterval(tick); }};
    } else {
      liveStep = {node: node, stop: function () {}};
      node.appendChild(controls([["Back", "back"], ["Repeat", "repeat"], ["Next", "next"], ["Pause", "pause"]]));
    }
    return node;
  }

  var focusAfterAnswer = "";

  function controls(commands, onCommand) {
    var row = el("div", "mc-controls");
    commands.forEach(function (pair) {
      var control = button(pair[0], function () {
        if (!send(pair[1], pair[0])) return;
        focusAfterAnswer = pair[0];
        input.focus();
        if (onCommand) onCommand(pair[1]);
      }, "mc-button mc-control");
      control.setAttribute("data-command", pair[1]);
      row.appendChild(control);
    });
    return row;
  }

  // Only the newest step card is live: older ones keep their content, lose their controls.
  function retireStep() {
    if (!liveStep) return;
    liveStep.stop();
    var row = liveStep.node.querySelector(".mc-controls");
    if (row) row.remove();
    liveStep = null;
  }

  // A keyboard user who pressed Next lands on Next again in the new card (or on its first control).
  function refocus(card) {
    if (!focusAfterAnswer) return;
    var candidates = Array.prototype.slice.call(card.querySelectorAll(".mc-control"));
    var target = candidates.filter(function (c) { return c.textContent === focusAfterAnswer; })[0] || candidates[0];
    focusAfterAnswer = "";
    if (target) target.focus();
  }

  // Back diagram: three zones, the spine and the kidneys marked do-not-press.
  var diagramCount = 0;
  function backDiagram(stepZones, coveredZones) {
    var figure = el("figure", "mc-diagram");
    var clipId = "mc-torso-" + (++diagramCount);
    var label = (stepZones.length ? humanize(stepZones[0]) + " zone highlighted" : "The three zones of the back") +
      (coveredZones.length && stepZones.length ? ", also covering " + coveredZones.join(" and ") : "") +
      ". Never press on the spine; only gently over the kidneys.";
    var drawing = svg("svg", {viewBox: "0 0 200 214", role: "img", "aria-label": label});
    var torso = "M80 6H120V28Q125 38 160 42Q183 46 180 66L166 128Q160 142 165 160L169 208H31L35 160Q40 142 34 128" +
                "L20 66Q17 46 40 42Q75 38 80 28Z";
    var clip = svg("clipPath", {id: clipId}, svg("defs", {}, drawing));
    svg("path", {d: torso}, clip);
    var bands = {collar: [0, 62], dorsal: [62, 130], lumbar: [130, 214]};
    var labelY = {collar: 55, dorsal: 100, lumbar: 180};
    ZONES.forEach(function (zone) {
      var highlight = stepZones.indexOf(zone) >= 0 ? "step" : coveredZones.indexOf(zone) >= 0 ? "covered" : "none";
      var group = svg("g", {"class": "mc-zone", "data-zone": zone, "data-highlight": highlight}, drawing);
      svg("rect", {x: 0, y: bands[zone][0], width: 200, height: bands[zone][1] - bands[zone][0],
                   "clip-path": "url(#" + clipId + ")"}, group);
      svg("text", {x: 34, y: labelY[zone]}, group).textContent = humanize(zone);
    });
    svg("path", {d: torso, "class": "mc-outline"}, drawing);
    svg("rect", {x: 97, y: 10, width: 6, height: 196, rx: 3, "class": "mc-no-press"}, drawing);
    svg("ellipse", {cx: 76, cy: 140, rx: 10, ry: 12, "class": "mc-no-press mc-kidney"}, drawing);
    svg("ellipse", {cx: 124, cy: 140, rx: 10, ry: 12, "class": "mc-no-press mc-kidney"}, drawing);
    var legend = el("figcaption", "mc-legend");
    if (stepZones.length) legend.appendChild(el("span", "mc-key mc-key--step", "This step"));
    if (coveredZones.length) legend.appendChild(el("span", "mc-key mc-key--covered", "Also covered"));
    legend.appendChild(el("span", "mc-key mc-key--no-press", "Spine, kidneys: don't press"));
    figure.append(drawing, legend);
    return figure;
  }

  // ------------------------------------------------------------------ speech
  var turnSpeech = {texts: [], speech: ""};
  var speechTimer = 0;

  // Messages of one answer arrive one by one; speak the answer once, preferring its `speech`.
  function queueSpeech(message) {
    if (!state.readAloud || !window.speechSynthesis) return;
    if (message.text) turnSpeech.texts.push(message.text);
    if (message.custom && typeof message.custom.speech === "string") {
      turnSpeech.speech = (message.custom.lead ? message.custom.lead + " " : "") + message.custom.speech;
    }
    clearTimeout(speechTimer);
    speechTimer = setTimeout(function () {
      speak(turnSpeech.speech || turnSpeech.texts.join(" "));
      turnSpeech = {texts: [], speech: ""};
    }, 400);
  }

  function speak(text) {
    if (!text || !window.speechSynthesis) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = options.lang;
    speechSynthesis.speak(utterance);
  }

  function cancelSpeech() {
    if (window.speechSynthesis) speechSynthesis.cancel();
  }

  function toggleReadAloud() {
    state.readAloud = !state.readAloud;
    saveState();
    readAloudButton.setAttribute("aria-pressed", String(state.readAloud));
    if (!state.readAloud) cancelSpeech();
  }

  var recognition = null;
  function listen() {
    if (recognition) return recognition.stop();
    recognition = new Recognition();
    recognition.lang = options.lang;
    recognition.interimResults = false;
    recognition.onresult = function (event) {
      var heard = event.results[0][0].transcript;
      input.value = heard;
      if (send(heard)) input.value = state.draft = "";
    };
    recognition.onerror = function (event) {
      if (event.error === "not-allowed") setStatus("The microphone is blocked for this page.", true);
    };
    recognition.onend = function () {
      recognition = null;
      micButton.setAttribute("aria-pressed", "false");
    };
    micButton.setAttribute("aria-pressed", "true");
    recognition.start();
  }

  // ------------------------------------------------------------------ styles
  function STYLE() {
    return [
      ":host{all:initial}",
      ".mc{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;position:fixed;bottom:16px;z-index:2147483000}",
      ".mc--right{right:16px}.mc--left{left:16px}",
      ".mc *{box-sizing:border-box}",
      ".mc-launcher{width:56px;height:56px;border-radius:50%;border:0;background:var(--mc-accent);color:var(--mc-on-accent);cursor:pointer;display:grid;place-items:center;box-shadow:0 4px 14px rgba(0,0,0,.3);float:right}",
      ".mc--left .mc-launcher{float:left}",
      ".mc button:focus-visible,.mc input:focus-visible,.mc-log:focus-visible{outline:3px solid #0b0c0c;outline-offset:1px;box-shadow:0 0 0 5px #fff}",
      ".mc-header button:focus-visible{outline-color:var(--mc-on-accent);box-shadow:none}",
      ".mc-panel{position:fixed;bottom:84px;width:380px;max-width:calc(100vw - 16px);height:600px;max-height:calc(100vh - 100px);background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden}",
      ".mc--right .mc-panel{right:16px}.mc--left .mc-panel{left:16px}",
      "@media (max-width:480px){.mc-panel{left:8px!important;right:8px!important;width:auto;max-width:none;bottom:80px;height:calc(100vh - 96px);max-height:none}}",
      ".mc-panel[hidden]{display:none}",
      ".mc-header{display:flex;align-items:center;gap:4px;padding:8px 8px 8px 14px;background:var(--mc-accent);color:var(--mc-on-accent)}",
      ".mc-title{flex:1;margin:0;font-size:17px;font-weight:600;min-width:0;overflow-wrap:anywhere}",
      ".mc-header-button{background:transparent;color:inherit;border:1px solid currentColor;border-radius:6px;padding:4px 8px;min-height:36px;font:inherit;font-size:13px;cursor:pointer}",
      ".mc-header-button[aria-pressed=true]{background:var(--mc-on-accent);color:var(--mc-accent)}",
      ".mc-close{font-size:20px;line-height:1;width:36px}",
      ".mc-lead{margin:0 0 6px;font-style:italic}",
      ".mc-status{margin:0;padding:8px 14px;background:#e8f0f7;color:#123a57;font-size:14px}",
      ".mc-status--problem{background:#fdecea;color:#7a1a12}",
      ".mc-status:empty{padding:0}",
      ".mc-log{flex:1;overflow-y:auto;overflow-x:hidden;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}",
      ".mc-msg{margin:0;padding:8px 12px;border-radius:12px;max-width:85%;white-space:pre-line;overflow-wrap:anywhere}",
      ".mc-msg[hidden]{display:none}",
      ".mc-msg--user{align-self:flex-end;background:var(--mc-accent);color:var(--mc-on-accent);border-bottom-right-radius:4px}",
      ".mc-msg--bot{align-self:flex-start;background:#fff;border:1px solid #d5d9de;border-bottom-left-radius:4px}",
      ".mc-undelivered{font-style:italic}",
      ".mc-replies,.mc-controls{display:flex;flex-wrap:wrap;gap:6px}",
      ".mc-button{font:inherit;font-size:14px;min-height:40px;padding:6px 12px;border-radius:20px;border:2px solid var(--mc-accent);background:#fff;color:#1a1a1a;cursor:pointer}",
      ".mc-button:hover{background:#eef3f7}",
      ".mc-control{flex:1 1 auto;padding:6px 8px;white-space:nowrap}",
      ".mc-control[data-command=next]{background:var(--mc-accent);color:var(--mc-on-accent)}",
      ".mc-card{background:#fff;border:1px solid #d5d9de;border-left:6px solid #4a5563;border-radius:10px;padding:10px 12px;overflow-wrap:anywhere}",
      ".mc-card p{margin:4px 0}",
      ".mc-card-title{font-weight:700;display:flex;justify-content:space-between;gap:8px}",
      ".mc-list{margin:4px 0;padding-left:20px}",
      ".mc-verdict--stop{background:#fdecea;border-left-color:#b3261e;color:#5f140f}",
      ".mc-verdict--caution{background:#fff4e0;border-left-color:#a15c00;color:#4d2c00}",
      ".mc-verdict--unknown{background:#eef1f5;border-left-color:#4a5563;color:#1f2933}",
      ".mc-verdict--ok{background:#e8f5e9;border-left-color:#1e6b34;color:#143d20}",
      ".mc-verdict--emergency{background:#b3261e;border-left-color:#5f140f;color:#fff}",
      ".mc-card--step{border-left-color:var(--mc-accent)}",
      ".mc-timer{font-variant-numeric:tabular-nums;font-weight:600;color:#123a57}",
      ".mc-progress{height:8px;border-radius:4px;background:#dde3e8;margin:6px 0;overflow:hidden}",
      ".mc-progress span{display:block;height:100%;background:var(--mc-accent)}",
      ".mc-meta{font-size:13px;color:#4a5563}",
      ".mc-diagram{margin:8px 0;display:flex;gap:10px;align-items:center}",
      ".mc-diagram svg{width:136px;height:auto;flex:none}",
      ".mc-zone rect{fill:#e4e9ee;stroke:#fff;stroke-width:2}",
      ".mc-zone text{font-size:16px;fill:#1f2933}",
      ".mc-zone[data-highlight=covered] rect{fill:#b9d3e6}",
      ".mc-zone[data-highlight=step] rect{fill:var(--mc-accent)}",
      ".mc-zone[data-highlight=step] text{fill:var(--mc-on-accent)}",
      ".mc-outline{fill:none;stroke:#4a5563;stroke-width:1.5}",
      ".mc-no-press{fill:#b3261e;fill-opacity:.85;stroke:#7a1a12}",
      ".mc-kidney{fill-opacity:.35;stroke-dasharray:3 2}",
      ".mc-legend{display:flex;flex-direction:column;gap:4px;font-size:12px;color:#1f2933}",
      ".mc-key::before{content:'';display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border-radius:2px}",
      ".mc-key--step::before{background:var(--mc-accent)}.mc-key--covered::before{background:#b9d3e6}.mc-key--no-press::before{background:#b3261e}",
      ".mc-typing{padding:0 14px 6px;color:#4a5563;background:#f6f7f9}",
      ".mc-typing[hidden]{display:none}",
      ".mc-dots{letter-spacing:3px;animation:mc-blink 1s infinite}",
      "@keyframes mc-blink{50%{opacity:.3}}",
      ".mc-form{display:flex;gap:6px;padding:8px;border-top:1px solid #d5d9de;background:#fff}",
      ".mc-input{flex:1;min-width:0;font:inherit;font-size:16px;padding:8px 10px;border:1px solid #6b7580;border-radius:8px;color:#1a1a1a}",
      ".mc-icon-button{width:44px;height:44px;border-radius:8px;border:0;background:var(--mc-accent);color:var(--mc-on-accent);display:grid;place-items:center;cursor:pointer;flex:none}",
      ".mc-icon-button[hidden]{display:none}",
      ".mc-mic[aria-pressed=true]{background:#b3261e;color:#fff}",
      ".mc-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
      "@media (prefers-reduced-motion:reduce){.mc-dots{animation:none}}"
    ].join("\n");
  }

  // ------------------------------------------------------------------ start
  readAloudButton.setAttribute("aria-pressed", String(state.readAloud));
  showHistory();
  (document.body || document.documentElement).appendChild(host);
  setOpen(state.open, false);
  window.addEventListener("online", connect); // back from a tunnel or flight mode: don't wait for the backoff
  connect();
})();
