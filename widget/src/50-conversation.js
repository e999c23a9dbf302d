  // ------------------------------------------------------------------ conversation
  var pendingBubble = null;
  var pendingText = "";
  var queued = ""; // typed while offline: sent once the connection is back, if still in the box
  var lastSentAt = 0;
  var typingTimer = 0;

  // Sends a message or typed request; `shownAs` is the user's bubble for a request, `quiet` sends
  // without one (the step clock). False when it could not be sent now.
  function send(text, shownAs, quiet) {
    text = String(text || "").trim();
    if (!text) return false;
    if (!ready) {
      if (!shownAs && !quiet) queued = text;
      setStatus(serverDown() ? unreachable() : "Connecting\u2026", serverDown());
      connect();
      return false;
    }
    emit("user_uttered", {message: text, session_id: state.sessionId});
    lastSentAt = Date.now();
    cancelSpeech();
    if (!quiet) {
      record({from: "user", text: shownAs || text});
      pendingBubble = log.lastElementChild;
      pendingText = shownAs ? "" : text;
    }
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

  function receive(message, said) {
    // Every open tab of this conversation gets the bot's messages: the tab that asked records
    // them, the others show them when storage changes.
    if (Date.now() - lastSentAt > 60000) return;
    pendingBubble = null;
    typing.hidden = true;
    if (!said) queueSpeech(message || {}); // first: a hands-free user waits for the voice, not for the history or the card
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
    resumeClock();
  }

  function joinSession() {
    sendWhereUserIs(); // hands-free: the new conversation
    if (ready) emit("session_request", {session_id: state.sessionId});
  }

  window.addEventListener("storage", function (event) {
    if (event.key !== storageKey) return;
    var saved = loadState();
    if (saved.sessionId === state.sessionId && JSON.stringify(saved.history) === JSON.stringify(state.history)) return;
    var newSession = saved.sessionId !== state.sessionId;
    state.history = saved.history;
    state.sessionId = saved.sessionId;
    state.clock = saved.clock;
    showHistory();
    if (newSession) joinSession();
  });
