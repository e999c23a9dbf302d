// The widget in Firefox (Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi), for
// tests/e2e/test_widget.py: it does what a user does and prints what it saw as JSON; the test
// asserts on it. Firefox's microphone and speaker are PulseAudio's (PULSE_SERVER: the test's
// private daemon); once hands-free listens, COMMAND_WAV is played into the microphone.
//
//   node tests/e2e/firefox_widget.mjs PAGE_URL AXE_JS SCREENSHOT_PNG COMMAND_WAV
import {execFile} from "node:child_process";
import {promisify} from "node:util";
import puppeteer from "puppeteer-core";

const [pageUrl, axePath, screenshotPath, commandWav] = process.argv.slice(2);
const TIMEOUT_MS = 20000;

const browser = await puppeteer.launch({
  browser: "firefox", executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr", headless: true,
  extraPrefsFirefox: {"media.navigator.permission.disabled": true}, // the microphone is granted without a prompt
});
const seen = {};
try {
  const page = await browser.newPage();
  await page.setViewport({width: 1000, height: 900});
  await page.evaluateOnNewDocument(() => {
    // What the page sends to the audio server: 20 ms chunks of PCM and its JSON messages.
    window.audioChunks = 0; window.audioMessages = [];
    window.audioContexts = [];
    const Context = window.AudioContext;
    window.AudioContext = function (...args) { const c = new Context(...args); window.audioContexts.push(c); return c; };
    window.played = 0; // reply audio buffers started (server-rendered speech)
    const start = AudioBufferSourceNode.prototype.start;
    AudioBufferSourceNode.prototype.start = function () { window.played += 1; return start.apply(this, arguments); };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (data instanceof ArrayBuffer) window.audioChunks += 1;
      else if (String(data).charAt(0) === "{") window.audioMessages.push(String(data));
      return send.apply(this, arguments);
    };
  });
  await page.goto(pageUrl);
  const inWidget = (body, ...args) => page.waitForFunction(
    new Function("...args", `const root = document.querySelector("#massage-coach-widget")?.shadowRoot;
                              if (!root) return false; ${body}`), {timeout: TIMEOUT_MS, polling: 100}, ...args);
  // A real click (a user activation: Firefox lets audio start only after one).
  const click = async (label) => (await inWidget(`return [...root.querySelectorAll("button")].reverse()
      .find(b => b.textContent.trim() === args[0] && !b.disabled);`, label)).click();

  const say = async (text) => {
    const box = await page.waitForSelector("pierce/#mc-input", {timeout: TIMEOUT_MS});
    await box.type(text);
    await box.press("Enter");
  };
  await say("what is kneading?");
  seen.chatAnswer = await (await inWidget(`const card = root.querySelector(".mc-card--info");
      return card && card.textContent;`)).jsonValue();

  await say("start the relaxing massage");
  await click("No, none of them");
  await inWidget(`const cards = root.querySelectorAll(".mc-card--step"); return cards.length &&
      cards[cards.length - 1].getAttribute("data-step") === "1";`);
  seen.listeningBefore = await page.evaluate(() =>
    !document.querySelector("#massage-coach-widget").shadowRoot.querySelector(".mc-listening").hidden);

  await click("Hands-free");
  await inWidget(`return !root.querySelector(".mc-listening").hidden;`);
  await page.waitForFunction(() => window.audioChunks > 25, {timeout: TIMEOUT_MS}); // half a second streamed
  Object.assign(seen, await page.evaluate(() => {
    const root = document.querySelector("#massage-coach-widget").shadowRoot;
    const step = [...root.querySelectorAll(".mc-card--step")].pop();
    const size = (name) => {
      const b = [...step.querySelectorAll("button")].find((b) => b.textContent.trim() === name);
      const box = b.getBoundingClientRect();
      return [box.width, box.height];
    };
    return {
      userAgent: navigator.userAgent,
      listening: !root.querySelector(".mc-listening").hidden,
      handsFreePressed: [...root.querySelectorAll("button")].find((b) => b.textContent === "Hands-free")
        .getAttribute("aria-pressed"),
      audioChunks: window.audioChunks, audioMessages: window.audioMessages,
      instructionPx: parseFloat(getComputedStyle(step.querySelector(".mc-instruction")).fontSize),
      targets: {Back: size("Back"), Next: size("Next"), Pause: size("Pause")},
    };
  }));
  // A spoken command, into the microphone: recognised on the server, it moves the routine on.
  await promisify(execFile)("paplay", ["--device=room", commandWav]);
  await inWidget(`const cards = root.querySelectorAll(".mc-card--step"); return cards.length &&
      cards[cards.length - 1].getAttribute("data-step") === "2";`);
  seen.bubbles = await page.evaluate(() => [...document.querySelector("#massage-coach-widget").shadowRoot
    .querySelectorAll(".mc-msg--user")].map((b) => b.textContent));
  await page.waitForFunction(() => window.played > 0, {timeout: TIMEOUT_MS}); // its speech, from the server
  seen.audioState = await page.evaluate(() => window.audioContexts.map((c) => c.state));
  await page.addScriptTag({path: axePath});
  seen.axe = await page.evaluate(async () => {
    const result = await axe.run({include: [["#massage-coach-widget"]]}, {
      resultTypes: ["violations"], rules: {"label-content-name-mismatch": {enabled: true}}});
    return result.violations.filter((v) => ["serious", "critical"].includes(v.impact))
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
  });
  await page.screenshot({path: screenshotPath});
  await click("Hands-free");
  await page.waitForFunction(() => new Promise((resolve) => setTimeout(resolve, 500, true))); // let it switch off
  seen.listeningAfterOff = await page.evaluate(() =>
    !document.querySelector("#massage-coach-widget").shadowRoot.querySelector(".mc-listening").hidden);
} catch (error) {
  seen.error = String(error && error.stack || error);
  seen.pageState = await (await browser.pages()).pop().evaluate(() => ({
    chunks: window.audioChunks, messages: window.audioMessages,
    contexts: window.audioContexts.map((c) => [c.state, c.sampleRate]),
    status: document.querySelector("#massage-coach-widget")?.shadowRoot.querySelector(".mc-status")?.textContent,
  })).catch(String);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
