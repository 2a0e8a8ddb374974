import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);

/**
 * Debian's Prometheus (scripts/ensure-debian-packages.mjs installs it), started by a test with
 * its own data directory: history written ahead with `promtool tsdb create-blocks-from
 * openmetrics`, and live scrapes of the targets given. stop() and start() again keep the data,
 * as a Prometheus outage would.
 */
export class PrometheusServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-prometheus-'));
  url = '';
  private port = 0;
  private child?: ChildProcess;
  private log = '';

  /** `targets` are scraped as job `ranker`; `jobs` adds others (a metrics path of their own, say). */
  constructor(private readonly options: { targets: string[]; jobs?: Array<{ name: string; targets: string[]; metricsPath?: string }>; scrapeInterval?: string; ruleFiles?: string[] }) {}

  /** Writes history into the TSDB; call before start(). */
  async backfill(openMetrics: string): Promise<void> {
    const file = path.join(this.dir, 'history.om');
    fs.writeFileSync(file, openMetrics);
    await run('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, path.join(this.dir, 'data')], { maxBuffer: 16 * 1024 * 1024 });
    fs.rmSync(file);
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const interval = this.options.scrapeInterval ?? '1s';
    fs.writeFileSync(
      path.join(this.dir, 'prometheus.yml'),
      [
        'global:',
        `  scrape_interval: ${interval}`,
        `  evaluation_interval: ${interval}`,
        ...(this.options.ruleFiles?.length ? ['rule_files:', ...this.options.ruleFiles.map((f) => `  - ${f}`)] : []),
        'scrape_configs:',
        ...[{ name: 'ranker', targets: this.options.targets, metricsPath: undefined as string | undefined }, ...(this.options.jobs ?? [])]
          .filter((job) => job.targets.length > 0)
          .flatMap((job) => [
            `  - job_name: ${job.name}`,
            ...(job.metricsPath ? [`    metrics_path: ${job.metricsPath}`] : []),
            '    static_configs:',
            `      - targets: [${job.targets.map((t) => `"${t}"`).join(', ')}]`,
          ]),
        '',
      ].join('\n'),
    );
    this.child = spawn(
      '/usr/bin/prometheus',
      [`--config.file=${path.join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(this.dir, 'data')}`, `--web.listen-address=127.0.0.1:${this.port}`, '--web.enable-lifecycle'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-20_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited with ${this.child.exitCode}:\n${this.log}`);
      try {
        if ((await fetch(`${this.url}/-/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** An instant query's vector, as numbers by the labels given. */
  async query(promql: string, at: Date): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const url = `${this.url}/api/v1/query?query=${encodeURIComponent(promql)}&time=${at.getTime() / 1000}`;
    const body = (await (await fetch(url)).json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (body.status !== 'success') throw new Error(`${promql}: ${JSON.stringify(body)}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Waits until a query returns at least one sample (a first scrape, say). */
  async waitFor(promql: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.query(promql, new Date())).length === 0) {
      if (Date.now() > deadline) throw new Error(`no result for ${promql} after ${timeoutMs} ms:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  output(): string {
    return this.log;
  }

  async remove(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
