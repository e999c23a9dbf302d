"""The website widget in a real browser (Debian's Chromium, headless) against the real servers.

Each test opens the demo page served by massage_coach.server.widget_host, talks to the
session's Rasa server over socket.io, and writes a screenshot to tests/artifacts/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from massage_coach.domain.content import load_content
from massage_coach.domain.wording import HEADS_UP, RULE_LABELS, VERDICT_LABELS
from massage_coach.server.widget_host import start_widget_server
from massage_coach.settings import PROJECT_DIR
from tests.e2e.test_voice_live import sound_device  # noqa: F401 - a fixture: PulseAudio for Firefox
from tests.support.assistant import PARTNER_SITE_PORT, WIDGET_PORT, free_port
from tests.support.hands_free import microphone_file, spoken

CHROMIUM = Path("/usr/bin/chromium")
# A second engine: firefox-esr driven by puppeteer-core over WebDriver BiDi (firefox_widget.mjs).
FIREFOX = Path("/usr/bin/firefox-esr")
FIREFOX_DRIVER = Path(__file__).with_name("firefox_widget.mjs")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ANSWER_TIMEOUT_MS = 15000
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"  # `make test` runs npm ci
CONTENT = load_content()


@pytest.fixture(scope="session")
def widget_url(servers) -> Iterator[str]:
    server = start_widget_server(WIDGET_PORT, servers.base_url)
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make setup` installs it (system-packages.txt)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, widget_url) -> Iterator[Page]:
    """The demo page in a fresh profile (empty localStorage), chat opened and connected."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"the page opened a dialog: {dialog.message}"))
    page.goto(widget_url)
    page.get_by_role("button", name="Open Massage Coach chat").click()
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def last_card(page: Page, selector: str):
    card = page.locator(selector).last
    expect(card).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    return card


def start_relaxing_routine(page: Page) -> None:
    say(page, "start the relaxing massage")
    last_card(page, "[aria-label='Before you start, check for']")
    page.get_by_role("button", name="No, none of them").click()
    expect(last_card(page, ".mc-card--step")).to_have_attribute("data-step", "1")


def test_a_contraindication_question_shows_the_stop_card(page):
    say(page, "can I massage my pregnant wife?")
    card = last_card(page, "[data-verdict=stop]")
    expect(card.locator(".mc-card-title")).to_have_text(VERDICT_LABELS["stop"])  # the payload's label
    expect(card).to_contain_text(CONTENT.conditions["pregnancy"]["name"])  # its display name
    expect(page.locator(".mc-msg--bot").last).to_contain_text("Please don't massage")
    expect(page.get_by_role("log")).to_contain_text("can I massage my pregnant wife?")
    screenshot(page, "stop-card")


def test_the_safety_card_lists_what_is_present_and_names_the_past_apart(page):
    say(page, "she had a fever two weeks ago and now she has a rash on her back")
    card = last_card(page, "[data-verdict=stop]")
    expect(card.locator("li")).to_have_text([CONTENT.conditions["skin_disease"]["name"]])
    expect(card).to_contain_text("In the past: " + CONTENT.conditions["fever"]["name"])


def test_a_routine_step_card_with_its_zone_then_a_reload_continues(page):
    start_relaxing_routine(page)
    page.locator(".mc-card--step").last.get_by_role("button", name="Next").click()

    step = last_card(page, ".mc-card--step[data-step='2']")
    total = len(CONTENT.routines["relaxing"]["steps"])
    expected = CONTENT.routines["relaxing"]["steps"][1]
    expect(step).to_contain_text(f"Step 2 of {total}")
    expect(step).to_contain_text(expected["instruction"])
    expect(step.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "2")
    # The zones the step names, in its order, by their display names; the starting one marked.
    covered = expected.get("zones") or [expected["zone"]]
    zones = step.locator(".mc-zone")
    expect(zones).to_have_count(len(covered))
    expect(zones).to_contain_text([CONTENT.zones[zone]["name"] for zone in covered])
    for index, zone in enumerate(covered):
        expect(zones.nth(index)).to_have_attribute("data-highlight", "step" if zone == expected["zone"] else "covered")
    for technique in expected["techniques"]:
        expect(step.locator(".mc-meta")).to_contain_text(CONTENT.techniques[technique]["name"])
    expect(page.locator(".mc-msg--user").last).to_have_text("Next")  # a typed request, shown by its label
    # Only the newest step card keeps its controls; focus follows the pressed control.
    expect(page.locator(".mc-card--step").first.get_by_role("button", name="Next")).to_have_count(0)
    expect(step.get_by_role("button", name="Next")).to_be_focused()
    expect(step.locator(".mc-timer")).to_contain_text("left", timeout=3000)
    screenshot(page, "step-card")

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # it stays open across pages
    log = page.get_by_role("log")
    expect(log).to_contain_text("start the relaxing massage")
    expect(log).to_contain_text(f"Step 2 of {total}")
    page.locator(".mc-card--step").last.get_by_role("button", name="Next").click()
    expect(last_card(page, ".mc-card--step[data-step='3']")).to_contain_text(f"Step 3 of {total}")


