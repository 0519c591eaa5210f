// A Postgres server of the test's own, to stop and start in the middle of a run (the shared test server
// must never be restarted: other test files use it).
//
// Real Postgres when its binaries are installed (initdb and pg_ctl, e.g. /usr/lib/postgresql/<v>/bin
// on Debian/Ubuntu): a throw-away cluster in a temp folder, trust auth, on a free port, sockets in the
// same folder. initdb refuses to run as root, so as root the cluster belongs to the `postgres` user and
// every command runs through `runuser -u postgres` (or `su postgres -c` where runuser is missing).
// Otherwise the embedded engine (PGlite), persisted in a temp folder and restarted on the same port.
// FAULTS_POSTGRES=embedded forces the embedded engine; FAULTS_POSTGRES=real requires the binaries.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/db/embedded.ts';

const run = promisify(execFile);

export type PrivatePostgres = {
  kind: 'postgres' | 'embedded';
  /** Connection string of the `postgres` database, superuser `postgres`. */
  url: string;
  /** How the server was found, e.g. "/usr/lib/postgresql/15/bin (as user postgres)". */
  description: string;
  /** Stops the server: `pg_ctl stop -m fast` (connections are terminated), or the embedded engine closed. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its files. */
  close(): Promise<void>;
};

type Binaries = { bin: string; initdb: string; pgCtl: string };

/** initdb and pg_ctl from PATH, pg_config --bindir, or the usual install folders; null when absent. */
export function findPostgresBinaries(): Binaries | null {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config on PATH
  }
  for (const root of ['/usr/lib/postgresql', '/usr/local/lib/postgresql', '/opt/homebrew/opt']) {
    if (!existsSync(root)) continue;
    const versions = readdirSync(root)
      .filter((v) => /^\d+|^postgresql/.test(v))
      .sort((a, b) => Number.parseInt(b.replace(/\D+/g, ''), 10) - Number.parseInt(a.replace(/\D+/g, ''), 10));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
  }
  candidates.push('/usr/local/pgsql/bin', ...(process.env.PATH ?? '').split(':'));
  for (const bin of candidates) {
    if (bin !== '' && existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) {
      return { bin, initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
    }
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

type RunAs = { user: string | null; uid: number | null; gid: number | null; wrap(cmd: string, args: string[]): [string, string[]] };

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** How to run the server's commands: as ourselves, or (as root) as the `postgres` user. */
function runAs(): RunAs | null {
  if (process.getuid?.() !== 0) return { user: null, uid: null, gid: null, wrap: (cmd, args) => [cmd, args] };
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    return null; // root, and no postgres user to run the server as
  }
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));
  if (runuser !== undefined) return { user: 'postgres', uid, gid, wrap: (cmd, args) => [runuser, ['-u', 'postgres', '--', cmd, ...args]] };
  return { user: 'postgres', uid, gid, wrap: (cmd, args) => ['su', ['postgres', '-s', '/bin/sh', '-c', [cmd, ...args].map(quote).join(' ')]] };
}

async function startRealPostgres(bins: Binaries, as: RunAs): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-faults-pg-'));
  if (as.uid !== null && as.gid !== null) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = await freePort();
  const exec = async (cmd: string, args: string[]) => {
    const [file, argv] = as.wrap(cmd, args);
    try {
      await run(file, argv, { timeout: 60_000 });
    } catch (error) {
      const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${cmd} ${args.join(' ')} failed: ${(error as Error).message}\n${serverLog}`);
    }
  };
  const initdb = () => exec(bins.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Local-only, small, fast: this cluster lives for one test.
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c full_page_writes=off', '-c max_connections=100'].join(' ');
  let running = false;
  const start = async () => {
    await exec(bins.pgCtl, ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async () => {
    await exec(bins.pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  try {
    await initdb();
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // If the test process ends without close() (a crash, Ctrl-C), do not leave a server behind.
  const stopAtExit = () => {
    if (!running) return;
    const [file, argv] = as.wrap(bins.pgCtl, ['-D', data, '-m', 'immediate', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // already gone
    }
  };
  process.once('exit', stopAtExit);
  return {
    kind: 'postgres',
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    description: `${bins.bin}${as.user === null ? '' : ` (as user ${as.user})`}, port ${port}`,
    stop,
    start,
    async close() {
      if (running) await stop().catch(() => exec(bins.pgCtl, ['-D', data, '-m', 'immediate', 'stop']).catch(() => {}));
      process.off('exit', stopAtExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startEmbedded(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-faults-pglite-'));
  const dataDir = join(dir, 'pglite');
  let engine: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir });
  const url = engine.url;
  const port = Number(new URL(url).port);
  return {
    kind: 'embedded',
    url,
    description: `embedded PGlite under ${dataDir}, port ${port}`,
    async stop() {
      await engine?.close();
      engine = null;
    },
    async start() {
      engine = await startEmbeddedPostgres({ dataDir, port });
    },
    async close() {
      await engine?.close();
      engine = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private server: real Postgres when installed (see the top of this file), else the embedded engine. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const wanted = process.env.FAULTS_POSTGRES;
  if (wanted === 'embedded') return startEmbedded();
  const bins = findPostgresBinaries();
  const as = runAs();
  if (bins !== null && as !== null) {
    try {
      return await startRealPostgres(bins, as);
    } catch (error) {
      // E.g. a temp folder the postgres user cannot enter: say why, then use the embedded engine.
      if (wanted === 'real') throw error;
      console.warn(`[faults] real Postgres did not start (${(error as Error).message.split('\n')[0]}); using the embedded engine`);
      return startEmbedded();
    }
  }
  if (wanted === 'real') throw new Error(bins === null ? 'FAULTS_POSTGRES=real: no initdb/pg_ctl found' : 'FAULTS_POSTGRES=real: running as root without a postgres user');
  return startEmbedded();
}
