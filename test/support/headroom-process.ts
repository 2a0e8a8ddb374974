import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const MAIN_JS = path.join(REPO_ROOT, 'server/dist/server/src/main.js');

export interface HeadroomProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the built server as a real process (what `npm start` runs), so a restart in a test is
 * a real restart. Resolves once the console URL is printed.
 */
export async function startHeadroomProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<HeadroomProcess> {
  const child = spawn(process.execPath, [MAIN_JS, 'start'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HEADROOM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Headroom did not start in ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
    const check = () => {
      const m = /Headroom console: (http:\/\/[^\s/]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Headroom exited with ${code} before starting:\n${out.slice(-3000)}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // The server exits by itself within 15 s of SIGTERM; past 30 s something is wrong.
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

/** Runs a CLI command of the built server to completion. */
export function runHeadroomCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d.toString()));
    child.stderr.on('data', (d) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The environment of a process that simulates the personalization services and pages a fake
 * Slack: the embedded database in `dataDir`, simulated time 60× the wall clock, an evaluation
 * every 2 s, pages to `channel`.
 */
export function simulatorSlackEnv(opts: { dataDir: string; adminToken: string; slackUrl: string; channel: string; signingSecret: string }): Record<string, string> {
  return {
    HEADROOM_DATA_DIR: opts.dataDir,
    HEADROOM_ADMIN_TOKEN: opts.adminToken,
    HEADROOM_SIMULATOR: 'true',
    HEADROOM_SIMULATOR_SEED: '7',
    HEADROOM_TIME_SCALE: '60',
    HEADROOM_EVALUATION_INTERVAL_SECONDS: '2',
    HEADROOM_OUTBOX_POLL_MS: '200',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: opts.signingSecret,
    SLACK_CHANNEL: opts.channel,
    SLACK_API_URL: opts.slackUrl,
  };
}