def test_a_step_card_shows_the_remark_that_came_with_it(page):
    start_relaxing_routine(page)
    say(page, "skip this one")
    expect(last_card(page, ".mc-card--step[data-step='2'] .mc-lead")).to_have_text("Skipping step 1.")


def test_user_text_is_shown_as_text_never_run(page):
    say(page, "<script>alert(1)</script>")
    expect(page.locator(".mc-msg--user").last).to_have_text("<script>alert(1)</script>")
    expect(page.locator(".mc-msg--bot").last).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    shadow_scripts = "document.getElementById('massage-coach-widget').shadowRoot.querySelectorAll('script').length"
    assert page.evaluate(shadow_scripts) == 0
    screenshot(page, "script-as-text")


def test_keyboard_only(browser, widget_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(widget_url)
    launcher = page.get_by_role("button", name="Open Massage Coach chat")
    for _ in range(10):
        page.keyboard.press("Tab")
        if launcher.evaluate("b => b.getRootNode().activeElement === b"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    page.keyboard.type("what is kneading?")
    page.keyboard.press("Enter")
    expect(last_card(page, ".mc-card--info")).to_contain_text("Kneading")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Open Massage Coach chat")).to_be_focused()
    context.close()


CONTRAST_SCRIPT = """root => {
  const luminance = rgb => {
    const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const parse = color => color.match(/[\\d.]+/g).map(Number);
  const background = node => {
    for (; node && node.nodeType === 1; node = node.parentNode || node.host) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] > 0.5) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const node of root.querySelectorAll('*')) {
    const text = [...node.childNodes].filter(c => c.nodeType === 3 && c.data.trim()).map(c => c.data).join('');
    if (!text || !node.getClientRects().length || node.closest('svg, .mc-visually-hidden')) continue;
    const style = getComputedStyle(node);
    const [a, b] = [luminance(parse(style.color).slice(0, 3)), luminance(background(node))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${text.slice(0, 40)}: ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


def test_text_contrast_passes_wcag_aa(page):
    say(page, "can I massage my pregnant wife?")
    last_card(page, "[data-verdict=stop]")
    say(page, "my wife has chest pain")
    last_card(page, "[data-verdict=emergency]")
    page.get_by_role("button", name="New chat").click()
    expect(page.get_by_role("log")).to_have_text("")
    start_relaxing_routine(page)  # a new conversation: the conditions above are not in it
    shadow_root = page.locator("#massage-coach-widget").evaluate_handle("host => host.shadowRoot")
    assert shadow_root.evaluate(CONTRAST_SCRIPT) == []


def test_usable_on_a_360px_phone(page):
    page.set_viewport_size({"width": 360, "height": 740})
    say(page, "a very long word: " + "x" * 120)
    expect(page.locator(".mc-msg--bot").last).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    start_relaxing_routine(page)
    overflow = page.locator("#massage-coach-widget").evaluate("""host => {
      const root = host.shadowRoot, panel = root.querySelector('.mc-panel'), log = root.querySelector('.mc-log');
      const box = panel.getBoundingClientRect();
      const outside = [...root.querySelectorAll('.mc-panel *')].filter(n => {
        const r = n.getBoundingClientRect();
        return r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
      }).map(n => n.className.baseVal ?? n.className);
      return {left: box.left, right: box.right, logScroll: log.scrollWidth - log.clientWidth,
              page: document.documentElement.scrollWidth, outside};
    }""")
    assert overflow["left"] >= 0 and overflow["right"] <= 360, overflow
    assert overflow["logScroll"] == 0 and overflow["page"] <= 360 and not overflow["outside"], overflow
    smallest = page.locator("#massage-coach-widget").evaluate("""host => Math.min(...[...host.shadowRoot
      .querySelectorAll('.mc-zone, .mc-band text, .mc-title, .mc-tool')]
      .map(n => parseFloat(getComputedStyle(n).fontSize)
                * (n.closest('svg') ? n.closest('svg').getBoundingClientRect().width / 200 : 1)))""")
    assert smallest >= 13, smallest  # zone names, band numbers, title and tools readable on a phone
    say(page, "how do I divide the back?")
    last_card(page, ".mc-diagram")
    screenshot(page, "phone-360")


def test_an_unreachable_server_keeps_the_message_and_reconnects(page, servers):
    say(page, "hello")
    expect(page.locator(".mc-msg--bot").last).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    servers.stop_one("rasa")
    status = page.get_by_role("status").first
    expect(status).to_contain_text("Can't reach Massage Coach", timeout=10000)
    box = page.get_by_role("textbox", name="Message")
    box.fill("what is kneading?")
    box.press("Enter")
    expect(status).to_contain_text("Your message is kept and will be sent when the connection is back")
    expect(box).to_have_value("what is kneading?")
    screenshot(page, "unreachable")
    servers.start_rasa()
    servers.wait_rasa()
    expect(status).to_contain_text("Connected again", timeout=20000)
    expect(last_card(page, ".mc-card--info")).to_contain_text("Kneading")
    expect(box).to_have_value("")


def test_read_aloud_speaks_the_payloads_speech(page):
    # Record what the page hands to the browser's speech synthesis (headless Chromium has no voices).
    page.evaluate("""() => {
      window.spoken = [];
      const speak = speechSynthesis.speak.bind(speechSynthesis);
      speechSynthesis.speak = utterance => { window.spoken.push([utterance.text, utterance.lang]); speak(utterance); };
    }""")
    read_aloud = page.get_by_role("button", name="Read aloud")
    read_aloud.click()
    expect(read_aloud).to_have_attribute("aria-pressed", "true")
    start_relaxing_routine(page)
    steps = CONTENT.routines["relaxing"]["steps"]
    first_step = f"Step 1 of {len(steps)}. {steps[0]['speech']}"  # the payload's whole spoken form
    page.wait_for_function("text => window.spoken.some(([said]) => said === text)", arg=first_step)
    assert [first_step, "en-US"] in page.evaluate("window.spoken")


def test_options_from_data_attributes(browser, widget_url, servers, tmp_path):
    # Another site, with the tag its owner would write; served over HTTP like any page
    # (Chromium's local-network checks block a page without a real address from loopback).
    tag = (f'<script src="{widget_url}widget.js" data-server="{servers.base_url}" data-title="Spa helper" '
           'data-color="#6b2d5c" data-position="left" data-open="true" defer></script>')
    (tmp_path / "spa.html").write_text(f"<!doctype html><html lang='en'><title>Spa</title><h1>Spa</h1>{tag}</html>")
    site = serve_site(tmp_path, PARTNER_SITE_PORT)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{site.server_port}/spa.html")
        expect(page.get_by_role("dialog", name="Spa helper")).to_be_visible()
        header = page.locator(".mc-header")
        assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(107, 45, 92)"
        assert page.get_by_role("button", name="Close Spa helper chat").bounding_box()["x"] < 100
        say(page, "what is kneading?")  # typed at once: sent as soon as the connection is up
        expect(last_card(page, ".mc-card--info")).to_contain_text("Kneading")
    finally:
        context.close()
        stop_site(site)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_site(directory: Path, port: int) -> ThreadingHTTPServer:
    site = ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site


def stop_site(site: ThreadingHTTPServer) -> None:
    site.shutdown()
    site.server_close()  # frees the port for the next test's site


def test_a_site_that_is_not_allowed_cannot_open_a_conversation(browser, widget_url, servers, tmp_path):
    tag = f'<script src="{widget_url}widget.js" data-server="{servers.base_url}" data-open="true" defer></script>'
    (tmp_path / "other.html").write_text(f"<!doctype html><html lang='en'><title>Other</title>{tag}</html>")
    site = serve_site(tmp_path, free_port())  # an origin not in CORS_ORIGINS
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{site.server_port}/other.html")
        page.get_by_role("textbox", name="Message").fill("what is kneading?")
        page.get_by_role("textbox", name="Message").press("Enter")
        expect(page.locator(".mc-status")).to_contain_text("Can't reach", timeout=ANSWER_TIMEOUT_MS)
        assert page.locator(".mc-card--info").count() == 0
    finally:
        context.close()
        stop_site(site)


def test_two_tabs_share_one_conversation(page):
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    say(page, "what is kneading?")
    expect(last_card(page, ".mc-card--info")).to_contain_text("Kneading")
    expect(last_card(other_tab, ".mc-card--info")).to_contain_text("Kneading")
    expect(other_tab.get_by_role("log")).to_contain_text("what is kneading?")
    other_tab.reload()
    expect(last_card(other_tab, ".mc-card--info")).to_contain_text("Kneading")
    expect(other_tab.locator(".mc-msg--user")).to_have_count(1)
    expect(other_tab.locator(".mc-card--info")).to_have_count(1)


@pytest.mark.parametrize("stored", [
    "not json",
    '{"sessionId": 5, "history": {"from": "user"}}',
    '{"history": [{"from": "bot", "message": {"custom": {"type": "safety", "conditions": 5}}},'
    ' {"from": "user", "text": "still here"}]}',
])
def test_a_corrupted_history_is_skipped_not_fatal(page, servers, stored):
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [f"massage-coach:{servers.base_url}", stored])
    page.reload()
    page.get_by_role("button", name="Open Massage Coach chat").click()
    if "still here" in stored:
        expect(page.get_by_role("log")).to_contain_text("still here")
    say(page, "what is kneading?")
    expect(last_card(page, ".mc-card--info")).to_contain_text("Kneading")


def test_back_pain_question_answered_with_a_button_leads_to_a_routine(page):
    say(page, "my partner has a bad back, what should I do")
    last_card(page, "[aria-label='One question first']")
    page.get_by_role("button", name="Just muscle tension or stiffness").click()
    card = last_card(page, "[data-verdict=ok]")
    expect(card).to_contain_text("Go ahead gently")
    expect(card).to_contain_text("Stay off: Spine")
    page.get_by_role("button", name="Start: Relaxing back massage").last.click()
    last_card(page, "[aria-label='Before you start, check for']")
    page.get_by_role("button", name="No, none of them").last.click()
    expect(last_card(page, ".mc-card--step")).to_have_attribute("data-step", "1")
    screenshot(page, "triage-go-ahead")


def test_anatomy_rules_come_from_the_payload(page):
    say(page, "can I press on the spine?")
    card = last_card(page, "[aria-label='Where to press']")
    expect(card).to_contain_text(f"{CONTENT.body_parts['spine']['name']}: {RULE_LABELS['never']}")


@pytest.fixture
def paced_page(browser, widget_url, servers, tmp_path) -> Iterator[Page]:
    """A page whose widget runs the step clock 30 times faster (data-pace-scale, for tests and demos)."""
    tag = (f'<script src="{widget_url}widget.js" data-server="{servers.base_url}" data-open="true" '
           'data-pace-scale="30" defer></script>')
    (tmp_path / "paced.html").write_text(f"<!doctype html><html lang='en'><title>Paced</title>{tag}</html>")
    site = serve_site(tmp_path, PARTNER_SITE_PORT)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{site.server_port}/paced.html")
    yield page
    context.close()
    stop_site(site)


def seconds_left(card) -> int:
    text = card.locator(".mc-timer").inner_text()
    minutes, seconds = text.split()[0].split(":")
    return int(minutes) * 60 + int(seconds)


def test_the_step_clock_follows_the_payloads_pacing(paced_page):
    page = paced_page
    start_relaxing_routine(page)
    first = page.locator(".mc-card--step[data-step='1']")
    # 180 s at 30x: the next step comes by itself after ~6 s, the heads-up shortly before.
    second = last_card(page, ".mc-card--step[data-step='2']")
    expect(first.locator(".mc-heads-up")).to_have_text(HEADS_UP)
    expect(page.locator(".mc-msg--user")).to_have_count(2)  # the clock's request has no bubble
    expect(second.locator(".mc-timer")).to_contain_text("left")
    screenshot(page, "paced-step")


def test_pause_stops_the_clock_and_continue_resumes_with_the_time_left(paced_page):
    page = paced_page
    start_relaxing_routine(page)
    first = page.locator(".mc-card--step[data-step='1']").last
    expect(first.locator(".mc-timer")).to_contain_text("2:", timeout=5000)  # under 3:00: it runs
    first.get_by_role("button", name="Pause").click()
    expect(last_card(page, "[aria-label='Paused at step 1']")).to_be_visible()
    left_at_pause = seconds_left(first)  # the retired card's clock stopped where it was
    page.wait_for_timeout(2500)  # 75 s of step time, were the clock still running
    page.get_by_role("button", name="Continue").click()
    resumed = last_card(page, ".mc-card--step[data-step='1'] >> nth=-1")
    expect(resumed.locator(".mc-lead")).to_have_text("Continuing.")
    assert left_at_pause - 20 <= seconds_left(resumed) <= left_at_pause
    expect(last_card(page, ".mc-card--step[data-step='2']")).to_be_visible(timeout=left_at_pause * 1000 // 30 + 10000)


def test_after_a_reload_the_step_clock_runs_on_with_the_time_left(paced_page):
    page = paced_page
    start_relaxing_routine(page)
    first = page.locator(".mc-card--step[data-step='1']").last
    page.wait_for_timeout(1000)  # 180 s at 30x: 30 s of step time
    left_before = seconds_left(first)
    assert left_before < 170
    page.reload()
    card = last_card(page, ".mc-card--step[data-step='1']")
    expect(card.locator(".mc-timer")).to_contain_text("left")
    # It goes on from where it was (a few seconds of step time passed in the reload), not from 3:00 ...
    assert 0 < seconds_left(card) <= left_before
    # ... and moves on by itself when the time is up.
    expect(last_card(page, ".mc-card--step[data-step='2']")).to_be_visible(timeout=left_before * 1000 // 30 + 10000)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROJECT_DIR, check=True)
    return AXE.read_text()


def serious_accessibility_problems(page: Page, axe_source: str) -> list:
    """axe-core's serious and critical violations inside the widget (its shadow root included)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=axe_source)
    return page.evaluate("""async () => {
      const result = await axe.run({include: [['#massage-coach-widget']]}, {
        resultTypes: ['violations'], rules: {'label-content-name-mismatch': {enabled: true}}});  // experimental
      return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.map(n => JSON.stringify(n.target)).join(', ')}`);
    }""")


def test_no_serious_accessibility_problems_in_chat_and_step_states(paced_page, axe_source):
    page = paced_page
    assert serious_accessibility_problems(page, axe_source) == []  # empty chat
    say(page, "can I massage my pregnant wife?")
    last_card(page, "[data-verdict=stop]")
    say(page, "how do I divide the back?")
    diagram = last_card(page, ".mc-diagram")
    expect(diagram.locator(".mc-zone")).to_contain_text([zone["name"] for zone in CONTENT.zones.values()])
    say(page, "can I press on the spine?")
    last_card(page, "[aria-label='Where to press']")
    assert serious_accessibility_problems(page, axe_source) == []  # answers, cards, the back diagram
    page.get_by_role("button", name="New chat").click()
    start_relaxing_routine(page)
    assert serious_accessibility_problems(page, axe_source) == []  # a live step card with its clock
    page.locator(".mc-card--step").last.get_by_role("button", name="Pause").click()
    last_card(page, "[aria-label='Paused at step 1']")
    assert serious_accessibility_problems(page, axe_source) == []  # paused


def test_demo_page_details(page, widget_url):
    launcher = page.get_by_role("button", name="Close Massage Coach chat")  # open: it closes
    expect(launcher.locator("svg").first).to_be_hidden()
    title = page.locator(".mc-title")
    assert title.evaluate("t => t.scrollHeight <= parseFloat(getComputedStyle(t).lineHeight) * 1.5")
    assert page.request.get(widget_url + "favicon.ico").status == 200


@pytest.fixture(scope="session")
def hands_free_browser(playwright, tmp_path_factory) -> Iterator[Browser]:
    """Chromium whose microphone says some talk, then "next step", over and over (a looped WAV of
    flite and festival voices)."""
    browser = fake_microphone_browser(playwright, tmp_path_factory.mktemp("microphone") / "microphone.wav",
                                      spoken("she was saying that the weather is lovely today", voice="flite/kal"),
                                      spoken("next step", before_s=1.0, after_s=2.0))
    yield browser
    browser.close()


def fake_microphone_browser(playwright: Playwright, wav: Path, *takes) -> Browser:
    args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                            f"--use-file-for-fake-audio-capture={microphone_file(wav, *takes)}"]
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)


