// The official `openai` npm client against a real `loco serve` (loco-nano): the model
// list, chat completions with and without streaming, n choices, adapters as models, loco's
// votes through the extension field, and errors as the client's own exception types.
//
//   node tests/web/openai-client.test.mjs build/release/bin/loco
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";

import { startServer } from "./harness.mjs";

const TIMEOUT = 30000;
const QUESTION = "Sam has 12 marbles and gives 5 away. How many are left?";
const LEVELS = ["high", "medium", "low"];
let server, client;

before(async () => {
  server = await startServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused-on-loopback", maxRetries: 0, timeout: TIMEOUT });
});

after(async () => {
  if (server) {
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `loco serve did not stop cleanly:\n${server.output()}`);
  }
});

const ask = (extra) => ({ model: "loco/auto", messages: [{ role: "user", content: QUESTION }], max_tokens: 24, ...extra });

test("models.list has the base model, every adapter and loco/auto", { timeout: TIMEOUT }, async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    assert.equal(m.object, "model");
    ids.push(m.id);
  }
  for (const id of ["loco-nano", "loco/math", "loco/code", "loco/analysis", "loco/auto"]) {
    assert.ok(ids.includes(id), `${id} is missing from ${JSON.stringify(ids)}`);
  }
  assert.equal(new Set(ids).size, ids.length, "ids are unique");
});

test("chat.completions.create without streaming: an answer, usage and the loco object", { timeout: TIMEOUT }, async () => {
  const r = await client.chat.completions.create(ask());
  assert.equal(r.object, "chat.completion");
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.choices.length, 1);
  const c = r.choices[0];
  assert.equal(c.index, 0);
  assert.equal(c.message.role, "assistant");
  assert.ok(typeof c.message.content === "string" && c.message.content.length > 0, "the content is empty");
  assert.ok(["stop", "length"].includes(c.finish_reason), c.finish_reason);
  assert.ok(r.usage.prompt_tokens > 0, "prompt tokens");
  assert.ok(r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 24, `completion tokens ${r.usage.completion_tokens}`);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
  if (c.finish_reason === "length") assert.equal(r.usage.completion_tokens, 24);
  assert.ok(r.loco, "the loco extension object");
  assert.equal(r.loco.route.adapter, "math", `routed to ${JSON.stringify(r.loco.route)}`);
  assert.equal(r.loco.adapter, "math");
  assert.ok(typeof r.loco.route.why === "string" && r.loco.route.why.length > 0);
  assert.ok(LEVELS.includes(r.loco.confidence.level), JSON.stringify(r.loco.confidence));
  assert.equal(r.loco.votes, null);
});

test("streaming: the chunks make up the same answer as the same request without streaming", { timeout: TIMEOUT }, async () => {
  const greedy = { temperature: 0, seed: 11 };
  const whole = await client.chat.completions.create(ask(greedy));
  const stream = await client.chat.completions.create(ask({ ...greedy, stream: true, stream_options: { include_usage: true } }));
  let text = "", pieces = 0, finish = null, role = null, loco = null, usage = null, afterFinish = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    if (chunk.usage) usage = chunk.usage;
    if (chunk.loco) loco = chunk.loco;
    for (const ch of chunk.choices) {
      assert.equal(ch.index, 0);
      if (finish) ++afterFinish;
      if (ch.delta.role) role = ch.delta.role;
      if (ch.delta.content) { text += ch.delta.content; ++pieces; }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  assert.equal(role, "assistant");
  assert.ok(pieces >= 2, `${pieces} content piece(s)`);
  assert.equal(text, whole.choices[0].message.content, "streamed and whole answers differ at temperature 0");
  assert.equal(finish, whole.choices[0].finish_reason);
  assert.equal(afterFinish, 0, "no choice after the one that finished");
  assert.ok(loco && LEVELS.includes(loco.confidence.level), "the finishing chunk carries the loco object");
  assert.equal(loco.adapter, "math");
  assert.deepEqual(usage, whole.usage, "include_usage: the same counts");
});

test("n: 2 gives two choices, streamed and not", { timeout: TIMEOUT }, async () => {
  const r = await client.chat.completions.create(ask({ n: 2, seed: 5 }));
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1]);
  for (const c of r.choices) assert.ok(c.message.content.length > 0, "a choice is empty");
  const stream = await client.chat.completions.create(ask({ n: 2, seed: 5, stream: true }));
  const texts = ["", ""], finished = [false, false];
  for await (const chunk of stream) {
    for (const ch of chunk.choices) {
      assert.ok(ch.index === 0 || ch.index === 1, `choice index ${ch.index}`);
      texts[ch.index] += ch.delta.content || "";
      if (ch.finish_reason) finished[ch.index] = true;
    }
  }
  assert.deepEqual(finished, [true, true]);
  assert.deepEqual(texts, r.choices.map((c) => c.message.content), "the same seed gives the same two answers");
});

