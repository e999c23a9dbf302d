  // ------------------------------------------------------------------ hands-free
  // The "Hands-free" switch. On: the microphone (asked for only now) streams as 16 kHz PCM from an
  // AudioWorklet to the site's own server (data-audio-server), which recognises commands offline
  // and answers with typed requests that go into this conversation like a pressed button. Answers
  // are read aloud (by the server's TTS over the same socket, or the browser: data-speech) and stop
  // as soon as the server hears speech begin (barge-in); the step clock paces the routine, the
  // screen stays awake and the step card grows readable at arm's length. Off (or on any failure):
  // everything is released. The worklet sends 20 ms at a time, so a turn's end is heard soon.
  var WORKLET = "class P extends AudioWorkletProcessor{constructor(){super();this.step=sampleRate/16000;" +
    "this.edge=this.step;this.t=0;this.sum=0;this.n=0;this.out=new Int16Array(320);this.k=0}" +
    "process(inputs){var c=inputs[0]&&inputs[0][0];if(!c)return true;for(var i=0;i<c.length;i++){" +
    "this.sum+=c[i];this.n++;this.t++;if(this.t>=this.edge){this.edge+=this.step;" +
    "var v=Math.round(this.sum/this.n*32767);this.sum=0;this.n=0;" +
    "this.out[this.k++]=v>32767?32767:v<-32768?-32768:v;if(this.k===320){" +
    "this.port.postMessage(this.out.buffer,[this.out.buffer]);this.out=new Int16Array(320);this.k=0}}}" +
    "return true}}registerProcessor('mc-pcm16k',P);";
  // What a recognised request shows as the user's bubble.
  var SPOKEN_LABELS = {"/affirm": "Yes", "/deny": "No", "/routine_progress": "How long is left?"};
  STEP_CONTROLS.concat([["Continue", "/resume_routine"]]).forEach(function (pair) { SPOKEN_LABELS[pair[1]] = pair[0]; });

  var handsFree = null; // {stream, audio, socket, wakeLock, readAloudBefore, playing, playUntil, quietThrough} while on
  var handsFreeButton = button("Hands-free", toggleHandsFree, "mc-tool");
  handsFreeButton.setAttribute("aria-pressed", "false");
  var listening = el("span", "mc-listening", "Listening");
  listening.hidden = true;
  toolbar.insertBefore(handsFreeButton, newButton);
  toolbar.insertBefore(listening, newButton);
  handsFreeButton.hidden = !(navigator.mediaDevices && window.AudioWorkletNode && window.isSecureContext);

  function toggleHandsFree() {
    if (handsFree) stopHandsFree("");
    else startHandsFree();
  }

  function startHandsFree() {
    var session = handsFree = {readAloudBefore: state.readAloud, playing: [], playUntil: 0, quietThrough: speechIds};
    // Made during the click: Firefox and Safari keep audio made later (after the permission prompt) suspended.
    session.audio = new AudioContext();
    setHandsFreeLook(true);
    navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: true, noiseSuppression: true}})
      .then(function (stream) {
        session.stream = stream;
        if (handsFree !== session) throw new Error("switched off");
        var url = URL.createObjectURL(new Blob([WORKLET], {type: "application/javascript"}));
        return session.audio.audioWorklet.addModule(url).then(function () {
          if (handsFree !== session) throw new Error("switched off");
          var worklet = new AudioWorkletNode(session.audio, "mc-pcm16k");
          var mute = session.audio.createGain();
          mute.gain.value = 0; // processed, never heard
          session.audio.createMediaStreamSource(stream).connect(worklet).connect(mute).connect(session.audio.destination);
          openAudioSocket(session, worklet);
        });
      })
      .catch(function (error) {
        if (handsFree !== session) return;
        stopHandsFree(error && error.name === "NotAllowedError" ? "The microphone is blocked for this page."
                                                                   : "Hands-free could not start here.");
      });
  }

  function openAudioSocket(session, worklet) {
    var ws = session.socket = new WebSocket(options.audioServer);
    ws.binaryType = "arraybuffer";
    ws.onopen = function () {
      listening.hidden = false;
      sendWhereUserIs();
      worklet.port.onmessage = function (event) { if (ws.readyState === 1) ws.send(event.data); };
    };
    ws.onmessage = function (event) {
      if (event.data instanceof ArrayBuffer) return play(session, event.data);
      var heard;
      try { heard = JSON.parse(event.data); } catch (error) { return; }
      if (!heard) return;
      if (heard.voice) cancelSpeech(); // the user speaks: the widget falls silent at once
      if (typeof heard.setting === "string") changeSpeech(session, heard);
      if (typeof heard.confirm === "string" && heard.confirm.charAt(0) === "/") askFirst(heard);
      if (typeof heard.request === "string" && heard.request.charAt(0) === "/") {
        var label = SPOKEN_LABELS[heard.request.split("{")[0]] || String(heard.heard || heard.request);
        if (Array.isArray(heard.answer)) answered(label, heard.answer);
        else if (pendingConfirm && (heard.request === "/affirm" || heard.request === "/deny")) answerConfirm(heard.request === "/affirm");
        else send(heard.request, label);
      }
    };
    ws.onclose = function (event) {
      if (handsFree === session) stopHandsFree("Hands-free stopped: " + (event.reason || "the voice server is not reachable."));
    };
  }

  // The server sent the request to Rasa itself and is already saying the answer: shown, not said again.
  function answered(label, messages) {
    lastSentAt = Date.now();
    record({from: "user", text: label});
    messages.forEach(function (message) { if (message && typeof message === "object") receive(message, true); });
  }

  // "Slower", "louder" ...: the server changed its own voice for this stream and says so; the browser's
  // voice (data-speech="browser") takes the new rate and volume it sends.
  function changeSpeech(session, heard) {
    session.rate = +heard.rate || 1;
    session.volume = heard.volume >= 0 ? +heard.volume : 1;
    var said = String(heard.say || "");
    log.appendChild(el("p", "mc-msg mc-msg--bot", said));
    log.scrollTop = log.scrollHeight;
    speak(said);
  }

  // Server-rendered speech: each answer's `speech` goes up as {say, id}; its sentences come back as
  // binary messages (uint32 id, uint32 sample rate, 16-bit PCM) and play one after another.
  var speechIds = 0;
  function serverSpeech(text) {
    var session = handsFree;
    if (options.speech !== "server" || !session || !session.socket || session.socket.readyState !== 1) return false;
    session.socket.send(JSON.stringify({say: text, id: ++speechIds}));
    return true;
  }

  function play(session, data) {
    if (data.byteLength < 10) return;
    var header = new DataView(data, 0, 8), id = header.getUint32(0, true);
    speechIds = Math.max(speechIds, id); // the server's own answers count too: a later "quiet" stops them
    if (id <= session.quietThrough || !state.readAloud) return;
    var pcm = new Int16Array(data, 8, (data.byteLength - 8) >> 1);
    var buffer = session.audio.createBuffer(1, pcm.length, header.getUint32(4, true));
    var samples = buffer.getChannelData(0);
    for (var i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
    var source = session.audio.createBufferSource();
    source.buffer = buffer;
    source.connect(session.audio.destination);
    var at = Math.max(session.audio.currentTime, session.playUntil);
    source.start(at);
    session.playUntil = at + buffer.duration;
    session.playing.push(source);
    source.onended = function () { // also after a stop, when it is no longer in the list
      var index = session.playing.indexOf(source);
      if (index >= 0) session.playing.splice(index, 1);
    };
  }

  function quietServerSpeech() {
    var session = handsFree;
    if (!session || !session.playing) return;
    session.quietThrough = speechIds;
    session.playing.splice(0).forEach(function (source) { source.stop(); });
    session.playUntil = 0;
    if (session.socket && session.socket.readyState === 1) session.socket.send(JSON.stringify({quiet: true}));
  }

  function stopHandsFree(problem) {
    var session = handsFree;
    if (!session) return;
    handsFree = null;
    if (session.socket) { session.socket.onclose = null; session.socket.close(); }
    if (session.stream) session.stream.getTracks().forEach(function (track) { track.stop(); });
    if (session.audio) session.audio.close();
    if (session.wakeLock) session.wakeLock.release().catch(function () {});
    setReadAloud(session.readAloudBefore);
    setHandsFreeLook(false);
    if (problem) setStatus(problem, true);
  }

  function setHandsFreeLook(on) {
    handsFreeButton.setAttribute("aria-pressed", String(on));
    frame.classList.toggle("mc--hands-free", on);
    if (!on) listening.hidden = true;
    if (on) setReadAloud(true);
    if (on) keepAwake();
  }

  // The screen stays on while hands-free (browsers drop the lock when the page is hidden).
  function keepAwake() {
    var session = handsFree;
    if (!session || !navigator.wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) {
      if (handsFree === session) session.wakeLock = lock;
      else lock.release();
    }).catch(function () { /* not allowed here: the screen may dim */ });
  }
  document.addEventListener("visibilitychange", keepAwake);

  // What the recogniser listens for follows where the user is: navigation and mid-routine questions
  // while a routine runs (its step: is a jump far?), yes/no only while a question waits for one.
  var questionOpen = false;
  var routineStep = null;
  var ROUTINE_ENDS = ["routine_done", "routine_stopped", "screening", "confirmation", "emergency"];
  function noteQuestion(message) {
    var custom = message.custom;
    if (!custom || typeof custom !== "object" || custom.type === "unchanged") return;
    questionOpen = !!custom.expects;
    if (custom.type === "step" || custom.type === "paused") routineStep = custom.step;
    if (ROUTINE_ENDS.indexOf(custom.type) >= 0 || (custom.type === "safety" && custom.verdict !== "ok")) routineStep = null;
    pendingConfirm = null;
    sendWhereUserIs();
  }

  function sendWhereUserIs() {
    var socket = handsFree && handsFree.socket;
    if (socket && socket.readyState === 1) {
      // With server speech the server sends recognised requests into this conversation itself.
      socket.send(JSON.stringify({step: routineStep, question_open: questionOpen || !!pendingConfirm,
                                  session: options.speech === "server" ? state.sessionId : null}));
    }
  }

  // A spoken command that would lose the user's place, not heard surely ("go to step 9" at step 2):
  // asked first, answered by voice or with the buttons.
  var pendingConfirm = null;
  function askFirst(heard) {
    pendingConfirm = heard.confirm;
    var question = String(heard.question || "Did you say that?");
    log.appendChild(el("p", "mc-msg mc-msg--bot", question));
    var replies = el("div", "mc-replies");
    replies.append(button("Yes", function () { answerConfirm(true); }, "mc-button mc-reply"),
                   button("No", function () { answerConfirm(false); }, "mc-button mc-reply"));
    log.appendChild(replies);
    log.scrollTop = log.scrollHeight;
    speak(question);
    sendWhereUserIs();
  }

  function answerConfirm(yes) {
    var asked = pendingConfirm;
    if (!asked) return;
    pendingConfirm = null;
    removeAll(".mc-replies");
    if (yes) send(asked, "Yes");
    else { log.appendChild(el("p", "mc-msg mc-msg--bot", "Okay, I won't.")); speak("Okay, I won't."); }
    sendWhereUserIs();
  }
