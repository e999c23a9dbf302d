  // ------------------------------------------------------------------ speech
  var turnSpeech = {texts: [], spoken: false};
  var speechTimer = 0;
  var ANSWER_GAP_MS = 40; // Rasa emits an answer's messages back to back; each waited ms delays the voice

  // Messages of one answer arrive one by one, back to back. A payload's `speech` is the whole spoken
  // form of the answer (a step's remark included): said at once, not to keep a hands-free user
  // waiting. An answer without one is said from its texts once no more came for ANSWER_GAP_MS.
  function queueSpeech(message) {
    if (!state.readAloud) return;
    if (message.custom && typeof message.custom.speech === "string") {
      speak(message.custom.speech);
      turnSpeech.spoken = true;
    } else if (message.text) {
      turnSpeech.texts.push(message.text);
    }
    clearTimeout(speechTimer);
    speechTimer = setTimeout(function () {
      if (!turnSpeech.spoken) speak(turnSpeech.texts.join(" "));
      turnSpeech = {texts: [], spoken: false};
    }, ANSWER_GAP_MS);
  }

  function speak(text) {
    if (!text || serverSpeech(text) || !window.speechSynthesis) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = options.lang;
    if (handsFree && handsFree.rate) { utterance.rate = handsFree.rate; utterance.volume = handsFree.volume; }
    speechSynthesis.speak(utterance);
  }

  function cancelSpeech() {
    if (window.speechSynthesis) speechSynthesis.cancel();
    quietServerSpeech();
  }

  function toggleReadAloud() {
    setReadAloud(!state.readAloud);
  }

  function setReadAloud(on) {
    state.readAloud = on;
    saveState();
    readAloudButton.setAttribute("aria-pressed", String(on));
    if (!on) cancelSpeech();
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
