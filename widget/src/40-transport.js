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