test("adapters are models: loco/math, loco/code and the base model", { timeout: TIMEOUT }, async () => {
  const math = await client.chat.completions.create(ask({ model: "loco/math" }));
  assert.equal(math.model, "loco/math");
  assert.equal(math.loco.adapter, "math");
  assert.equal(math.loco.route, null, "a chosen adapter is not routed");
  const code = await client.chat.completions.create(ask({ model: "loco/code" }));
  assert.equal(code.loco.adapter, "code");
  const base = await client.chat.completions.create(ask({ model: "loco-nano" }));
  assert.equal(base.loco.adapter, null);
  assert.equal(base.loco.route, null);
  for (const r of [math, code, base]) assert.ok(r.choices[0].message.content.length > 0);
});

test("votes through the loco extension field: one voted answer with its agreement", { timeout: TIMEOUT }, async () => {
  const r = await client.chat.completions.create(ask({ loco: { votes: 3 } }));
  assert.equal(r.choices.length, 1);
  assert.match(r.loco.votes.agreement, /^[0-3]\/3$/);
  assert.ok(LEVELS.includes(r.loco.confidence.level));
});

test("the legacy completions endpoint", { timeout: TIMEOUT }, async () => {
  const r = await client.completions.create({ model: "loco-nano", prompt: "Sam has 12 marbles", max_tokens: 8 });
  assert.equal(r.object, "text_completion");
  assert.ok(r.choices[0].text.length > 0);
  assert.ok(r.usage.completion_tokens > 0 && r.usage.completion_tokens <= 8);
});

test("embeddings: the client's default call (base64) and encoding_format float agree", { timeout: TIMEOUT }, async () => {
  const input = ["Sam has 12 marbles.", "def add(a, b): return a + b"];
  // Without encoding_format the official client asks for base64 and decodes it itself.
  const packed = await client.embeddings.create({ model: "loco-nano", input });
  const plain = await client.embeddings.create({ model: "loco-nano", input, encoding_format: "float" });
  assert.equal(packed.data.length, 2);
  assert.equal(plain.data.length, 2);
  const dim = plain.data[0].embedding.length;
  assert.ok(dim > 0);
  for (let i = 0; i < 2; ++i) {
    assert.equal(plain.data[i].index, i);
    const a = Array.from(packed.data[i].embedding), b = plain.data[i].embedding;
    assert.equal(a.length, dim);
    assert.equal(b.length, dim);
    assert.ok(b.every(Number.isFinite));
    for (let k = 0; k < dim; ++k) assert.equal(a[k], Math.fround(b[k]), `input ${i}, value ${k}`);
  }
  assert.ok(plain.data[0].embedding.some((x, k) => x !== plain.data[1].embedding[k]), "different inputs, different vectors");
  assert.ok(plain.usage.prompt_tokens > 0);
  await assert.rejects(client.embeddings.create({ model: "loco/math", input, encoding_format: "float" }),
                       (e) => e instanceof OpenAI.BadRequestError && /base model/.test(e.message));
});

test("an unknown model is a NotFoundError (404, model_not_found)", { timeout: TIMEOUT }, async () => {
  await assert.rejects(client.chat.completions.create(ask({ model: "no-such-model" })), (e) => {
    assert.ok(e instanceof OpenAI.APIError, `${e}`);
    assert.ok(e instanceof OpenAI.NotFoundError);
    assert.equal(e.status, 404);
    assert.equal(e.code, "model_not_found");
    assert.match(e.message, /no-such-model/);
    return true;
  });
  // Streaming requests are refused the same way, before any event.
  await assert.rejects(client.chat.completions.create(ask({ model: "no-such-model", stream: true })),
                       (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
});

test("malformed requests are BadRequestErrors (400) that say what is wrong", { timeout: TIMEOUT }, async () => {
  const cases = [
    [{ messages: "hello" }, /messages/],
    [{ messages: [] }, /messages/],
    [{ messages: [{ role: "wizard", content: "hi" }] }, /role/],
    [{ n: 0 }, /\bn\b/],
    [{ n: 2, loco: { votes: 3 } }, /votes/],
    [{ temperature: "hot" }, /temperature/],
  ];
  for (const [extra, message] of cases) {
    await assert.rejects(client.chat.completions.create(ask(extra)), (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, `${JSON.stringify(extra)}: ${e}`);
      assert.equal(e.status, 400);
      assert.match(e.message, message, JSON.stringify(extra));
      return true;
    });
  }
});
