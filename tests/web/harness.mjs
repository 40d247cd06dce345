// Starts `loco serve` for a test script and stops it afterwards.
//
// The loco binary comes from the first command-line argument or $LOCO_CLI. The server
// runs on a free loopback port with empty temporary config and data directories, so it
// serves the built-in loco-nano whatever the user has configured. Missing prerequisites
// (the binary, Chromium, node_modules) are failures, never skips: scripts/setup.sh
// installs them.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export function lococli() {
  const cli = process.argv[2] || process.env.LOCO_CLI;
  if (!cli) throw new Error("the loco binary is required: pass its path as the first argument or set LOCO_CLI");
  if (!fs.existsSync(cli)) throw new Error(`the loco binary ${cli} does not exist (build the loco_cli target)`);
  return cli;
}

// A port nothing listens on now: bound once by the OS, then released for the server.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Starts the server and waits until GET /health answers 200. Returns
// { url, port, output(), stop() }; stop() sends SIGTERM and resolves to the exit
// { code, signal } (SIGKILL after 15 s, reported as such).
export async function startServer({ args = [], readySeconds = 60 } = {}) {
  const cli = lococli();
  const port = await freePort();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "loco-web-test-"));
  for (const d of ["config", "data"]) fs.mkdirSync(path.join(home, d));
  const env = { ...process.env, LOCO_CONFIG_DIR: path.join(home, "config"), LOCO_DATA_DIR: path.join(home, "data") };
  delete env.LOCO_API_KEY;
  const child = spawn(cli, ["serve", "--host", "127.0.0.1", "--port", String(port), ...args], {
    env, stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  let exited = null;
  const exit = new Promise((resolve) => child.on("exit", (code, signal) => { exited = { code, signal }; resolve(exited); }));
  const url = `http://127.0.0.1:${port}`;
  const cleanup = () => fs.rmSync(home, { recursive: true, force: true });

  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
      await exit;
      clearTimeout(timer);
    }
    cleanup();
    return exited;
  };

  const deadline = Date.now() + readySeconds * 1000;
  let health = "";
  for (;;) {
    if (exited) {
      cleanup();
      throw new Error(`loco serve exited (${JSON.stringify(exited)}) before it was ready:\n${log}`);
    }
    if (log.includes("listening on http://")) {
      try {
        const r = await fetch(`${url}/health`);
        health = `${r.status} ${await r.text()}`;
        if (r.status === 200) break;
      } catch (e) {
        health = String(e);
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`loco serve was not ready within ${readySeconds} s (last /health: ${health}):\n${log}`);
    }
    await sleep(100);
  }
  return { url, port, output: () => log, stop };
}

// Chromium for the page test: $CHROMIUM, else Debian's /usr/bin/chromium.
export function chromiumPath() {
  const p = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!fs.existsSync(p)) {
    throw new Error(`Chromium is required for the page test and ${p} does not exist: run scripts/setup.sh ` +
                    "(Debian package chromium) or set CHROMIUM");
  }
  return p;
}
