import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

/** The newest PostgreSQL server binaries Debian's `postgresql` package installed (scripts/ensure-debian-packages.mjs). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin/pg_ctl'))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}: install Debian's postgresql package (npm test does)`);
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A PostgreSQL server of a test's own: initdb into a temporary directory, pg_ctl on a free
 * port, so a test may stop and start it (the database "restarting under load") without
 * touching the server CI gives every suite. Runs as the `postgres` user when the test runs as
 * root (initdb refuses root).
 */
export class OwnPostgres {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly asUser: string | null,
  ) {}

  static async create(): Promise<OwnPostgres> {
    const bin = postgresBinDir();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-own-pg-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : null;
    if (asUser) execFileSync('chown', ['-R', `${asUser}:`, dataDir]);
    const pg = new OwnPostgres(dataDir, await freePort(), bin, asUser);
    pg.run('initdb', ['-D', pg.pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // No fsync: the tests restart the server, they do not crash the machine; the WAL still
    // makes an immediate shutdown recover like a crash.
    fs.appendFileSync(path.join(pg.pgdata, 'postgresql.conf'), `\nport = ${pg.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dataDir}'\nfsync = off\nmax_connections = 100\n`);
    await pg.start();
    return pg;
  }

  private get pgdata(): string {
    return path.join(this.dataDir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const c = new Client({ connectionString: this.url() });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    return this.url(name);
  }

  async start(): Promise<void> {
    this.run('pg_ctl', ['-D', this.pgdata, '-l', path.join(this.dataDir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** `fast`: sessions are ended, then a clean shutdown; `immediate`: the server stops at once, as in a crash, and recovers from the WAL at start. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    this.run('pg_ctl', ['-D', this.pgdata, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      this.run('pg_ctl', ['-D', this.pgdata, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  log(): string {
    const file = path.join(this.dataDir, 'server.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  }

  private run(tool: string, args: string[]): void {
    const cmd = path.join(this.bin, tool);
    const [file, argv] = this.asUser ? ['runuser', ['-u', this.asUser, '--', cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: 'pipe', cwd: this.dataDir });
  }
}
