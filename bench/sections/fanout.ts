// 2. Fan-out: tasks settled per second end to end. Tasks are loaded straight into the tables (as the
// intake writes them, without the creation events), the simulators answer at once with no limits, the
// connections are unpaced, then worker processes (`node src/main.ts`, ROLE=worker) start and the clock
// runs until every task is final.
import { join } from 'node:path';
import { sql } from 'kysely';
import { startCpuWindow, type CpuWindow } from '../lib/cpu.ts';
import { profileMarkdown, newestProfile, summariseProfile } from '../lib/cpuprofile.ts';
import { createScratchDatabase, openDatabase, type ScratchDatabase } from '../lib/db.ts';
import { CPU_PROF, PROF_DIR, QUICK, sleep } from '../lib/env.ts';
import { KORE_BOT, startGateway, writeGatewayConfig, type Gateway } from '../lib/gateway.ts';
import { sampleWaits, waitTable, type WaitSamples } from '../lib/pg-waits.ts';
import { mb, memoryOf } from '../lib/procs.ts';
import { atLeastGoal, details, num, table, type Goal, type SectionResult } from '../lib/report.ts';
import { startBenchSimulators, type BenchSimulators } from '../lib/simulators.ts';

const TASKS = Number(process.env.BENCH_FANOUT_TASKS ?? (QUICK ? 2_000 : 20_000));
const WORKERS = Number(process.env.BENCH_FANOUT_WORKERS ?? 2);
/** The worker settings (config `worker`): the defaults unless BENCH_FANOUT_WORKER is given as JSON. */
const WORKER_SETTINGS: Record<string, unknown> = JSON.parse(process.env.BENCH_FANOUT_WORKER ?? '{}');
const TIMEOUT_MS = 10 * 60_000;

export type Scenario = {
  name: string;
  kind: 'cartesia' | 'mix';
  tasksPerRequest: number;
  describe: string;
};

export const SCENARIOS: Scenario[] = [
  { name: 'Cartesia calls', kind: 'cartesia', tasksPerRequest: 10, describe: '10 `cartesia.call` tasks per request; one DELETE each' },
  {
    name: 'mix',
    kind: 'mix',
    tasksPerRequest: 5,
    describe:
      'per request: 1 `koreai.conversations` job (5 ids: submit, then one poll 0.1 s later), 2 `koreai.recording` (check → delete → confirm: 3 calls each), 2 `cartesia.call` (1 call each) = 5 tasks, 10 upstream calls',
  },
];

export type Outcome = {
  scenario: Scenario;
  workers: number;
  tasks: number;
  requests: number;
  seconds: number;
  steadySeconds: number;
  states: Record<string, number>;
  upstreamCalls: number;
  workerPeaksKB: number[];
  cpu: CpuWindow;
  waits: WaitSamples;
  profile?: string;
};