# What the page hands to its speakers: each reply's audio buffer (when it plays, when it was stopped, and
# how many messages the user had sent by then), the speech it asks the server for, and the browser voice's.
SPEECH_PROBE = """(() => {
  window.played = []; window.asked = []; window.spoken = []; window.sent = 0;
  const start = AudioBufferSourceNode.prototype.start, stop = AudioBufferSourceNode.prototype.stop;
  AudioBufferSourceNode.prototype.start = function (when) {
    const delay = Math.max(0, (when || 0) - this.context.currentTime);
    this.log = {at: performance.now() + delay * 1000, seconds: this.buffer.duration, rate: this.buffer.sampleRate,
                sent: window.sent, stoppedAt: null, sentAtStop: null};
    window.played.push(this.log);
    return start.apply(this, arguments);
  };
  AudioBufferSourceNode.prototype.stop = function () {
    if (this.log) { this.log.stoppedAt = performance.now(); this.log.sentAtStop = window.sent; }
    return stop.apply(this, arguments);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && data.includes('"say"')) window.asked.push(JSON.parse(data).say);
    if (typeof data === 'string' && data.includes('"user_uttered"')) window.sent += 1;
    return send.apply(this, arguments);
  };
  speechSynthesis.speak = utterance => window.spoken.push(utterance.text);
})()"""


