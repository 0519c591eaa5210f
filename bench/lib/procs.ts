// Child processes of the bench (gateway, workers, baseline): spawned with their output in a log file,
// their peak memory read from /proc, stopped by their own pid only.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';
import { CPU_PROF, NODE, PROF_DIR, ROOT, sleep, TMP } from './env.ts';

export type Proc = {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  alive(): boolean;
  log(): string;
};

export type SpawnOptions = {
  name: string;
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  /** Run with --cpu-prof when BENCH_CPU_PROF=1 (profiles land in bench/.tmp/prof/<name>/). */
  profile?: boolean;
};

export function spawnNode(o: SpawnOptions): Proc {
  const logFile = join(TMP, `${o.name}.log`);
  const fd = openSync(logFile, 'w');
  // Experiments: BENCH_NODE_ARGS="--max-old-space-size=96 --trace-gc" goes to every gateway/worker process.
  const nodeArgs = [...(process.env.BENCH_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? []), ...(o.nodeArgs ?? [])];
  if (CPU_PROF && o.profile !== false) {
    const dir = join(PROF_DIR, o.name);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', dir);
  }
  const child = spawn(NODE, [...nodeArgs, o.script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // EXP_* variables reach the children: switches of patched copies used for A/B experiments.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('EXP_'))),
      ...o.env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${o.name}`);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 15_000): Promise<number | null> => {
    if (!alive()) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (alive()) child.kill('SIGKILL');
    }, graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const undo = onCleanup(`stop ${o.name} (pid ${pid})`, () => stop(5_000));
  void exited.then(() => undo());
  return { name: o.name, pid, child, logFile, exited, stop, alive, log: () => readFileSync(logFile, 'utf8') };
}

export type MemoryStatus = { vmHWMkB: number; vmRSSkB: number };

/** Peak (VmHWM) and current (VmRSS) resident memory of a live process. */
export function memoryOf(pid: number): MemoryStatus {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { vmHWMkB: field('VmHWM'), vmRSSkB: field('VmRSS') };
}

export const mb = (kB: number) => kB / 1024;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200 (or the process dies, or time runs out). */
export async function waitHttpOk(url: string, proc: Proc, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    if (!proc.alive()) throw new Error(`${proc.name} exited while starting:\n${proc.log().slice(-3000)}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${proc.name} not ready at ${url} after ${timeoutMs} ms (${last}):\n${proc.log().slice(-3000)}`);
}

/** Waits until the process's log contains `text`. */
export async function waitLog(proc: Proc, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (proc.log().includes(text)) return;
    if (!proc.alive()) throw new Error(`${proc.name} exited while starting:\n${proc.log().slice(-3000)}`);
    await sleep(50);
  }
  throw new Error(`${proc.name}: no "${text}" in its log after ${timeoutMs} ms:\n${proc.log().slice(-3000)}`);
}
