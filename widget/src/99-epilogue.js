  // ------------------------------------------------------------------ start
  readAloudButton.setAttribute("aria-pressed", String(state.readAloud));
  showHistory();
  (document.body || document.documentElement).appendChild(host);
  setOpen(state.open, false);
  window.addEventListener("online", connect); // back from a tunnel or flight mode: don't wait for the backoff
  connect();
})();
