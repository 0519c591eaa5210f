// The service as an operator runs it: `node src/main.ts` (Node 24 from node_modules) with ROLE=api or
// ROLE=worker, DATABASE_URL and GATEWAY_CONFIG. Started as child processes, so a test can watch what a
// caller sees while the database goes away, and kill them as an orchestrator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FAULT_SECRETS_ENV } from './fault-config.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');

export type GatewayProcess = {
  role: 'api' | 'worker';
  child: ChildProcess;
  /** http://127.0.0.1:<port> for ROLE=api, null for a worker. */
  baseUrl: string | null;
  exited: Promise<number | null>;
  /** Still running (not exited, not killed). */
  alive(): boolean;
  /** Everything it wrote (JSON log lines), for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
};

/** Starts one process and resolves once it serves (api: its "listening on" line; worker: "worker started"). */
export async function startGatewayProcess(options: {
  role: 'api' | 'worker';
  databaseUrl: string;
  configFile: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}): Promise<GatewayProcess> {
  const child = spawn(NODE, ['src/main.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      ROLE: options.role,
      DATABASE_URL: options.databaseUrl,
      GATEWAY_CONFIG: options.configFile,
      PORT: '0',
      HOST: '127.0.0.1',
      // info: the start lines say when it serves (and where).
      LOG_LEVEL: 'info',
      ...FAULT_SECRETS_ENV,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string | null>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ROLE=${options.role} did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${out.slice(-3000)}`)), options.startTimeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 400_000) out = out.slice(-200_000);
      const listening = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (options.role === 'api' && listening !== null) {
        clearTimeout(timer);
        resolve(listening[1]!);
      }
      if (options.role === 'worker' && out.includes('"worker started"')) {
        clearTimeout(timer);
        resolve(null);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ROLE=${options.role} exited (${code}) before it started:\n${out.slice(-3000)}`));
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!alive()) return;
    child.kill(signal);
    await exited;
  };
  try {
    const baseUrl = await ready;
    return { role: options.role, child, baseUrl, exited, alive, output: () => out, stop };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
}
