// The chat page at `/` in headless Chromium against a real `loco serve` (loco-nano):
// it loads with no request leaving the server, lists the adapters, streams an answer
// with its route and confidence, shows the votes' agreement, keeps the conversation,
// and shows an error without keeping the failed question.
//
//   node tests/web/page.test.mjs build/release/bin/loco
//
// $LOCO_WEB_SCREENSHOT: where the screenshot goes (default ./web-page.png).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import puppeteer from "puppeteer-core";

import { chromiumPath, startServer } from "./harness.mjs";

const TIMEOUT = 30000;
const QUESTION = "Sam has 12 marbles and gives 5 away. How many are left?";
const screenshotPath = path.resolve(process.env.LOCO_WEB_SCREENSHOT || "web-page.png");

let server, browser, page;
const requests = [];       // every URL the page asked for
const chatBodies = [];     // the JSON bodies it posted to /v1/chat/completions
const pageErrors = [];     // uncaught exceptions in the page's script

before(async () => {
  const executablePath = chromiumPath();
  server = await startServer({ args: ["--max-tokens-limit", "400"] });
  browser = await puppeteer.launch({
    // --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers' /dev/shm is small.
    executablePath, headless: true, args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 900 });
  page.on("request", (r) => {
    requests.push(r.url());
    if (r.url().endsWith("/v1/chat/completions") && r.method() === "POST") chatBodies.push(JSON.parse(r.postData()));
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

after(async () => {
  if (browser) await browser.close();
  if (server) {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `loco serve did not stop cleanly:\n${server.output()}`);
  }
});

// Records how the answer being streamed grows: each text piece the page adds while the
// answer is busy, and the answer's length each time the observer runs (what a reader saw).
async function watchStreaming() {
  await page.evaluate(() => {
    window.__pieces = [];
    window.__seen = [];
    const observer = new MutationObserver((records) => {
      let answer = null;
      for (const r of records) {
        const a = r.target.closest && r.target.closest(".msg.assistant .answer");
        if (!a || a.getAttribute("aria-busy") !== "true") continue;
        answer = a;
        for (const n of r.addedNodes) if (n.nodeType === Node.TEXT_NODE) window.__pieces.push(n.textContent);
      }
      // The answer's own text, without the "thinking…" placeholder.
      const text = (a) => [...a.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("");
      if (answer && text(answer).length > 0) window.__seen.push(text(answer).length);
    });
    observer.observe(document.getElementById("transcript"), { childList: true, subtree: true });
  });
}

async function ask(text) {
  const before = await page.$$eval("li.msg.assistant", (l) => l.length);
  await page.click("#question");
  await page.type("#question", text);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => {
    const answers = document.querySelectorAll("li.msg.assistant");
    return answers.length === n + 1 && answers[n].dataset.done;
  }, { timeout: TIMEOUT }, before);
  assert.deepEqual(pageErrors, [], "the page's script threw");
  return page.evaluate(() => {
    const li = [...document.querySelectorAll("li.msg.assistant")].pop();
    const field = (name) => { const e = li.querySelector(`[data-field="${name}"]`); return e ? e.textContent : null; };
    return {
      done: li.dataset.done,
      who: li.querySelector(".who").textContent,
      answer: li.querySelector(".answer").textContent,
      busy: li.querySelector(".answer").getAttribute("aria-busy"),
      route: field("route"), why: field("why"), votes: field("votes"), confidence: field("confidence"),
      badge: li.querySelector(".badge") ? li.querySelector(".badge").className : null,
      error: li.querySelector(".error[role=alert]") ? li.querySelector(".error").textContent : null,
    };
  });
}

test("the page loads from the server alone and lists the adapters", { timeout: TIMEOUT }, async () => {
  const response = await page.goto(server.url + "/", { waitUntil: "load" });
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-type"], /^text\/html/);
  await page.waitForFunction(() => document.getElementById("status-text").textContent === "ready", { timeout: TIMEOUT });
  const options = await page.$$eval("#adapter option", (o) => o.map((x) => [x.value, x.textContent]));
  const values = options.map(([v]) => v);
  for (const id of ["loco/auto", "loco/math", "loco/code", "loco/analysis", "loco-nano"]) {
    assert.ok(values.includes(id), `the adapter picker lacks ${id}: ${JSON.stringify(options)}`);
  }
  assert.equal(await page.$eval("#adapter", (s) => s.value), "loco/auto", "auto is the default");
  assert.match(await page.$eval("#reminder", (e) => e.textContent), /loco-nano.*often wrong/s,
               "the reminder shows the built-in model's notice");
  assert.match(await page.$eval("#model-name", (e) => e.textContent), /loco-nano/);
  // Every label points at a control (accessible names), and the transcript is a live log.
  const unlabelled = await page.$$eval("select, textarea, input", (els) =>
    els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  assert.equal(await page.$eval("#transcript", (e) => e.getAttribute("role")), "log");
  const foreign = requests.filter((u) => !u.startsWith(server.url + "/"));
  assert.deepEqual(foreign, [], "the page must need nothing but the server (works offline)");
});

test("a question streams an answer with its route and confidence", { timeout: TIMEOUT }, async () => {
  await page.click("details summary");
  await page.type("#max-tokens", "24");
  await watchStreaming();
  const a = await ask(QUESTION);
  assert.equal(a.done, "ok", `the answer failed: ${a.error}`);
  assert.equal(a.busy, "false");
  assert.ok(a.answer.trim().length > 0, "the answer is empty");
  const { pieces, seen } = await page.evaluate(() => ({ pieces: window.__pieces, seen: window.__seen }));
  assert.ok(pieces.length >= 2, `the answer arrived in ${pieces.length} piece(s), not streamed: ${JSON.stringify(pieces)}`);
  assert.equal(pieces.join(""), a.answer, "the pieces make up the answer");
  for (let i = 1; i < seen.length; ++i) assert.ok(seen[i] >= seen[i - 1], `the text shrank: ${seen}`);
  // The pieces arrive a token's decoding time apart, but a busy machine may hand the page
  // several in one read; the Stop test below watches a longer answer grow on screen.
  assert.ok(seen.length >= 1, "no text was shown while the answer was busy");
  console.log(`# streamed: ${pieces.length} pieces, lengths seen while busy: ${seen}`);
  assert.match(a.route, /math adapter \(routed\)/, `route: ${a.route}`);
  assert.match(a.who, /math/);
  assert.ok(a.why && a.why.length > "Why:".length, "the route's reason is shown");
  assert.match(a.confidence, /Confidence:\s*(high|medium|low)/);
  assert.match(a.badge, /badge (high|medium|low)/);
  assert.equal(a.votes, null, "one sample has no votes line");
  const body = chatBodies.at(-1);
  assert.equal(body.model, "loco/auto");
  assert.equal(body.stream, true);
  assert.equal(body.max_tokens, 24);
  assert.deepEqual(body.messages, [{ role: "user", content: QUESTION }]);
});

test("with 3 votes the answer shows the agreement out of 3, and the conversation is kept", { timeout: TIMEOUT }, async () => {
  await page.select("#votes", "3");
  const a = await ask("Ana has 9 apples and eats 4. How many apples are left?");
  assert.equal(a.done, "ok", `the answer failed: ${a.error}`);
  assert.match(a.votes, /Votes:\s*[0-3]\/3 agree/, `votes: ${a.votes}`);
  assert.match(a.confidence, /(high|medium|low)/);
  const body = chatBodies.at(-1);
  assert.deepEqual(body.loco, { votes: 3 });
  assert.equal(body.messages.length, 3, "the first question and answer are sent again");
  assert.deepEqual(body.messages[0], { role: "user", content: QUESTION });
  assert.equal(body.messages[1].role, "assistant");
  await page.screenshot({ path: screenshotPath, fullPage: false });
  console.log(`# screenshot: ${screenshotPath}`);
});

test("a refused request shows the server's message and is not kept", { timeout: TIMEOUT }, async () => {
  // The server runs with --max-tokens-limit 400; the page's own field allows up to 4096.
  await page.select("#votes", "1");
  await page.$eval("#max-tokens", (e) => { e.value = ""; });
  await page.type("#max-tokens", "1000");
  const a = await ask("What is 2 plus 2?");
  assert.equal(a.done, "error");
  assert.match(a.error, /max_tokens must be between 1 and 400/, `error: ${a.error}`);
  await page.$eval("#max-tokens", (e) => { e.value = "24"; });
  const b = await ask("What is 3 plus 4?");
  assert.equal(b.done, "ok", `the answer failed: ${b.error}`);
  const body = chatBodies.at(-1);
  assert.equal(body.messages.length, 5, "the refused question is not sent again");
  assert.equal(body.messages[4].content, "What is 3 plus 4?");
  assert.ok(!body.messages.some((m) => m.content === "What is 2 plus 2?"));
});

test("Stop ends an answer mid-stream; it is shown as stopped and not kept", { timeout: TIMEOUT }, async () => {
  // A new conversation, the math adapter and temperature 0: loco-nano's greedy answer to this
  // question runs on for hundreds of tokens, so it is still streaming when Stop is clicked
  // (400 rather than 200: loco-nano makes 200 tokens in well under a second, and a busy
  // machine once let the whole answer arrive between two of the test's looks).
  const STORY = "Repeat the word marble forever.";
  await page.click("#clear");
  assert.equal(await page.$$eval("li.msg", (l) => l.length), 0, "New conversation clears the transcript");
  await page.select("#adapter", "loco/math");
  await page.$eval("#max-tokens", (e) => { e.value = "400"; });
  await page.type("#temperature", "0");
  await page.type("#question", STORY);
  await page.keyboard.press("Enter");
  // The answer appears, then grows on screen while it is still streaming.
  const shown = await page.waitForFunction(() => {
    const a = document.querySelector("li.msg.assistant .answer");
    return a && a.getAttribute("aria-busy") === "true" && Number(a.dataset.pieces) >= 2 && a.textContent.length;
  }, { timeout: TIMEOUT }).then((h) => h.jsonValue());
  await page.waitForFunction((n) => {
    const a = document.querySelector("li.msg.assistant .answer");
    return a.getAttribute("aria-busy") === "true" && a.textContent.length > n;
  }, { timeout: TIMEOUT }, shown);
  assert.equal(await page.$eval("#stop", (b) => b.hidden), false, "Stop is offered while streaming");
  await page.click("#stop");
  await page.waitForSelector("li.msg.assistant[data-done]", { timeout: TIMEOUT });
  const stopped = await page.$eval("li.msg.assistant", (li) => ({
    done: li.dataset.done, error: li.querySelector(".error").textContent, text: li.querySelector(".answer").textContent,
  }));
  assert.equal(stopped.done, "error");
  assert.equal(stopped.error, "Stopped.");
  assert.ok(stopped.text.length > 0, "the part already streamed stays on the page");
  assert.equal(await page.$eval("#stop", (b) => b.hidden), true);
  await page.select("#adapter", "loco/auto");
  await page.$eval("#temperature", (e) => { e.value = ""; });
  await page.$eval("#max-tokens", (e) => { e.value = "24"; });
  const b = await ask("What is 5 plus 1?");
  assert.equal(b.done, "ok", `the answer after Stop failed: ${b.error}`);
  assert.deepEqual(chatBodies.at(-1).messages, [{ role: "user", content: "What is 5 plus 1?" }],
                   "neither the cleared conversation nor the stopped question is sent");
});

test("with --api-key the page asks for the key, then sends it", { timeout: TIMEOUT }, async () => {
  const keyed = await startServer({ args: ["--api-key", "page-test-key"] });
  const p = await browser.newPage();
  try {
    const auth = [];
    p.on("request", (r) => { if (r.url().includes("/v1/")) auth.push(r.headers().authorization || null); });
    await p.goto(keyed.url + "/", { waitUntil: "load" });
    await p.waitForFunction(() => /needs an API key/.test(document.getElementById("status-text").textContent),
                            { timeout: TIMEOUT });
    assert.equal(await p.$eval("#send", (b) => b.disabled), true, "nothing can be sent without the key");
    await p.click("details summary");
    await p.type("#api-key", "page-test-key");
    await p.keyboard.press("Tab");  // the change event
    await p.waitForFunction(() => document.getElementById("status-text").textContent === "ready", { timeout: TIMEOUT });
    await p.type("#max-tokens", "8");
    await p.type("#question", "What is 2 plus 3?");
    await p.keyboard.press("Enter");
    await p.waitForSelector("li.msg.assistant[data-done]", { timeout: TIMEOUT });
    assert.equal(await p.$eval("li.msg.assistant", (li) => li.dataset.done), "ok");
    assert.ok(auth.includes("Bearer page-test-key"), `Authorization headers sent: ${JSON.stringify(auth)}`);
  } finally {
    await p.close();
    const exit = await keyed.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `loco serve --api-key did not stop cleanly:\n${keyed.output()}`);
  }
});

test("another base model: the generic reminder, the base model in the picker, the reason shown", { timeout: TIMEOUT }, async () => {
  // The shared test model (random weights: its text is noise) with no adapters installed.
  const model = path.resolve(path.dirname(fileURLToPath(import.meta.url)),
                             "../../../shared/testdata/models/tiny-qwen3-q4_k_m.gguf");
  assert.ok(fs.existsSync(model), `${model} is missing (the shared test data beside the repository)`);
  const other = await startServer({ args: ["-m", model] });
  const p = await browser.newPage();
  try {
    await p.goto(other.url + "/", { waitUntil: "load" });
    await p.waitForFunction(() => document.getElementById("status-text").textContent === "ready", { timeout: TIMEOUT });
    assert.equal(await p.$eval("#reminder-text", (e) => e.textContent),
                 "A small local model can be confidently wrong: check anything that matters.");
    assert.equal(await p.$eval("#model-name", (e) => e.textContent), "tiny-qwen3-q4_k_m");
    assert.deepEqual(await p.$$eval("#adapter option", (o) => o.map((x) => x.value)), ["loco/auto", "tiny-qwen3-q4_k_m"]);
    await p.click("details summary");
    await p.type("#max-tokens", "6");
    await p.type("#question", "Hello?");
    await p.keyboard.press("Enter");
    await p.waitForSelector("li.msg.assistant[data-done]", { timeout: TIMEOUT });
    const a = await p.$eval("li.msg.assistant", (li) => ({
      done: li.dataset.done, route: li.querySelector('[data-field="route"]').textContent,
      why: li.querySelector('[data-field="why"]').textContent,
    }));
    assert.equal(a.done, "ok");
    assert.match(a.route, /base model/);
    assert.match(a.why, /no adapters/);
  } finally {
    await p.close();
    const exit = await other.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `loco serve -m did not stop cleanly:\n${other.output()}`);
  }
});