def open_hands_free_page(browser: Browser, widget_url: str, servers, audio_server, directory: Path,
                         speech: str) -> tuple:
    tag = (f'<script src="{widget_url}widget.js" data-server="{servers.base_url}" data-open="true" '
           f'data-audio-server="ws://127.0.0.1:{audio_server.port}/audio" data-speech="{speech}" defer></script>')
    (directory / "hands-free.html").write_text(f"<!doctype html><html lang='en'><title>Hands-free</title>{tag}</html>")
    site = serve_site(directory, PARTNER_SITE_PORT)
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(SPEECH_PROBE)
    page.goto(f"http://127.0.0.1:{site.server_port}/hands-free.html")
    return page, context, site


@pytest.fixture
def hands_free_page(hands_free_browser, widget_url, servers, audio_server, tmp_path) -> Iterator[Page]:
    """A page whose hands-free audio goes to the test's audio server, which also says the answers."""
    page, context, site = open_hands_free_page(hands_free_browser, widget_url, servers, audio_server, tmp_path,
                                               "server")
    yield page
    context.close()
    stop_site(site)


def test_hands_free_drives_a_step_by_voice(hands_free_page, axe_source):
    page = hands_free_page
    start_relaxing_routine(page)
    switch = page.get_by_role("button", name="Hands-free")
    expect(page.locator(".mc-listening")).to_be_hidden()  # no microphone until it is switched on
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".mc-listening")).to_be_visible(timeout=10000)
    expect(page.get_by_role("button", name="Read aloud")).to_have_attribute("aria-pressed", "true")
    # The fake microphone's "next step", recognised on the server, moves the routine on.
    step = last_card(page, ".mc-card--step[data-step='2']")
    # Only commands reach the conversation: the talk before each "next step" sent nothing.
    bubbles = page.locator(".mc-msg--user").all_inner_texts()
    assert bubbles[:2] == ["start the relaxing massage", "No, none of them"] and set(bubbles[2:]) == {"Next"}, bubbles
    # Readable at arm's length on a phone: large step text and large targets.
    page.set_viewport_size({"width": 375, "height": 740})
    step = page.locator(".mc-card--step").last
    step.evaluate("card => card.scrollIntoView({block: 'start'})")  # its heading on top (docs/widget-step-card.png)
    assert float(step.locator(".mc-instruction").evaluate("n => parseFloat(getComputedStyle(n).fontSize)")) >= 24
    for name in ("Back", "Next", "Pause"):
        box = step.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64 and box["x"] + box["width"] <= 375, (name, box)
    assert page.locator(".mc-panel").bounding_box()["width"] <= 375
    assert serious_accessibility_problems(page, axe_source) == []
    screenshot(page, "hands-free")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".mc-listening")).to_be_hidden()
    expect(page.get_by_role("button", name="Read aloud")).to_have_attribute("aria-pressed", "false")


