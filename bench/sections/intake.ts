// 1. Intake: POST /v1/erasure-requests at 50 concurrent clients, side by side with the bare baseline
// (fastify + pg, one request row and three target rows per POST): same client, same concurrency, same
// duration, same Postgres, alternating rounds so both see the same background load.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { postHeaders, realisticRequest, runTag, TASKS_PER_REALISTIC_REQUEST } from '../lib/bodies.ts';
import { startCpuMeter, type CpuMeter, type CpuWindow } from '../lib/cpu.ts';
import { createScratchDatabase, withClient } from '../lib/db.ts';
import { QUICK, TMP } from '../lib/env.ts';
import { heapFromMetrics, startGateway, writeGatewayConfig } from '../lib/gateway.ts';
import { runLoad, type LoadResult } from '../lib/load.ts';
import { sampleWaits, waitTable, type WaitSamples } from '../lib/pg-waits.ts';
import { freePort, mb, memoryOf, spawnNode, waitHttpOk, type Proc } from '../lib/procs.ts';
import { atLeastGoal, belowGoal, codeBlock, ms, num, table, type SectionResult } from '../lib/report.ts';

const BASELINE_SOURCE = process.env.BENCH_BASELINE ?? '/work/shared/bench/baseline-intake.mjs';
const CONCURRENCY = 50;
const DURATION_MS = Number(process.env.BENCH_INTAKE_SECONDS ?? (QUICK ? 4 : 20)) * 1000;
const WARMUP_MS = QUICK ? 1_000 : 3_000;
const ROUNDS = QUICK ? 1 : 2;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

type Round = { system: 'baseline' | 'gateway'; round: number; load: LoadResult; cpu: CpuWindow; waits: WaitSamples };

async function backendPids(url: string, database: string): Promise<number[]> {
  return withClient(url, async (c) =>
    (await c.query<{ pid: number }>(`select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()`, [database])).rows.map((r) => r.pid),
  );
}

function intakeLoad(origin: string, path: string, apiKey: string, durationMs: number, keyPrefix: string, onMeasureStart?: () => void): Promise<LoadResult> {
  let seq = 0;
  return runLoad({
    onMeasureStart,
    origin,
    concurrency: CONCURRENCY,
    durationMs,
    warmupMs: WARMUP_MS,
    expectStatus: 202,
    makeRequest: () => {
      const n = (seq += 1);
      return { method: 'POST', path, headers: postHeaders(apiKey, `bench-${runTag}-${keyPrefix}-${n}`), body: JSON.stringify(realisticRequest(n)) };
    },
  });
}

/**
 * Diagnostic: the baseline with one change — `select pg_notify(...)` in its transaction, as the
 * gateway's submit does — to show what a NOTIFY in every intake transaction costs on its own.
 */
async function baselineWithNotify(): Promise<{ load: LoadResult; waits: WaitSamples }> {
  const db = await createScratchDatabase('intake_blnotify', { migrate: false });
  const script = join(TMP, 'baseline-intake-notify.mjs');
  const source = readFileSync(BASELINE_SOURCE, 'utf8');
  const patched = source.replace("await c.query('commit');", "await c.query(\"select pg_notify('erasure_tasks', '')\"); await c.query('commit');");
  if (patched === source) throw new Error(`cannot patch ${BASELINE_SOURCE}: no "await c.query('commit');"`);
  writeFileSync(script, patched);
  const port = await freePort();
  const proc = spawnNode({ name: 'intake-baseline-notify', script, env: { DATABASE_URL: db.url, PORT: String(port) } });
  try {
    await waitHttpOk(`http://127.0.0.1:${port}/hello`, proc);
    const sampler = sampleWaits(db.name);
    const load = await intakeLoad(`http://127.0.0.1:${port}`, '/requests', 'unused', DURATION_MS, 'blnotify');
    return { load, waits: await sampler.stop() };
  } finally {
    await proc.stop();
    await db.drop();
  }
}

/** One gateway (fresh process and database) under the intake load: throughput, latency, peak memory. */
export async function gatewayIntakeOnce(o: { name: string; nodeArgs?: string[]; durationMs?: number }): Promise<{ load: LoadResult; peakKB: number; heap: Record<string, number> }> {
  const db = await createScratchDatabase(`intake_${o.name.replace(/[^a-z0-9]/g, '')}`);
  const config = writeGatewayConfig(`intake-${o.name}`, { koreUrl: 'http://127.0.0.1:9', cartesiaUrl: 'http://127.0.0.1:9' });
  const gateway = await startGateway({ name: `intake-${o.name}`, role: 'api', databaseUrl: db.url, config, logLevel: LOG_LEVEL, nodeArgs: o.nodeArgs });
  try {
    const load = await intakeLoad(gateway.baseUrl!, '/v1/erasure-requests', config.apiKey, o.durationMs ?? DURATION_MS, o.name);
    const heap = await heapFromMetrics(gateway.baseUrl!);
    return { load, peakKB: memoryOf(gateway.pid).vmHWMkB, heap };
  } finally {
    await gateway.stop();
    await db.drop();
  }
}

