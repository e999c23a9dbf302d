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
      draft: typeof saved.draft === "string" ? saved.draft : "",
      clock: saved.clock && typeof saved.clock === "object" ? saved.clock : null // the live step's, for a reload
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
