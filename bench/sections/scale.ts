// 4. Scale: with 1,000,000 requests and ~4,000,000 tasks loaded, the API's reads stay fast and the
// workers' claim query keeps the plan it has on an empty database.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { listRequests, findRequest } from '../../src/db/requests.ts';
import type { DB } from '../../src/db/schema.ts';
import { claimDueTasks } from '../../src/db/sql/claim-due-tasks.ts';
import { countTasksByTarget } from '../../src/db/tasks.ts';
import { tenantScope } from '../../src/domain/caller.ts';
import { TASK_TYPES } from '../../src/domain/types.ts';
import { startCpuWindow, type CpuWindow } from '../lib/cpu.ts';
import { createScratchDatabase, withClient } from '../lib/db.ts';
import { QUICK } from '../lib/env.ts';
import { startGateway, writeGatewayConfig } from '../lib/gateway.ts';
import { runLoad, type LoadResult } from '../lib/load.ts';
import { belowGoal, codeBlock, details, ms, num, table, type Goal, type SectionResult } from '../lib/report.ts';
import { ensureScaleDatabase } from '../lib/scale-data.ts';
import { captureSql, planShape } from '../lib/sql-capture.ts';

const SCALE = QUICK ? { name: 'eg_bench_scale_quick', requests: 20_000 } : { name: 'eg_bench_scale', requests: 1_000_000 };
const GET_SAMPLES = QUICK ? 300 : 2_000;
const LIST_SAMPLES = QUICK ? 60 : 300;

type ListCase = { name: string; query: (now: Date) => string; filters: (now: Date) => Parameters<typeof listRequests>[1]['filters'] };

const DAY = 86_400_000;
/** The API key of writeGatewayConfig() is named "bench": its tenant holds most of the scale data. */
const BENCH_TENANT = tenantScope('bench');
const LIST_CASES: ListCase[] = [
  { name: 'newest first, no filter', query: () => '', filters: () => ({}) },
  { name: 'status=in_progress', query: () => 'status=in_progress', filters: () => ({ status: 'in_progress' }) },
  { name: 'overdue=true', query: () => 'overdue=true', filters: () => ({ overdue: true }) },
  { name: 'createdAfter = 7 days ago', query: (now) => `createdAfter=${new Date(now.getTime() - 7 * DAY).toISOString()}`, filters: (now) => ({ createdAfter: new Date(now.getTime() - 7 * DAY) }) },
  {
    name: 'status=in_progress & overdue=true & createdAfter = 90 days ago',
    query: (now) => `status=in_progress&overdue=true&createdAfter=${new Date(now.getTime() - 90 * DAY).toISOString()}`,
    filters: (now) => ({ status: 'in_progress', overdue: true, createdAfter: new Date(now.getTime() - 90 * DAY) }),
  },
  {
    name: 'status=failed & createdBefore = 180 days ago',
    query: (now) => `status=failed&createdBefore=${new Date(now.getTime() - 180 * DAY).toISOString()}`,
    filters: (now) => ({ status: 'failed', createdBefore: new Date(now.getTime() - 180 * DAY) }),
  },
];

async function explain(url: string, text: string, params: readonly unknown[], options: string, rollback = false): Promise<string> {
  return withClient(url, async (c) => {
    if (rollback) await c.query('begin');
    try {
      const { rows } = await c.query<{ 'QUERY PLAN': string }>(`explain (${options}) ${text}`, [...params]);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      if (rollback) await c.query('rollback');
    }
  });
}