def test_hands_free_answers_are_said_by_the_server_and_speaking_over_them_stops_them(hands_free_page):
    page = hands_free_page
    start_relaxing_routine(page)
    sent = page.evaluate("window.sent")
    page.evaluate("""() => {  // when the answer's step card is shown, how much audio the page had been handed
      const root = [...document.querySelectorAll("*")].find(node => node.shadowRoot).shadowRoot;
      new MutationObserver((_, observer) => {
        if (!root.querySelector(".mc-card--step[data-step='2']")) return;
        window.playedAtCard = window.played.length;
        observer.disconnect();
      }).observe(root, {childList: true, subtree: true});
      window.requestsAt = [];  // when each recognised request reached the page
      const Socket = window.WebSocket;
      window.WebSocket = function (...args) {
        const socket = new Socket(...args);
        socket.addEventListener("message", event => {
          const request = typeof event.data === "string" && event.data.includes('"request"');
          if (request) window.requestsAt.push(performance.now());
        });
        return socket;
      };
      window.WebSocket.prototype = Socket.prototype;
      Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
    }""")
    page.get_by_role("button", name="Hands-free").click()
    last_card(page, ".mc-card--step[data-step='2']")  # "next step", said into the microphone
    # The audio server sent the request to Rasa itself (the page sent nothing over socket.io, nor asked
    # for the speech) and the answer's first sentence, the server TTS's audio (espeak-ng's 22.05 kHz),
    # was handed to the page's speakers before its step card was rendered.
    assert page.evaluate("window.sent") == sent and page.evaluate("window.asked") == []
    assert page.evaluate("window.playedAtCard") >= 1
    # The microphone's next talk starts before the step's speech is over: it stops at once, before any
    # command was recognised (a request would stop it too).
    page.wait_for_function("() => window.played.some(p => p.stoppedAt !== null)", timeout=30000)
    played, requests_at = page.evaluate("window.played"), page.evaluate("window.requestsAt")
    stopped = [p for p in played if p["stoppedAt"] is not None]
    assert {p["rate"] for p in played} == {22050}
    assert any(p["stoppedAt"] < p["at"] + p["seconds"] * 1000
               and not any(p["at"] < request_at < p["stoppedAt"] for request_at in requests_at)
               for p in stopped), (played, requests_at)
    assert page.evaluate("window.spoken") == []