async function loadTasks(db: ScratchDatabase, s: Scenario, sims: BenchSimulators, tasks: number): Promise<{ requests: number }> {
  const requests = Math.ceil(tasks / s.tasksPerRequest);
  const database = openDatabase(db.url, 1);
  try {
    const task =
      s.kind === 'cartesia'
        ? sql`'cartesia.call', 0, 'cartesia', jsonb_build_object('callId', 'ac_f' || r.n || '_' || j)`
        : sql`
            case when j = 1 then 'koreai.conversations' when j <= 3 then 'koreai.recording' else 'cartesia.call' end,
            case when j = 1 then 0 when j <= 3 then 1 else 2 end,
            case when j <= 3 then 'kore' else 'cartesia' end,
            case when j = 1 then jsonb_build_object('conversationIds', (select jsonb_agg('c_' || r.n || '_' || k) from generate_series(1, 5) k))
                 when j <= 3 then jsonb_build_object('sessionId', 's_' || r.n || '_' || j)
                 else jsonb_build_object('callId', 'ac_f' || r.n || '_' || j) end`;
    await sql`
      with r as (
        insert into erasure_request (id, external_ref, regulation, status, created_by, tenant, created_at, updated_at, due_at, task_count)
        select gen_random_uuid(), 'FANOUT-' || n, 'gdpr', 'pending', 'bench', 'bench', now(), now(), now() + interval '1 month', ${s.tasksPerRequest}::int
        from generate_series(1, ${requests}::int) n
        returning id, substr(external_ref, 8)::int as n
      )
      insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, attempts, next_attempt_at, created_at, updated_at)
      select gen_random_uuid(), r.id, j, ${task}, 'pending', 'start', 0, now(), now(), now()
      from r cross join generate_series(1, ${s.tasksPerRequest}::int) j`.execute(database.db);
    await sql`analyze`.execute(database.db);
  } finally {
    await database.close();
  }
  // The upstream data the tasks erase.
  const calls: Array<{ id: string; status: 'completed' }> = [];
  const conversations: Array<{ id: string }> = [];
  const sessions: Array<{ sessionId: string; userId: string; recording: { status: 'success' } }> = [];
  for (let n = 1; n <= requests; n += 1) {
    for (let j = 1; j <= s.tasksPerRequest; j += 1) {
      if (s.kind === 'cartesia' || j >= 4) calls.push({ id: `ac_f${n}_${j}`, status: 'completed' });
      else if (j === 1) for (let k = 1; k <= 5; k += 1) conversations.push({ id: `c_${n}_${k}` });
      else sessions.push({ sessionId: `s_${n}_${j}`, userId: `u_${n}`, recording: { status: 'success' } });
    }
  }
  sims.cartesia.control.seedCalls(calls);
  if (conversations.length > 0) sims.kore.control.seedConversations(KORE_BOT.botId, conversations);
  if (sessions.length > 0) sims.kore.control.seedSessions(KORE_BOT.botId, sessions);
  return { requests };
}

export async function runScenario(s: Scenario, o: { nodeArgs?: string[]; workers?: number; tasks?: number; label?: string } = {}): Promise<Outcome> {
  const workerCount = o.workers ?? WORKERS;
  const tasks = o.tasks ?? TASKS;
  const label = o.label ?? s.kind;
  const db = await createScratchDatabase(`fanout_${s.kind}`);
  const sims = await startBenchSimulators({ jobDelayMs: 0, requestLogLimit: 100 });
  const workers: Gateway[] = [];
  const database = openDatabase(db.url, 2);
  try {
    const { requests } = await loadTasks(db, s, sims, tasks);
    const config = writeGatewayConfig(`fanout-${label}`, {
      koreUrl: sims.koreUrl,
      cartesiaUrl: sims.cartesiaUrl,
      kore: { jobPollIntervalSeconds: 0.1, recordingRecheckSeconds: 0.1, recordingConfirmDelaySeconds: 0 },
    }, WORKER_SETTINGS);
    let pgPids: number[] = [];
    const endCpu = startCpuWindow({ workers: () => workers.map((w) => w.pid), postgres: () => pgPids });
    const sampler = sampleWaits(db.name);
    const t0 = performance.now();
    for (let i = 1; i <= workerCount; i += 1) {
      workers.push(await startGateway({ name: `fanout-${label}-worker-${i}`, role: 'worker', databaseUrl: db.url, config, wait: false, nodeArgs: o.nodeArgs }));
    }
    let remaining = Number.POSITIVE_INFINITY;
    let pidsAt = 0;
    while (remaining > 0) {
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`fan-out ${s.name}: ${remaining} tasks still not final after ${TIMEOUT_MS / 1000} s`);
      for (const w of workers) if (!w.alive()) throw new Error(`${w.name} exited:\n${w.log().slice(-3000)}`);
      await sleep(50);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from task where state in ('pending', 'running', 'waiting')`.execute(database.db);
      remaining = rows[0]!.n;
      if (performance.now() - pidsAt > 500) {
        pidsAt = performance.now();
        const b = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${db.name} and backend_type = 'client backend' and application_name like 'erasure-gateway%'`.execute(database.db);
        pgPids = [...new Set([...pgPids, ...b.rows.map((r) => r.pid)])];
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const waits = await sampler.stop();
    const cpu = endCpu();
    const workerPeaksKB = workers.map((w) => memoryOf(w.pid).vmHWMkB);
    const states = Object.fromEntries(
      (await sql<{ state: string; n: number }>`select state, count(*)::int as n from task group by state`.execute(database.db)).rows.map((r) => [r.state, r.n]),
    );
    const span = (await sql<{ s: number }>`select extract(epoch from max(finished_at) - min(first_sent_at))::float8 as s from task`.execute(database.db)).rows[0]!.s;
    const counts = [sims.kore.control.requests().counts, sims.cartesia.control.requests().counts];
    const upstreamCalls = counts.reduce((a, c) => a + Object.values(c).reduce((b, r) => b + r.received, 0), 0);
    const total = Object.values(states).reduce((a, b) => a + b, 0);
    for (const w of workers) await w.stop();
    let profile: string | undefined;
    if (CPU_PROF) {
      const f = newestProfile(join(PROF_DIR, `fanout-${label}-worker-1`));
      if (f !== undefined) profile = profileMarkdown(summariseProfile(f));
    }
    process.stderr.write(`  fan-out ${s.name} (${label}, ${workerCount} worker(s)): ${total} tasks in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(0)} tasks/s\n`);
    return { scenario: s, workers: workerCount, tasks: total, requests, seconds, steadySeconds: span, states, upstreamCalls, workerPeaksKB, cpu, waits, profile };
  } finally {
    for (const w of workers) await w.stop();
    await database.close();
    await sims.close();
    await db.drop();
  }
}

