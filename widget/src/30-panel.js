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
  // A chat bubble while closed, a cross while open: it says what pressing it does.
  var bubbleIcon = icon("M4 5h16v11H9l-5 4z");
  var crossIcon = icon("M6 6l12 12M18 6L6 18");
  launcher.append(bubbleIcon, crossIcon);

  var panel = el("div", "mc-panel");
  panel.id = "mc-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "mc-title");
  var header = el("div", "mc-header");
  var title = el("h2", "mc-title", options.title);
  title.id = "mc-title";
  var closeButton = button("\u00d7", function () { setOpen(false); launcher.focus(); }, "mc-header-button mc-close");
  closeButton.setAttribute("aria-label", "Close chat");
  header.append(title, closeButton);
  var toolbar = el("div", "mc-toolbar");
  var readAloudButton = button("Read aloud", toggleReadAloud, "mc-tool");
  var newButton = button("New chat", startOver, "mc-tool");
  toolbar.append(readAloudButton, newButton);
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

  panel.append(header, toolbar, status, log, typing, form);
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
    bubbleIcon.style.display = open ? "none" : "";
    crossIcon.style.display = open ? "" : "none";
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
