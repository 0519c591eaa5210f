// 3. Wake-up: from the 202 of a submit to the first upstream call the simulator receives, on an idle
// system. The simulator runs in the bench process, so both instants are read from the same clock
// (performance.now()). Trials are spaced with random gaps so they never line up with the polling.
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { createScratchDatabase } from '../lib/db.ts';
import { QUICK, sleep } from '../lib/env.ts';
import { startGateway, writeGatewayConfig, type Gateway } from '../lib/gateway.ts';
import { percentile } from '../lib/load.ts';
import { belowGoal, ms, table, type Goal, type SectionResult } from '../lib/report.ts';
import { startBenchSimulators } from '../lib/simulators.ts';

const TRIALS = Number(process.env.BENCH_WAKEUP_TRIALS ?? (QUICK ? 15 : 60));

type Mode = { name: string; describe: string; roles: Array<'api' | 'worker' | 'all'> };

const MODES: Mode[] = [
  { name: 'API and worker processes (NOTIFY)', describe: 'ROLE=api + ROLE=worker: the worker wakes on LISTEN/NOTIFY', roles: ['api', 'worker'] },
  { name: 'one process, ROLE=all', describe: 'ROLE=all: the intake wakes the worker in-process (and NOTIFY reaches it too)', roles: ['all'] },
];

type Trial = { fromSend: number; from202: number; submitMs: number };
type ModeResult = { mode: Mode; trials: Trial[]; timeouts: number };

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN, min: sorted[0] ?? Number.NaN };
};

async function runMode(mode: Mode): Promise<ModeResult> {
  const db = await createScratchDatabase('wakeup');
  const seen = new Map<string, number>();
  const sims = await startBenchSimulators({
    onRequest: (_sim, url, at) => {
      const id = /\/agents\/calls\/([^/?]+)/.exec(url)?.[1];
      if (id !== undefined && !seen.has(id)) seen.set(id, at);
    },
  });
  const tag = randomBytes(3).toString('hex');
  sims.cartesia.control.seedCalls(Array.from({ length: TRIALS }, (_, i) => ({ id: `ac_wake_${tag}_${i}`, status: 'completed' as const })));
  // Connection limits as operators get them by default (Cartesia: concurrency 8, so claims go through pacing); default worker settings.
  const config = writeGatewayConfig('wakeup', { koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, cartesia: { limits: { concurrency: 8 } } });
  const procs: Gateway[] = [];
  try {
    for (const role of mode.roles) procs.push(await startGateway({ name: `wakeup-${role}`, role, databaseUrl: db.url, config }));
    const api = procs.find((p) => p.baseUrl !== null)!;
    const pool = new Pool(api.baseUrl!, { connections: 1 });
    await sleep(1500); // let start-up work (first sweeps, purge, listener) settle
    const trials: Trial[] = [];
    let timeouts = 0;
    for (let i = 0; i < TRIALS; i += 1) {
      const callId = `ac_wake_${tag}_${i}`;
      const body = JSON.stringify({ regulation: 'gdpr', externalRef: `WAKE-${i}`, targets: [{ type: 'cartesia.calls', connection: 'cartesia', callIds: [callId] }] });
      const t0 = performance.now();
      const res = await pool.request({
        method: 'POST',
        path: '/v1/erasure-requests',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${config.apiKey}`, 'idempotency-key': `wake-${tag}-${i}` },
        body,
      });
      const text = await res.body.text();
      const t202 = performance.now();
      if (res.statusCode !== 202) throw new Error(`wake-up submit answered ${res.statusCode}: ${text.slice(0, 300)}`);
      const deadline = performance.now() + 5_000;
      while (!seen.has(callId) && performance.now() < deadline) await sleep(1);
      const at = seen.get(callId);
      if (at === undefined) timeouts += 1;
      else trials.push({ fromSend: at - t0, from202: at - t202, submitMs: t202 - t0 });
      // Idle gap: the task settles, then nothing happens for a random 300–700 ms.
      await sleep(300 + Math.random() * 400);
    }
    await pool.close();
    const s = stats(trials.map((t) => t.from202));
    process.stderr.write(`  wake-up ${mode.name}: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms over ${trials.length} trials\n`);
    return { mode, trials, timeouts };
  } finally {
    for (const p of procs) await p.stop();
    await sims.close();
    await db.drop();
  }
}

export async function runWakeup(): Promise<SectionResult> {
  const started = performance.now();
  const results: ModeResult[] = [];
  for (const m of MODES) results.push(await runMode(m));
  const goals: Goal[] = results.map((r) => belowGoal(`Wake-up p50, 202 → first upstream call (${r.mode.name})`, stats(r.trials.map((t) => t.from202)).p50, 50, 'ms'));
  const body = [
    `${TRIALS} trials per mode on an idle system: submit one request with one Cartesia call (\`POST /v1/erasure-requests\`, 202), ` +
      'then wait for the Cartesia simulator (in the bench process, same clock) to receive the DELETE; then 300–700 ms of idle before the next trial. ' +
      'Gateway `node src/main.ts` with default worker settings (`pollIntervalMs` 1000) and the default Cartesia limits (`concurrency` 8, so the claim goes through the pacing path). ' +
      '"202 → call" is negative when the call reached the simulator before the 202 reached the client.',
    '',
    table(
      ['mode', 'trials', 'timeouts', '202 → call p50', 'p90', 'p99', 'max', 'min', 'send → call p50', 'send → call p99', 'submit (send → 202) p50'],
      results.map((r) => {
        const a = stats(r.trials.map((t) => t.from202));
        const b = stats(r.trials.map((t) => t.fromSend));
        const c = stats(r.trials.map((t) => t.submitMs));
        return [r.mode.describe, r.trials.length, r.timeouts, ms(a.p50), ms(a.p90), ms(a.p99), ms(a.max), ms(a.min), ms(b.p50), ms(b.p99), ms(c.p50)];
      }),
    ),
  ].join('\n');
  return { id: 'wakeup', title: '3. Wake-up latency', goals, body, seconds: (performance.now() - started) / 1000 };
}