def test_a_question_asked_by_voice_mid_routine_is_answered_and_the_routine_waits(
        playwright, widget_url, servers, audio_server, tmp_path):
    """"What is kneading?" said during step 1 (Whisper writes "needing": the technique is found by its
    sound) gets the technique's answer; the routine keeps its place."""
    browser = fake_microphone_browser(playwright, tmp_path / "question.wav",
                                      spoken("I think the oil is a little too cold", voice="festival/kal_diphone"),
                                      spoken("what is kneading", voice="flite/kal", before_s=1.0, after_s=6.0))
    page, context, site = open_hands_free_page(browser, widget_url, servers, audio_server, tmp_path, "server")
    try:
        start_relaxing_routine(page)
        page.get_by_role("button", name="Hands-free").click()
        kneading = CONTENT.techniques["kneading"]["name"]
        answer = last_card(page, f".mc-card[aria-label='Technique: {kneading}']")
        expect(answer).to_be_visible()
        bubbles = page.locator(".mc-msg--user").all_inner_texts()
        assert "needing" in bubbles[2].lower() or "kneading" in bubbles[2].lower(), bubbles  # what was heard
        assert not any("oil" in bubble for bubble in bubbles), bubbles  # the talk sent nothing
        # The routine is where it was: still step 1, and "continue" on the card picks it up.
        assert page.locator(".mc-card--step").last.get_attribute("data-step") == "1"
    finally:
        context.close()
        stop_site(site)
        browser.close()


