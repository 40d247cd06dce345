// Ollama clients against a real `loco serve` (loco-nano): the `ollama` npm package
// (list, chat streaming and not, generate, errors) and the raw NDJSON stream as any
// Ollama client reads it.
//
//   node tests/web/ollama-client.test.mjs build/release/bin/loco
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Ollama } from "ollama";

import { startServer } from "./harness.mjs";

const TIMEOUT = 30000;
const QUESTION = "Sam has 12 marbles and gives 5 away. How many are left?";
let server, ollama;

before(async () => {
  server = await startServer();
  ollama = new Ollama({ host: server.url });
});

after(async () => {
  if (server) {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `loco serve did not stop cleanly:\n${server.output()}`);
  }
});

function assertFinal(part, maxTokens) {
  assert.equal(part.done, true);
  assert.ok(["stop", "length"].includes(part.done_reason), part.done_reason);
  assert.ok(part.prompt_eval_count > 0, "prompt_eval_count");
  assert.ok(part.eval_count > 0 && part.eval_count <= maxTokens, `eval_count ${part.eval_count}`);
  assert.ok(part.total_duration > 0, "total_duration");
  assert.ok(part.eval_duration >= 0 && part.prompt_eval_duration >= 0);
  assert.ok(part.total_duration >= part.eval_duration, "durations add up");
}

test("list (/api/tags) has the base model and the adapters", { timeout: TIMEOUT }, async () => {
  const { models } = await ollama.list();
  const names = models.map((m) => m.name);
  for (const id of ["loco-nano", "loco/math", "loco/code", "loco/analysis", "loco/auto"]) {
    assert.ok(names.includes(id), `${id} is missing from ${JSON.stringify(names)}`);
  }
  for (const m of models) {
    assert.equal(m.details.format, "gguf");
    assert.ok(m.size > 0, `${m.name}: size`);
  }
  const { version } = await ollama.version();
  assert.ok(typeof version === "string" && version.length > 0);
});

test("chat streams NDJSON parts ending with done: true and the counts", { timeout: TIMEOUT }, async () => {
  const stream = await ollama.chat({
    model: "loco/auto", messages: [{ role: "user", content: QUESTION }], stream: true,
    options: { num_predict: 24, temperature: 0 },
  });
  let text = "", parts = 0, last = null;
  for await (const part of stream) {
    assert.equal(last, null, "nothing after the part with done: true");
    assert.equal(part.model, "loco/auto");
    assert.equal(part.message.role, "assistant");
    text += part.message.content;
    if (part.done) last = part; else ++parts;
  }
  assert.ok(last, "the stream ended without done: true");
  assert.ok(parts >= 2, `${parts} part(s) before the end`);
  assert.ok(text.length > 0);
  assertFinal(last, 24);
  assert.equal(last.loco.adapter, "math");
  // The same request without streaming gives the same answer (temperature 0).
  const whole = await ollama.chat({
    model: "loco/auto", messages: [{ role: "user", content: QUESTION }], stream: false,
    options: { num_predict: 24, temperature: 0 },
  });
  assert.equal(whole.message.content, text);
  assertFinal(whole, 24);
  assert.equal(whole.eval_count, last.eval_count);
});

test("generate without streaming: one object with the response and the counts", { timeout: TIMEOUT }, async () => {
  const r = await ollama.generate({ model: "loco/math", prompt: QUESTION, stream: false, options: { num_predict: 16 } });
  assert.equal(r.model, "loco/math");
  assert.ok(typeof r.response === "string" && r.response.length > 0);
  assertFinal(r, 16);
  assert.equal(r.loco.adapter, "math");
});

test("an unknown model is a ResponseError with status 404", { timeout: TIMEOUT }, async () => {
  await assert.rejects(ollama.chat({ model: "no-such-model", messages: [{ role: "user", content: "hi" }], stream: false }),
                       (e) => {
                         assert.equal(e.name, "ResponseError", `${e}`);
                         assert.equal(e.status_code, 404);
                         assert.match(e.error, /no-such-model/);
                         return true;
                       });
});

test("the raw stream: application/x-ndjson, one JSON object per line, streaming by default", { timeout: TIMEOUT }, async () => {
  // No "stream" field: Ollama streams unless told not to.
  const r = await fetch(`${server.url}/api/generate`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: "loco-nano", prompt: "Sam has 12 marbles", options: { num_predict: 12 } }),
  });
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /^application\/x-ndjson/);
  const body = await r.text();
  assert.ok(body.endsWith("\n"), "the last line ends with a newline");
  const lines = body.slice(0, -1).split("\n").map((l) => JSON.parse(l));
  assert.ok(lines.length >= 3, `${lines.length} line(s)`);
  lines.slice(0, -1).forEach((l) => assert.equal(l.done, false));
  assertFinal(lines.at(-1), 12);
  // A refused request: Ollama's {"error": "..."} with a 4xx status.
  const bad = await fetch(`${server.url}/api/chat`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ model: "loco-nano" }),
  });
  assert.equal(bad.status, 400);
  const err = await bad.json();
  assert.equal(typeof err.error, "string");
  assert.match(err.error, /messages/);
});
