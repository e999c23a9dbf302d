  // ------------------------------------------------------------------ step clock
  // The assistant owns pacing (a step's `pacing`); the live step card only follows it: it counts
  // down `advance_after_s`, shows (and, reading aloud, says) `heads_up` `heads_up_before_s` before
  // the end, and at zero asks for `/next_step{"timer_step": N}`. The assistant ignores a request
  // for a step the user has left. Pause keeps the time left for the same step's "Continuing" card.
  var pausedClock = null; // {routine, step, leftMs} while the routine is paused

  function stepClock(payload, timer, headsUp) {
    var pacing = payload.pacing || {advance_after_s: payload.duration_s, heads_up_before_s: 0, heads_up: ""};
    var resumed = pausedClock && pausedClock.routine === payload.routine && pausedClock.step === payload.step;
    var leftMs = resumed ? pausedClock.leftMs : pacing.advance_after_s * 1000;
    var headsUpMs = pacing.heads_up_before_s * 1000;
    var warned = false;
    var last = Date.now();
    pausedClock = null;

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
      pausedClock = {routine: liveStep.routine, step: liveStep.step, leftMs: liveStep.clock.stop()};
    }
  }