def test_a_far_jump_heard_unsurely_is_asked_first(playwright, widget_url, servers, audio_server, tmp_path):
    """"maybe step nine" at step 1 (a jump that loses the user's place, not heard surely: 0.85): the page asks
    "Did you say go to step 9?" aloud and with Yes / No; Yes goes there."""
    browser = fake_microphone_browser(playwright, tmp_path / "jump.wav",
                                      spoken("maybe step nine", before_s=1.0, after_s=8.0))
    page, context, site = open_hands_free_page(browser, widget_url, servers, audio_server, tmp_path, "server")
    try:
        start_relaxing_routine(page)
        page.get_by_role("button", name="Hands-free").click()
        question = last_card(page, ".mc-msg--bot >> text=Did you say go to step 9?")
        expect(question).to_be_visible()
        page.wait_for_function("text => window.asked.includes(text)", arg="Did you say go to step 9?")
        assert page.locator(".mc-card--step").last.get_attribute("data-step") == "1"  # nothing done unasked
        page.locator(".mc-replies").last.get_by_role("button", name="Yes").click()
        last_card(page, ".mc-card--step[data-step='9']")
    finally:
        context.close()
        stop_site(site)
        browser.close()


def test_slower_said_hands_free_slows_the_speech_of_that_page(playwright, widget_url, servers, audio_server,
                                                             tmp_path):
    """"Slower" (two phrasings: Whisper misses some voices' "slower") changes the speech of this
    stream only: the server's voice repeats the step more slowly, and with data-speech="browser" the
    browser's voice gets the new rate."""
    browser = fake_microphone_browser(playwright, tmp_path / "slower.wav",
                                      spoken("slower", voice="flite/slt", before_s=8.0),
                                      spoken("talk slower please", voice="festival/kal_diphone", after_s=40.0))
    steps = CONTENT.routines["relaxing"]["steps"]
    first_step = f"Step 1 of {len(steps)}. {steps[0]['speech']}"

    def repeat_seconds(page: Page) -> float:
        """Seconds of server speech the page plays for the step, repeated."""
        before = len(page.evaluate("window.played"))
        asked = page.evaluate("window.asked").count(first_step)
        page.locator(".mc-card--step").last.get_by_role("button", name="Repeat").click()
        page.wait_for_function("([text, n]) => window.asked.filter(t => t === text).length > n",
                               arg=[first_step, asked])
        page.wait_for_timeout(1500)  # every sentence rendered and scheduled
        return sum(played["seconds"] for played in page.evaluate("window.played")[before:])

    try:
        page, context, site = open_hands_free_page(browser, widget_url, servers, audio_server, tmp_path, "server")
        start_relaxing_routine(page)
        page.get_by_role("button", name="Hands-free").click()
        expect(page.locator(".mc-listening")).to_be_visible(timeout=10000)
        normal_s = repeat_seconds(page)  # before the microphone says anything
        expect(page.locator(".mc-msg--bot", has_text="Slower.").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
        page.wait_for_function("text => window.asked.includes(text)", arg="Slower.")
        page.wait_for_timeout(4500)  # the second phrasing said (and, if heard, slowing it once more)
        slower_s = repeat_seconds(page)
        assert slower_s > 1.1 * normal_s, (normal_s, slower_s)
        context.close()
        stop_site(site)

        page, context, site = open_hands_free_page(browser, widget_url, servers, audio_server, tmp_path, "browser")
        page.add_init_script("""(() => {
          window.rates = []; const speak = speechSynthesis.speak;
          speechSynthesis.speak = utterance => { window.rates.push(utterance.rate); speak(utterance); };
        })()""")
        page.reload()
        start_relaxing_routine(page)
        page.get_by_role("button", name="Hands-free").click()
        page.wait_for_function("() => window.spoken.includes('Slower.')", timeout=60000)
        page.locator(".mc-card--step").last.get_by_role("button", name="Repeat").click()
        page.wait_for_function("text => window.spoken.includes(text)", arg=first_step)
        spoken_texts, rates = page.evaluate("window.spoken"), page.evaluate("window.rates")
        repeated = len(spoken_texts) - 1 - spoken_texts[::-1].index(first_step)
        assert rates[repeated] < 0.9, (spoken_texts, rates)  # slower than the browser voice's default 1
    finally:
        context.close()
        stop_site(site)
        browser.close()


def test_hands_free_can_leave_speech_to_the_browser(hands_free_browser, widget_url, servers, audio_server, tmp_path):
    page, context, site = open_hands_free_page(hands_free_browser, widget_url, servers, audio_server, tmp_path,
                                               "browser")
    try:
        start_relaxing_routine(page)
        page.get_by_role("button", name="Hands-free").click()
        expect(page.locator(".mc-listening")).to_be_visible(timeout=10000)
        page.locator(".mc-card--step").last.get_by_role("button", name="Next").click()
        steps = CONTENT.routines["relaxing"]["steps"]
        second_step = f"Step 2 of {len(steps)}. {steps[1]['speech']}"
        page.wait_for_function("text => window.spoken.includes(text)", arg=second_step)
        assert page.evaluate("window.asked") == [] and page.evaluate("window.played") == []
    finally:
        context.close()
        stop_site(site)


def test_chat_and_hands_free_in_firefox(widget_url, servers, audio_server, axe_source, sound_device,  # noqa: F811
                                        tmp_path):
    """Firefox has no SpeechRecognition: hands-free mode is its only voice. Its microphone and speaker
    are the test's PulseAudio daemon: "next step" said into the room moves the routine on."""
    if not FIREFOX.exists() or not shutil.which("node"):
        pytest.fail("firefox-esr or node is missing: `make setup` installs them (system-packages.txt)")
    tag = (f'<script src="{widget_url}widget.js" data-server="{servers.base_url}" data-open="true" '
           f'data-audio-server="ws://127.0.0.1:{audio_server.port}/audio" defer></script>')
    (tmp_path / "firefox.html").write_text(f"<!doctype html><html lang='en'><title>Firefox</title>{tag}</html>")
    command = microphone_file(tmp_path / "command.wav", spoken("she was saying that it is lovely", voice="flite/kal"),
                              spoken("next step", voice="festival/kal_diphone", before_s=1.0, after_s=1.0))
    site = serve_site(tmp_path, PARTNER_SITE_PORT)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page_url = f"http://127.0.0.1:{site.server_port}/firefox.html"
        shot = ARTIFACTS / "firefox-hands-free.png"
        run = subprocess.run(["node", str(FIREFOX_DRIVER), page_url, str(AXE), str(shot), str(command)],
                             cwd=PROJECT_DIR, capture_output=True, text=True, timeout=180,
                             env={**sound_device.env, "HOME": str(tmp_path), "FIREFOX": str(FIREFOX)})
    finally:
        stop_site(site)
    seen = json.loads(run.stdout.strip().splitlines()[-1]) if run.stdout.strip() else {"error": run.stderr}
    assert "error" not in seen, seen
    assert "Firefox" in seen["userAgent"]
    assert "Kneading" in seen["chatAnswer"]
    # No microphone until the switch is on; then it listens, and its audio streams to the server.
    assert seen["listeningBefore"] is False and seen["listening"] is True and seen["handsFreePressed"] == "true"
    where = json.loads(seen["audioMessages"][0])
    assert seen["audioChunks"] > 25 and isinstance(where.pop("session"), str)  # with server speech: its conversation
    assert where == {"step": 1, "question_open": False}
    # The spoken command (not the talk before it) reached the conversation; its answer was said.
    assert seen["bubbles"][-1] == "Next" and "she was saying" not in " ".join(seen["bubbles"]), seen["bubbles"]
    assert seen["audioState"] == ["running"]
    assert seen["instructionPx"] >= 24
    assert all(width >= 64 and height >= 64 for width, height in seen["targets"].values()), seen["targets"]
    assert seen["axe"] == []
    assert seen["listeningAfterOff"] is False