/** How each table is read, in plan order: "Index Scan using task_due on task", "Seq Scan on task", … */
function accessPaths(plan: string): string[] {
  return plan
    .split('\n')
    .map((l) => /(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)(?: Backward)?(?: using (\S+))? on (\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}${m[2] ? ` using ${m[2]}` : ''} on ${m[3]}`);
}

type Probe = { backlog: number; plan: string; ms: number; removed: number; fixPlan: string; fixMs: number; fixRemoved: number };

/**
 * A claim for the unpaced connection (cartesia) while another connection (kore) has a backlog of due
 * tasks it may not take (paced, or paused after Kore.ai's hourly limit): in a transaction rolled back,
 * `backlog` kore tasks become due (older than every other due task), then EXPLAIN ANALYZE of the real
 * claim; then the same with the index task_due dropped (a preview of a fix, also rolled back).
 */
async function backlogProbe(url: string, backlog: number): Promise<Probe> {
  const q = (await captureSql((db) => claimDueTasks(db, { ...claimInput(), connections: ['cartesia'] })))[0]!;
  return withClient(url, async (c) => {
    await c.query('begin');
    try {
      await c.query(
        `update task set state = 'pending', next_attempt_at = now() - interval '3 days' - random() * interval '1 day', finished_at = null
         where id in (select id from task where connection = 'kore' and state = 'succeeded' limit $1)`,
        [backlog],
      );
      const run = async () => {
        await c.query('savepoint probe');
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]);
        await c.query('rollback to savepoint probe');
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
        return { plan, ms: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN), removed };
      };
      const before = await run();
      await c.query('drop index if exists task_due'); // gone since migration 20261121T130000: then both runs are the same plan
      const after = await run();
      return { backlog, plan: before.plan, ms: before.ms, removed: before.removed, fixPlan: after.plan, fixMs: after.ms, fixRemoved: after.removed };
    } finally {
      await c.query('rollback');
    }
  });
}

function claimInput() {
  const now = new Date();
  return { owner: 'bench', now, leaseSeconds: 60, limit: 32, types: TASK_TYPES.filter((t) => t !== 'callback'), connections: ['kore', 'cartesia'] };
}

export async function runScale(o: { rebuild: boolean }): Promise<SectionResult> {
  const started = performance.now();
  const info = await ensureScaleDatabase({ ...SCALE, rebuild: o.rebuild, log: (s) => process.stderr.write(`${s}\n`) });
  process.stderr.write(`  scale database ${info.name}: ${info.reused ? 'reused' : `loaded in ${info.loadSeconds.toFixed(0)} s`}\n`);

  const shape = await withClient(info.url, async (c) => {
    const statuses = (await c.query<{ status: string; n: number }>('select status, count(*)::int as n from erasure_request group by 1 order by 2 desc')).rows;
    const states = (await c.query<{ state: string; n: number }>('select state, count(*)::int as n from task group by 1 order by 2 desc')).rows;
    const overdue = (await c.query<{ n: number }>(`select count(*)::int as n from erasure_request where due_at < now() and status not in ('completed', 'cancelled')`)).rows[0]!.n;
    const due = (await c.query<{ n: number }>(`select count(*)::int as n from task where state in ('pending', 'waiting') and next_attempt_at <= now()`)).rows[0]!.n;
    const span = (await c.query<{ a: Date; b: Date }>('select min(created_at) as a, max(created_at) as b from erasure_request')).rows[0]!;
    const size = (await c.query<{ s: string }>('select pg_size_pretty(pg_database_size(current_database())) as s')).rows[0]!.s;
    const ids = (await c.query<{ id: string }>("select id from erasure_request tablesample bernoulli (0.5) where tenant = 'bench' limit 2000")).rows.map((r) => r.id);
    const refs = (await c.query<{ r: string }>("select external_ref as r from erasure_request tablesample bernoulli (0.5) where external_ref is not null and tenant = 'bench' limit 500")).rows.map((r) => r.r);
    return { statuses, states, overdue, due, span, size, ids, refs };
  });

  // The real claim statement, compiled by the worker's own code.
  const claim = (await captureSql((db) => claimDueTasks(db, claimInput())))[0]!;
  const empty = await createScratchDatabase('scale_empty');
  const planEmpty = await explain(empty.url, claim.sql, claim.parameters, 'costs off');
  await empty.drop();
  const planScale = await explain(info.url, claim.sql, claim.parameters, 'costs off');
  const planScaleAnalyzed = await explain(info.url, claim.sql, claim.parameters, 'analyze, buffers, costs off', true);
  const sameClaimPlan = planShape(planEmpty) === planShape(planScale);
  const pathsEmpty = accessPaths(planEmpty);
  const pathsScale = accessPaths(planScale);
  const backlog = await backlogProbe(info.url, QUICK ? 5_000 : 200_000);

  // The API on the loaded database.
  const config = writeGatewayConfig('scale-gateway', { koreUrl: 'http://127.0.0.1:9', cartesiaUrl: 'http://127.0.0.1:9' });
  const gateway = await startGateway({ name: 'scale-gateway', role: 'api', databaseUrl: info.url, config, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const headers = { authorization: `Bearer ${config.apiKey}` };
  const measured: Array<{ name: string; path: string; load: LoadResult }> = [];
  let cpu: CpuWindow | null = null;
  const endCpu = startCpuWindow({ gateway: () => [gateway.pid] });
  try {
    const getLoad = await runLoad({
      origin: gateway.baseUrl!,
      concurrency: 1,
      durationMs: 120_000,
      warmupMs: 1_000,
      maxRequests: GET_SAMPLES,
      expectStatus: 200,
      makeRequest: (i) => ({ method: 'GET', path: `/v1/erasure-requests/${shape.ids[i % shape.ids.length]}`, headers }),
    });
    measured.push({ name: 'GET one request (random ids)', path: '/v1/erasure-requests/{id}', load: getLoad });
    const now = new Date();
    const cases = [
      ...LIST_CASES.map((c) => ({ name: c.name, path: (_i: number) => `/v1/erasure-requests?${c.query(now)}` })),
      { name: 'externalRef=<one of 500 random refs>', path: (i: number) => `/v1/erasure-requests?externalRef=${encodeURIComponent(shape.refs[i % shape.refs.length]!)}` },
    ];
    // Page 2 of overdue=true, through the cursor of page 1.
    const first = await fetch(`${gateway.baseUrl}/v1/erasure-requests?overdue=true`, { headers });
    const cursor = ((await first.json()) as { nextCursor: string | null }).nextCursor;
    if (cursor !== null) cases.push({ name: 'overdue=true, page 2 (cursor)', path: () => `/v1/erasure-requests?overdue=true&cursor=${cursor}` });
    for (const c of cases) {
      const load = await runLoad({
        origin: gateway.baseUrl!,
        concurrency: 1,
        durationMs: 60_000,
        warmupMs: 500,
        maxRequests: LIST_SAMPLES,
        expectStatus: 200,
        makeRequest: (i) => ({ method: 'GET', path: c.path(i), headers }),
      });
      measured.push({ name: `list: ${c.name}`, path: c.path(0), load });
      process.stderr.write(`  scale ${c.name}: p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms\n`);
    }
    cpu = endCpu();
  } finally {
    await gateway.stop();
  }

  // The SQL behind each list, with its plan on the loaded database (EXPLAIN ANALYZE).
  const now = new Date();
  const listPlans: Array<{ name: string; ms: number; plan: string }> = [];
  for (const c of LIST_CASES) {
    const q = (await captureSql((db: Kysely<DB>) => listRequests(db, { scope: BENCH_TENANT, filters: c.filters(now), after: null, limit: 51, now })))[0]!;
    const plan = await explain(info.url, q.sql, q.parameters, 'analyze, buffers');
    listPlans.push({ name: c.name, ms: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? Number.NaN), plan });
  }
  const getSqls = await captureSql(async (db: Kysely<DB>) => {
    await findRequest(db, shape.ids[0]!, BENCH_TENANT);
    await countTasksByTarget(db, [shape.ids[0]!]);
  });
  const getPlans = await Promise.all(getSqls.map((q) => explain(info.url, q.sql, q.parameters, 'analyze, buffers')));

  const get = measured[0]!;
  const lists = measured.slice(1);
  const worstList = lists.reduce((a, b) => (b.load.p99Ms > a.load.p99Ms ? b : a));
  const goals: Goal[] = [
    belowGoal(`Scale: GET one request p99 (${num(info.requests)} requests)`, get.load.p99Ms, 10, 'ms'),
    { ...belowGoal(`Scale: list page p99, worst of ${lists.length} filters (${worstList.name.replace('list: ', '')})`, worstList.load.p99Ms, 50, 'ms') },
    {
      name: 'Scale: claim query plan unchanged from an empty database',
      target: 'same plan',
      figure: sameClaimPlan ? 'same plan' : `plan differs (${pathsScale.filter((p, i) => p !== pathsEmpty[i]).length} of ${pathsScale.length} table reads chosen differently)`,
      met: sameClaimPlan,
      gap: sameClaimPlan ? undefined : 'see section 4: the two plans and a backlog probe',
    },
  ];
  const errors = measured.filter((m) => m.load.errors > 0);
  const body = [
    `Database \`${info.name}\`: ${num(info.requests)} requests, ${num(info.tasks)} tasks, ${num(info.events)} events, ${shape.size} on disk, ` +
      `created ${shape.span.a.toISOString().slice(0, 10)} … ${shape.span.b.toISOString().slice(0, 10)}; ` +
      (info.reused
        ? `reused (loaded ${info.loadedAt.slice(0, 10)} in ${info.loadSeconds.toFixed(0)} s; \`--rebuild-scale\` reloads it).`
        : `loaded now in ${info.loadSeconds.toFixed(0)} s (${info.steps.map(([w, s]) => `${w} ${s.toFixed(0)} s`).join(', ')}).`) +
      ' Generated with SQL `generate_series` (bench/lib/scale-data.ts): a year of history, secondary indexes dropped during the load and rebuilt from their migration definitions, then VACUUM ANALYZE. ' +
      'Not generated: idempotency keys (one per request in real use; not read by these queries).',
    '',
    table(['requests by status', 'tasks by state', 'overdue requests', 'due tasks (pending/waiting, next_attempt_at ≤ now)'], [
      [shape.statuses.map((s) => `${s.status} ${num(s.n)}`).join(', '), shape.states.map((s) => `${s.state} ${num(s.n)}`).join(', '), num(shape.overdue), num(shape.due)],
    ]),
    '',
    `Measured through the API (\`node src/main.ts\`, ROLE=api, LOG_LEVEL=${process.env.BENCH_LOG_LEVEL ?? 'info'}), one client, one request at a time (latency, not throughput): ` +
      `${num(GET_SAMPLES)} GETs over random ids, ${num(LIST_SAMPLES)} list pages (default limit 50) per filter. ` +
      (cpu === null ? '' : `Meanwhile the whole machine was ${num(((cpu as CpuWindow).machineBusySeconds / (cpu as CpuWindow).wallSeconds) * 100)} % busy (200 % = both cores; the gateway itself used ${num((((cpu as CpuWindow).groups.gateway ?? 0) / (cpu as CpuWindow).wallSeconds) * 100)} %): the p99s include waits for a core.`),
    '',
    table(
      ['what', 'samples', 'p50', 'p90', 'p99', 'max', 'errors'],
      measured.map((m) => [m.name, num(m.load.requests), ms(m.load.p50Ms), ms(m.load.p90Ms), ms(m.load.p99Ms), ms(m.load.maxMs), m.load.errors]),
    ),
    ...(errors.length > 0 ? ['', codeBlock(errors.map((e) => `${e.name}: ${e.load.firstError}`).join('\n'))] : []),
    '',
    'The list SQL (listRequests, compiled by the repository code) on the loaded database, EXPLAIN ANALYZE execution time (the page also counts its tasks in a second query):',
    '',
    table(['filter', 'execution'], listPlans.map((p) => [p.name, ms(p.ms, 2)])),
    '',
    ...listPlans.map((p) => details(`plan: ${p.name}`, codeBlock(p.plan))),
    '',
    details('plans: GET one request (findRequest, countTasksByTarget)', getPlans.map((p) => codeBlock(p)).join('\n\n')),
    '',
    `**Claim query** (src/db/sql/claim-due-tasks.ts, compiled with the worker's code for connections kore + cartesia, limit 32): ${sameClaimPlan ? 'the **same plan** on the empty and the loaded database' : 'the plans **differ**'}.`,
    '',
    'Empty database (fresh, migrated):',
    '',
    codeBlock(planEmpty),
    '',
    `Loaded database (${num(info.tasks)} tasks, ${num(shape.due)} due):`,
    '',
    codeBlock(planScale),
    '',
    table(['table read, in plan order', 'empty database', 'loaded database'], pathsEmpty.map((p, i) => [String(i + 1), p, pathsScale[i] ?? '—'])),
    '',
    details('claim query, EXPLAIN (ANALYZE, BUFFERS) on the loaded database (in a transaction rolled back)', codeBlock(planScaleAnalyzed)),
    '',
    `**Backlog probe** (why the plan matters): in a transaction rolled back, ${num(backlog.backlog)} Kore.ai tasks become due and older than every other due task — ` +
      "a backlog the unpaced claim must not read (Kore.ai paced, or paused after its hourly limit) — and the claim for the unpaced connection (cartesia) runs under EXPLAIN ANALYZE: " +
      `**${ms(backlog.ms, 1)}**, ${num(backlog.removed)} rows read and thrown away by filters. The same with the index \`task_due\` dropped (so every branch uses \`task_due_connection\`): ` +
      `**${ms(backlog.fixMs, 1)}**, ${num(backlog.fixRemoved)} rows thrown away.`,
    '',
    details('backlog probe: plan as the migrations leave it', codeBlock(backlog.plan)),
    '',
    details('backlog probe: plan without task_due', codeBlock(backlog.fixPlan)),
    '',
    details('claim SQL', codeBlock(claim.sql, 'sql')),
  ].join('\n');
  void randomBytes;
  return { id: 'scale', title: '4. Scale: 1M requests, 4M tasks', goals, body, seconds: (performance.now() - started) / 1000, data: { loadSeconds: info.reused ? 0 : info.loadSeconds } };
}