export async function runFanout(): Promise<SectionResult> {
  const started = performance.now();
  const outcomes: Outcome[] = [];
  // Default plan: Cartesia with one and with two worker processes, the mix with two (docker-compose's
  // shape). BENCH_FANOUT_WORKERS=n runs every scenario with n; BENCH_FANOUT_SCENARIOS=cartesia|mix one.
  const only = process.env.BENCH_FANOUT_SCENARIOS?.split(',');
  const fixed = process.env.BENCH_FANOUT_WORKERS === undefined ? null : WORKERS;
  const plan: Array<[Scenario, number]> = fixed !== null ? SCENARIOS.map((sc) => [sc, fixed]) : [[SCENARIOS[0]!, 1], [SCENARIOS[0]!, 2], [SCENARIOS[1]!, 2]];
  for (const [sc, n] of plan) {
    if (only !== undefined && !only.includes(sc.kind)) continue;
    outcomes.push(await runScenario(sc, { workers: n, label: `${sc.kind}-${n}w` }));
  }
  const rate = (o: Outcome) => o.tasks / o.seconds;
  const cartesiaRuns = outcomes.filter((o) => o.scenario.kind === 'cartesia');
  const best = (cartesiaRuns.length > 0 ? cartesiaRuns : outcomes).reduce((a, b) => (rate(b) > rate(a) ? b : a));
  const goals: Goal[] = [atLeastGoal(`Fan-out, ${best.scenario.name}, best of ${cartesiaRuns.length} run(s) (${best.workers} worker process(es))`, rate(best), 1000, 'tasks/s')];
  const settings = { concurrency: 32, batchSize: 32, pollIntervalMs: 1000, ...WORKER_SETTINGS };
  // CPU-bound upper bound: tasks per second if the measured processes had both cores to themselves.
  const capacity = (o: Outcome) => {
    const g = o.cpu.groups;
    const cpuPerTask = ((g.workers ?? 0) + (g.postgres ?? 0) + (g['bench process (load client / simulators)'] ?? 0)) / o.tasks;
    return 2 / cpuPerTask;
  };

  const body = [
    `${num(TASKS)} tasks per run, loaded with SQL into a fresh database (requests and tasks as the intake writes them, without creation events), ` +
      `simulators in the bench process with no latency and no limits, both connections unpaced (\`limits: {"windows": []}\`). ` +
      `Then the worker process(es) \`node src/main.ts\` with ROLE=worker, LOG_LEVEL=info (to a file), worker settings ${JSON.stringify(settings)} ` +
      `(the rest default; pool of 10 connections per process), Kore.ai \`jobPollIntervalSeconds\` 0.1. ` +
      'Time runs from spawning the workers (process start included) until no task is pending, running or waiting; "steady" is first upstream send to last settlement, from the task rows.',
    '',
    table(
      ['scenario', 'workers', 'tasks', 'requests', 'upstream calls', 'time', 'tasks/s', 'steady tasks/s', 'calls/s', 'CPU-bound capacity on 2 idle cores', 'final states', 'worker peak RSS'],
      outcomes.map((o) => [
        `${o.scenario.name}: ${o.scenario.describe}`,
        o.workers,
        num(o.tasks),
        num(o.requests),
        num(o.upstreamCalls),
        `${o.seconds.toFixed(1)} s`,
        num(o.tasks / o.seconds),
        num(o.tasks / o.steadySeconds),
        num(o.upstreamCalls / o.seconds),
        `${num(capacity(o))} tasks/s`,
        Object.entries(o.states).map(([k, v]) => `${k} ${v}`).join(', '),
        o.workerPeaksKB.map((k) => `${num(mb(k), 0)} MB`).join(' / '),
      ]),
    ),
    '',
    'Where the CPU went (CPU-seconds over the scenario; the machine has 2 cores, shared with other engineers\' test runs):',
    '',
    '"CPU-bound capacity" = 2 cores ÷ (CPU-seconds per task of the workers + their Postgres backends + the simulators): what these processes would reach if they had the machine to themselves and nothing but CPU limited them.',
    '',
    table(
      ['scenario', 'wall', 'machine busy (all processes)', 'worker processes', 'their Postgres backends', 'bench process (simulators)', 'everything else on the machine', 'worker CPU per task', 'Postgres CPU per task'],
      outcomes.map((o) => {
        const g = o.cpu.groups;
        void g;
        const ours = (g.workers ?? 0) + (g.postgres ?? 0) + (g['bench process (load client / simulators)'] ?? 0);
        return [
          `${o.scenario.name}, ${o.workers} worker(s)`,
          `${o.cpu.wallSeconds.toFixed(1)} s`,
          `${o.cpu.machineBusySeconds.toFixed(1)} s`,
          `${(g.workers ?? 0).toFixed(1)} s`,
          `${(g.postgres ?? 0).toFixed(1)} s`,
          `${(g['bench process (load client / simulators)'] ?? 0).toFixed(1)} s`,
          `${Math.max(0, o.cpu.machineBusySeconds - ours).toFixed(1)} s`,
          `${(((g.workers ?? 0) * 1000) / o.tasks).toFixed(2)} ms`,
          `${(((g.postgres ?? 0) * 1000) / o.tasks).toFixed(2)} ms`,
        ];
      }),
    ),
    '',
    ...outcomes.flatMap((o) => [`What the Postgres backends were doing during "${o.scenario.name}", ${o.workers} worker(s) (sampled every 20 ms):`, '', waitTable(o.waits), '']),
    ...outcomes.filter((o) => o.profile !== undefined).map((o) => details(`CPU profile of worker 1, ${o.scenario.name}, ${o.workers} worker(s) (--cpu-prof)`, o.profile!)),
  ].join('\n');

  return {
    id: 'fanout',
    title: '2. Fan-out throughput',
    goals,
    body,
    seconds: (performance.now() - started) / 1000,
    data: { workerPeakKB: Math.max(...outcomes.flatMap((o) => o.workerPeaksKB)), peaks: outcomes.map((o) => ({ run: `${o.scenario.name}, ${o.workers} worker(s)`, kB: o.workerPeaksKB })) },
  };
}
