  // ------------------------------------------------------------------ speech
  var turnSpeech = {texts: [], speech: ""};
  var speechTimer = 0;

  // Messages of one answer arrive one by one; speak the answer once, preferring its `speech`.
  function queueSpeech(message) {
    if (!state.readAloud || !window.speechSynthesis) return;
    if (message.text) turnSpeech.texts.push(message.text);
    if (message.custom && typeof message.custom.speech === "string") {
      turnSpeech.speech = message.custom.speech; // the whole spoken form, a step's remark included
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
