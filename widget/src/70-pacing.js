  // ------------------------------------------------------------------ step clock
  // The assistant owns pacing (a step's `pacing`); the live step card only follows it: it counts
  // down `advance_after_s`, shows (and, reading aloud, says) `heads_up` `heads_up_before_s` before
  // the end, and at zero asks for `/next_step{"timer_step": N}`. The assistant ignores a request
  // for a step the user has left. Pause keeps the time left for the same step's "Continuing" card.
  // The live step's clock is also kept in the browser ({routine, step, endsAt} or, paused, leftMs),
  // so that after a reload it runs on with the time that was left (`resumeClock`).
  var pausedClock = state.clock && state.clock.paused ? state.clock : null; // while the routine is paused
  // A step whose time ran out longer ago than this while the page was away (closed, not reloaded)
  // waits for the user on "Time's up" instead of moving on at once.
  var RELOAD_GRACE_MS = 30000;

  function stepClock(payload, timer, headsUp, leftAfterReload) {
    var pacing = payload.pacing || {advance_after_s: payload.duration_s, heads_up_before_s: 0, heads_up: ""};
    var resumed = pausedClock && pausedClock.routine === payload.routine && pausedClock.step === payload.step;
    var leftMs = leftAfterReload !== undefined ? leftAfterReload
      : resumed ? pausedClock.leftMs : pacing.advance_after_s * 1000;
    var headsUpMs = pacing.heads_up_before_s * 1000;
    var warned = leftAfterReload !== undefined && leftMs <= headsUpMs; // said before the reload
    var last = Date.now();
    pausedClock = null;
    keepClock({routine: payload.routine, step: payload.step, endsAt: last + leftMs / options.paceScale});

    function tick() {
      var now = Date.now();
      leftMs -= (now - last) * options.paceScale;
      last = now;
      var seconds = Math.max(0, Math.ceil(leftMs / 1000));
      timer.textContent = seconds > 0 ? minutes(seconds) + " left" : "Next step\u2026";
      if (!warned && headsUpMs && pacing.heads_up && leftMs <= headsUpMs) {
        warned = true;
        headsUp.textContent = pacing.heads_up;
        headsUp.hidden = false;
        if (state.readAloud) speak(pacing.heads_up);
      }
      if (leftMs <= 0) {
        stop();
        if (!send('/next_step{"timer_step":' + payload.step + "}", null, true)) timer.textContent = "Time's up";
      }
    }

    function stop() {
      clearInterval(interval);
      return leftMs;
    }

    var interval = setInterval(tick, Math.max(50, Math.min(1000, 1000 / options.paceScale)));
    tick();
    return {stop: stop};
  }

  // The assistant paused the routine: keep the live step's time left for when it continues.
  function pauseClock(payload) {
    if (liveStep && liveStep.clock && liveStep.step === payload.step) {
      pausedClock = {routine: liveStep.routine, step: liveStep.step, leftMs: liveStep.clock.stop(), paused: true};
      keepClock(pausedClock);
    }
  }

  function keepClock(clock) {
    state.clock = clock;
    saveState();
  }

  // After a reload: the newest step card (its history entry is not live) runs on with the time left.
  function resumeClock() {
    var kept = state.clock;
    if (!liveStep || liveStep.clock || !kept || kept.paused || kept.routine !== liveStep.routine ||
        kept.step !== liveStep.step) return;
    var leftMs = (kept.endsAt - Date.now()) * options.paceScale;
    var timer = liveStep.node.querySelector(".mc-timer");
    if (kept.endsAt < Date.now() - RELOAD_GRACE_MS) {
      timer.textContent = "Time's up";
      return;
    }
    liveStep.clock = stepClock(liveStep.payload, timer, liveStep.node.querySelector(".mc-heads-up"), Math.max(0, leftMs));
  }
