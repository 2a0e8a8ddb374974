// Shared by the Slack benchmarks: a small fake of the Slack Web API and a way to start the
// built server on the embedded database or on a fresh PostgreSQL database.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
/** The flags `npm start` runs the server with (scripts/start.mjs says why). */
const NODE_RUNTIME_FLAGS = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts/node-flags.json'), 'utf8'));
export const MAIN = path.join(ROOT, 'server/dist/server/src/main.js');
const { Client } = require(require.resolve('pg', { paths: [path.join(ROOT, 'server')] }));

export const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** CPU seconds (user + system) a process has used so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}

/** The PostgreSQL backends serving the database in `url` (their CPU is the database's share of the work). */
export async function backendPids(url) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [new URL(url).pathname.slice(1)]);
    return rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

/** A TCP port free on 127.0.0.1 right now, for a process the bench starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];

/**
 * The fake Slack: answers every Web API method ok (chat.postMessage with a new ts), and calls
 * onPage(incidentId, at) for each top-level post carrying a page's metadata.
 */
export async function startFakeSlack(onPage = () => undefined) {
  let seq = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const at = performance.now();
      const method = req.url.replace(/^\/api\//, '').split('?')[0];
      const body = (req.headers['content-type'] ?? '').includes('json') && raw ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (method === 'chat.postMessage' && !body.thread_ts && body.metadata) {
        const metadata = typeof body.metadata === 'string' ? JSON.parse(body.metadata) : body.metadata;
        onPage(Number(metadata.event_payload.incident_id), at);
      }
      if (method === 'conversations.history' || method === 'conversations.replies') return res.end(JSON.stringify({ ok: true, messages: [] }));
      res.end(JSON.stringify({ ok: true, channel: body.channel, ts }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { url: `${base}/api/`, base, close: () => new Promise((r) => server.close(r)) };
}

/**
 * Spawns the built server (`node <runtime flags> [nodeArgs] main.js start`, as `npm start` runs it) with `env` on a free port and
 * resolves once it prints its console URL: `{ child, url, output }`.
 */
export async function spawnServer(env, { nodeArgs = [], timeoutMs = 120_000 } = {}) {
  const child = spawn(process.execPath, [...NODE_RUNTIME_FLAGS, ...nodeArgs, MAIN, 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HEADROOM_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out.slice(-2000)}`)), timeoutMs);
    child.stdout.on('data', () => {
      const m = /Headroom console: (http:\/\/[^\s/]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
  return { child, url, output: () => out };
}

/**
 * Starts the built server with `env` (plus a PORT, a data folder and, when DATABASE_URL is
 * set, a fresh database on that server). Returns its URL, a label and stop().
 */
export async function startServer(env, name) {
  let dbName = null;
  let databaseUrl = null;
  if (process.env.DATABASE_URL) {
    dbName = `headroom_bench_${name}_${process.pid}`;
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `headroom-bench-${name}-`));
  const { child, url } = await spawnServer({ HEADROOM_DATA_DIR: dataDir, ...env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  return {
    url,
    database: databaseUrl ? 'PostgreSQL' : 'embedded (PGlite)',
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new Client({ connectionString: process.env.DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}
