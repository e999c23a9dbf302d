/*! Massage Coach website widget. Add it to a page with one tag:
 *    <script src="https://HOST:8080/widget.js" data-server="https://HOST:5005" defer></script>
 *  Options are data attributes (see the README). No build step, no dependencies: it speaks
 *  Socket.IO v5 over Engine.IO v4 on a WebSocket to Rasa's socket.io channel and renders
 *  the typed payloads of docs/payloads.md. Every user and bot text goes in as text, never HTML.
 *  Built from widget/src/*.js, joined in file-name order (`make widget`): edit those, not widget.js.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.MassageCoachWidget) return;
  window.MassageCoachWidget = true;

  var SVG = "http://www.w3.org/2000/svg";
  var HISTORY_LIMIT = 200;
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
    readAloud: data.readAloud === "true",
    // Step clock speed: 1 is real time; tests and demos pass e.g. 20 to watch a routine pace itself.
    paceScale: Number(data.paceScale) > 0 ? Number(data.paceScale) : 1,
    // Hands-free audio goes to the site's own server only (massage_coach/server/audio_stream.py).
    audioServer: data.audioServer || defaultAudioServer(),
    // Who says the answers in hands-free mode: the server's TTS (the same voice everywhere) or the browser.
    speech: data.speech === "browser" ? "browser" : "server"
  };

  function defaultServer() {
    var url = new URL(script.src, location.href);
    url.port = "5005";
    return url.origin;
  }

  function defaultAudioServer() {
    var url = new URL(script.src, location.href);
    url.port = "8081";
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.origin + "/audio";
  }

  function cssColor(value, fallback) {
    return value && window.CSS && CSS.supports("color", value) ? value : fallback;
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

  function minutes(seconds) {
    var s = Math.max(0, seconds);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