export async function runIntake(): Promise<SectionResult> {
  const started = performance.now();
  const gwDb = await createScratchDatabase('intake_gw');
  const blDb = await createScratchDatabase('intake_bl', { migrate: false });

  // The baseline, copied next to our node_modules so it resolves fastify and pg from them.
  const baselineScript = join(TMP, 'baseline-intake.mjs');
  copyFileSync(BASELINE_SOURCE, baselineScript);
  const blPort = await freePort();
  const baseline: Proc = spawnNode({ name: 'intake-baseline', script: baselineScript, env: { DATABASE_URL: blDb.url, PORT: String(blPort) } });
  const blOrigin = `http://127.0.0.1:${blPort}`;
  await waitHttpOk(`${blOrigin}/hello`, baseline);

  // Nothing calls the upstreams in this section (ROLE=api): the connections only have to exist.
  const config = writeGatewayConfig('intake-gateway', { koreUrl: 'http://127.0.0.1:9', cartesiaUrl: 'http://127.0.0.1:9' });
  const gateway = await startGateway({ name: 'intake-gateway', role: 'api', databaseUrl: gwDb.url, config, logLevel: LOG_LEVEL });
  const gwOrigin = gateway.baseUrl!;

  const rounds: Round[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const system of ['baseline', 'gateway'] as const) {
        const isGateway = system === 'gateway';
        const proc = isGateway ? gateway : baseline;
        const dbName = isGateway ? gwDb.name : blDb.name;
        const dbUrl = isGateway ? gwDb.url : blDb.url;
        // CPU and wait sampling cover the measured span only (after the warm-up). The Postgres backends
        // serving the pool are looked up while the load runs; each counts from when it is first seen.
        let meter: CpuMeter | null = null;
        let sampler: ReturnType<typeof sampleWaits> | null = null;
        let tracking = true;
        const tracker = (async () => {
          while (tracking) {
            if (meter !== null) (meter as CpuMeter).track('postgres', await backendPids(dbUrl, dbName));
            await new Promise((r) => setTimeout(r, 250));
          }
        })();
        const load = await intakeLoad(isGateway ? gwOrigin : blOrigin, isGateway ? '/v1/erasure-requests' : '/requests', config.apiKey, DURATION_MS, `${system}-${round}`, () => {
          meter = startCpuMeter({ app: [proc.pid], postgres: [] });
          sampler = sampleWaits(dbName);
        });
        tracking = false;
        await tracker;
        const cpu: CpuWindow = (meter as CpuMeter | null)?.end() ?? { machineBusySeconds: Number.NaN, wallSeconds: Number.NaN, groups: {} };
        const waits = (await (sampler as ReturnType<typeof sampleWaits> | null)?.stop()) ?? { samples: 0, active: 0, byWait: {}, lockWaits: {} };
        rounds.push({ system, round, load, cpu, waits });
        process.stderr.write(`  intake round ${round} ${system}: ${load.throughputPerSec.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, errors ${load.errors}\n`);
      }
    }
    const gwMem = memoryOf(gateway.pid);
    const gwHeap = await heapFromMetrics(gwOrigin);
    const blMem = memoryOf(baseline.pid);
    const rows = await withClient(gwDb.url, async (c) => (await c.query<{ r: number; t: number; e: number }>(
      'select (select count(*) from erasure_request)::int as r, (select count(*) from task)::int as t, (select count(*) from request_event)::int as e',
    )).rows[0]!);

    // The diagnostic runs alone: stop the two measured processes first.
    await gateway.stop();
    await baseline.stop();
    const notify = await baselineWithNotify();
    process.stderr.write(`  intake diagnostic baseline + NOTIFY: ${notify.load.throughputPerSec.toFixed(0)} req/s, p99 ${notify.load.p99Ms.toFixed(1)} ms\n`);

    const of = (s: Round['system']) => rounds.filter((r) => r.system === s);
    const total = (s: Round['system']) => {
      const rs = of(s);
      const requests = rs.reduce((a, r) => a + r.load.requests, 0);
      const seconds = rs.reduce((a, r) => a + r.load.durationMs / 1000, 0);
      const appCpu = rs.reduce((a, r) => a + (r.cpu.groups.app ?? 0), 0);
      const pgCpu = rs.reduce((a, r) => a + (r.cpu.groups.postgres ?? 0), 0);
      return {
        requests,
        throughput: requests / seconds,
        p50: Math.max(...rs.map((r) => r.load.p50Ms)),
        p99: Math.max(...rs.map((r) => r.load.p99Ms)),
        errors: rs.reduce((a, r) => a + r.load.errors, 0),
        appCpuMsPerReq: (appCpu * 1000) / requests,
        pgCpuMsPerReq: (pgCpu * 1000) / requests,
      };
    };
    const gw = total('gateway');
    const bl = total('baseline');

    const goals = [
      atLeastGoal('Intake throughput vs baseline (50 clients)', gw.throughput, bl.throughput, 'req/s', 0, `baseline (${num(bl.throughput)} req/s)`),
      belowGoal('Intake p99 latency (50 clients)', gw.p99, 100, 'ms'),
    ];
    if (gw.errors > 0) goals.push({ name: 'Intake answers all 202', target: '0 errors', figure: `${gw.errors} errors`, met: false, gap: `${gw.errors} non-202 answers` });

    const body = [
      `${CONCURRENCY} closed-loop clients (bench/lib/load.ts, one undici pool), ${num(WARMUP_MS / 1000)} s warm-up then ${num(DURATION_MS / 1000)} s measured per round, ` +
        `${ROUNDS} round(s) alternating baseline → gateway, each against its own fresh database on the same Postgres. ` +
        `Gateway: \`node src/main.ts\`, ROLE=api, NODE_ENV=production, LOG_LEVEL=${LOG_LEVEL} to a file (one access-log line per request, as in production), ` +
        `pool of 10 connections (the default); baseline: ${BASELINE_SOURCE} (pool of 10, no validation, auth, idempotency or events). ` +
        `Body: ${TASKS_PER_REALISTIC_REQUEST}-task request (3 targets: 5 conversation ids → 1 job, 2 sessions, 2 calls, a subject), unique Idempotency-Key per request; the baseline gets the same bytes.`,
      '',
      table(
        ['round', 'system', 'requests', 'req/s', 'p50', 'p90', 'p99', 'max', 'errors', 'app CPU', 'Postgres backends CPU', 'machine busy'],
        rounds.map((r) => [
          r.round,
          r.system,
          num(r.load.requests),
          num(r.load.throughputPerSec),
          ms(r.load.p50Ms),
          ms(r.load.p90Ms),
          ms(r.load.p99Ms),
          ms(r.load.maxMs),
          r.load.errors,
          `${num(r.cpu.groups.app ?? 0, 1)} s`,
          `${num(r.cpu.groups.postgres ?? 0, 1)} s`,
          `${num((r.cpu.machineBusySeconds / r.cpu.wallSeconds) * 100, 0)} %`,
        ]),
      ),
      '',
      table(
        ['system', 'req/s (all rounds)', 'worst p50', 'worst p99', 'app CPU per request', 'Postgres CPU per request', 'peak RSS (VmHWM)'],
        [
          ['baseline', num(bl.throughput), ms(bl.p50), ms(bl.p99), ms(bl.appCpuMsPerReq, 2), ms(bl.pgCpuMsPerReq, 2), `${num(mb(blMem.vmHWMkB), 1)} MB`],
          ['gateway', num(gw.throughput), ms(gw.p50), ms(gw.p99), ms(gw.appCpuMsPerReq, 2), ms(gw.pgCpuMsPerReq, 2), `${num(mb(gwMem.vmHWMkB), 1)} MB`],
        ],
      ),
      '',
      `Gateway vs baseline: ${num((gw.throughput / bl.throughput) * 100)} % of the baseline's throughput. ` +
        `Rows written by the gateway: ${num(rows.r)} requests, ${num(rows.t)} tasks, ${num(rows.e)} events (plus one idempotency row each). ` +
        `"machine busy": CPU used by every process on the shared machine (other engineers' tests included) during the measured span, 200 % = both cores; app and Postgres CPU are over the same span.`,
      '',
      ...(['baseline', 'gateway'] as const).flatMap((s) => {
        const last = of(s).at(-1)!;
        return [`What the ${s}'s Postgres backends were doing (pg_stat_activity sampled every 20 ms, last round):`, '', waitTable(last.waits), ''];
      }),
      `**Diagnostic — the baseline plus one statement**, \`select pg_notify('erasure_tasks', '')\` before its commit (what the gateway's submit transaction does to wake the workers), same load, one ${num(DURATION_MS / 1000)} s round: ` +
        `**${num(notify.load.throughputPerSec)} req/s**, p50 ${ms(notify.load.p50Ms)}, p99 ${ms(notify.load.p99Ms)} (baseline without it: ${num(bl.throughput)} req/s). Its backends:`,
      '',
      waitTable(notify.waits),
      '',
      'A transaction that has sent NOTIFY takes a database-wide lock at commit (`object pg_database … AccessExclusiveLock`, PreCommit_Notify) and holds it until its commit record is flushed, ' +
        'so every notifying commit waits for the one before it and its WAL flush: no group commit. The baseline\'s commits, without NOTIFY, wait on `WALWrite` together and share one flush.',
      '',
      ...(gw.errors > 0 || bl.errors > 0
        ? ['', 'First unexpected answers:', codeBlock(rounds.filter((r) => r.load.firstError !== undefined).map((r) => `${r.system} #${r.round}: ${r.load.firstError}`).join('\n'))]
        : []),
    ].join('\n');

    return {
      id: 'intake',
      title: '1. Intake throughput and latency',
      goals,
      body,
      seconds: (performance.now() - started) / 1000,
      data: { gatewayPeakKB: gwMem.vmHWMkB, baselinePeakKB: blMem.vmHWMkB, gatewayHeap: gwHeap, gateway: gw, baseline: bl },
    };
  } finally {
    await gateway.stop();
    await baseline.stop();
    await gwDb.drop();
    await blDb.drop();
  }
}
