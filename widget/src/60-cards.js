  // ------------------------------------------------------------------ rendering
  // Cards show what the payload says: display names from `names`, headings from `label` and
  // `rule_label` (docs/payloads.md); the widget adds only its own chrome.
  var liveStep = null; // the newest step card: the only one whose controls and clock run

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
      noteQuestion(message); // history too: after a reload the recogniser still knows where the user is
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

  // The display name the payload gives an id (an id without one is shown as it is).
  function namer(payload) {
    var names = payload.names && typeof payload.names === "object" ? payload.names : {};
    return function (id) { return typeof names[id] === "string" ? names[id] : String(id); };
  }

  function list(items, format) {
    var node = el("ul", "mc-list");
    (items || []).forEach(function (item) { node.appendChild(el("li", null, format(item))); });
    return node;
  }

  function renderCard(payload, live) {
    var type = payload.type;
    var name = namer(payload);
    var node;
    if (type === "safety" || type === "emergency") {
      var verdict = type === "emergency" ? "emergency" : payload.verdict;
      node = card("safety", payload.label);
      node.classList.add("mc-verdict--" + verdict);
      node.setAttribute("data-verdict", verdict);
      if (payload.conditions && payload.conditions.length) node.appendChild(list(payload.conditions, name));
      // Past conditions and medical words no condition names are never cleared: shown, not listed as present.
      [["past", "In the past: "], ["heard", "Also mentioned: "], ["negated", "Ruled out: "]].forEach(function (line) {
        var ids = payload[line[0]];
        if (ids && ids.length) node.appendChild(el("p", null, line[1] + ids.map(name).join(", ")));
      });
    } else if (type === "triage") {
      // Back pain: the answers are the quick replies under the question's text.
      node = card("safety", "One question first");
      node.classList.add("mc-verdict--caution");
    } else if (type === "triage_outcome") {
      node = card("safety", payload.label);
      node.classList.add("mc-verdict--" + payload.verdict);
      node.setAttribute("data-verdict", payload.verdict);
      if (payload.red_flags.length) node.appendChild(list(payload.red_flags, name));
      if (payload.avoid && payload.avoid.length) {
        node.appendChild(el("p", null, "Stay off: " + payload.avoid.map(name).join(", ")));
      }
    } else if (type === "contraindications") {
      node = card("safety", "When not to massage");
      node.classList.add("mc-verdict--stop");
      node.append(list(payload.conditions, name), el("p", "mc-card-title", "Only with a professional and a physician"),
                  list(payload.caution, name));
    } else if (type === "screening") {
      node = card("safety", "Before you start, check for");
      node.classList.add("mc-verdict--caution");
      node.appendChild(list(payload.conditions, name));
    } else if (type === "confirmation") {
      node = card("safety", "For professionals only");
      node.classList.add("mc-verdict--caution");
    } else if (type === "technique") {
      node = card("info", "Technique: " + payload.name);
    } else if (type === "zone") {
      node = card("info", payload.name);
      node.appendChild(zoneList([payload.zone], name, function () { return "step"; }));
    } else if (type === "zones") {
      node = card("info", "The zones of the back");
      node.appendChild(backDiagram(payload.zones || [], name));
    } else if (type === "anatomy") {
      node = card("info", "Where to press");
      node.appendChild(list(payload.parts, function (part) { return name(part.id) + ": " + part.rule_label; }));
    } else if (type === "techniques") {
      node = card("info", "Techniques");
      node.appendChild(list(payload.techniques, name));
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
      node.appendChild(list(payload.items, name));
    } else if (type === "step") {
      node = stepCard(payload, live);
    } else if (type === "paused") {
      pauseClock(payload);
      node = card("info", "Paused at step " + payload.step);
      if (live) node.appendChild(controls([["Continue", "/resume_routine"], ["Stop", "/stop_routine"]]));
      retireStep();
    } else if (type === "progress") {
      node = card("info", "Step " + payload.step + " of " + payload.total);
      node.append(progressBar(payload.step, payload.total),
                  el("p", null, payload.steps_left + " steps left, about " + Math.ceil(payload.seconds_left / 60) + " min"));
    } else if (type === "routine_done" || type === "routine_stopped") {
      node = card("info", name(payload.routine) + (type === "routine_done" ? ": complete" : ": stopped"));
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

  var STEP_CONTROLS = [["Back", "/previous_step"], ["Repeat", "/repeat_step"], ["Next", "/next_step"],
                       ["Pause", "/pause_routine"], ["Stop", "/stop_routine"]];

  function stepCard(payload, live) {
    // The card carries the instruction, so the turn's text bubble would only repeat it.
    var previous = log.lastElementChild;
    if (previous && previous.classList.contains("mc-msg--bot")) previous.hidden = true;
    retireStep();
    var name = namer(payload);
    var node = card("step", "Step " + payload.step + " of " + payload.total);
    node.setAttribute("data-step", String(payload.step));
    var timer = el("span", "mc-timer", minutes(payload.duration_s));
    timer.setAttribute("aria-live", "off");
    node.firstChild.appendChild(timer);
    var headsUp = el("p", "mc-heads-up");
    headsUp.hidden = true;
    if (payload.lead) node.appendChild(el("p", "mc-lead", payload.lead));
    var zones = payload.zones && payload.zones.length ? payload.zones : [payload.zone];
    node.append(progressBar(payload.step, payload.total),
                el("p", "mc-instruction", payload.instruction || payload.speech),
                el("p", "mc-meta", (payload.techniques || [payload.technique]).map(name).join(", ") +
                                   " \u00b7 about " + Math.round(payload.duration_s / 60) + " min"),
                headsUp,
                zoneList(zones, name, function (zone) { return zone === payload.zone ? "step" : "covered"; }));
    node.appendChild(controls(STEP_CONTROLS));
    var clock = live ? stepClock(payload, timer, headsUp) : null;
    liveStep = {node: node, step: payload.step, routine: payload.routine, clock: clock, payload: payload};
    return node;
  }

  var focusAfterAnswer = "";

  // Buttons that send a typed request (`/next_step`); the user's bubble shows the label.
  function controls(commands) {
    var row = el("div", "mc-controls");
    commands.forEach(function (pair) {
      var control = button(pair[0], function () {
        if (!send(pair[1], pair[0])) return;
        focusAfterAnswer = pair[0];
        input.focus();
      }, "mc-button mc-control");
      control.setAttribute("data-command", pair[1].slice(1));
      row.appendChild(control);
    });
    return row;
  }

  // Only the newest step card is live: older ones keep their content, lose their controls and clock.
  function retireStep() {
    if (!liveStep) return;
    if (liveStep.clock) liveStep.clock.stop();
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

  // The zones a payload names, numbered in its order: for a step, the order they are worked in.
  function zoneList(zones, name, highlightOf) {
    var path = el("ol", "mc-zones");
    zones.forEach(function (zone, index) {
      var item = el("li", "mc-zone mc-zone--" + highlightOf(zone));
      item.setAttribute("data-zone", zone);
      item.setAttribute("data-highlight", highlightOf(zone));
      item.append(el("span", "mc-swatch", String(index + 1)), el("span", null, name(zone)));
      path.appendChild(item);
    });
    return path;
  }

  // The whole back (a `zones` payload names them from the neck down): a band per zone, numbered
  // as in the list beside it, the spine and the kidneys (at the waist, in the lowest zone) marked.
  var diagramCount = 0;
  function backDiagram(zones, name) {
    var figure = el("figure", "mc-diagram");
    var clipId = "mc-torso-" + (++diagramCount);
    var drawing = svg("svg", {viewBox: "0 0 200 214", "aria-hidden": "true", focusable: "false"});
    var torso = "M80 6H120V28Q125 38 160 42Q183 46 180 66L166 128Q160 142 165 160L169 208H31L35 160Q40 142 34 128" +
                "L20 66Q17 46 40 42Q75 38 80 28Z";
    var clip = svg("clipPath", {id: clipId}, svg("defs", {}, drawing));
    svg("path", {d: torso}, clip);
    var band = 208 / Math.max(1, zones.length);
    zones.forEach(function (zone, index) {
      var group = svg("g", {"class": "mc-band", "data-zone": zone}, drawing);
      svg("rect", {x: 0, y: index * band, width: 200, height: band, "clip-path": "url(#" + clipId + ")"}, group);
      svg("text", {x: 52, y: index * band + band / 2 + 9, "text-anchor": "middle"}, group).textContent = String(index + 1);
    });
    svg("path", {d: torso, "class": "mc-outline"}, drawing);
    svg("rect", {x: 96, y: 10, width: 8, height: 196, rx: 4, "class": "mc-no-press"}, drawing);
    var kidneyY = (zones.length - 1) * band + band * 0.3;
    [74, 126].forEach(function (x) {
      svg("circle", {cx: x, cy: kidneyY, r: 12, "class": "mc-no-press"}, drawing);
      svg("path", {d: "M" + (x - 6) + " " + (kidneyY - 6) + "l12 12m0 -12l-12 12", "class": "mc-cross"}, drawing);
    });
    var caption = el("figcaption", "mc-caption");
    caption.append(zoneList(zones, name, function () { return "none"; }),
                   el("p", "mc-no-press-key", "Spine, kidneys: don't press"));
    figure.append(drawing, caption);
    return figure;
  }
