// 6. Pacing: how much of a limited connection's budget the workers use under a backlog, and that they
// never breach it. The Kore.ai simulator enforces 30 calls per rolling 3 s; the connection is configured
// with the same window; two worker processes share it through Postgres.
import { sql } from 'kysely';
import { createScratchDatabase, openDatabase } from '../lib/db.ts';
import { QUICK, sleep } from '../lib/env.ts';
import { KORE_BOT, startGateway, writeGatewayConfig, type Gateway } from '../lib/gateway.ts';
import { atLeastGoal, num, pct, table, type Goal, type SectionResult } from '../lib/report.ts';
import { startBenchSimulators } from '../lib/simulators.ts';

const LIMIT = { max: 30, seconds: 3 };
const CONCURRENCY = 4;
const TASKS = Number(process.env.BENCH_PACING_TASKS ?? (QUICK ? 130 : 330));
const WORKERS = 2;

export async function runPacing(): Promise<SectionResult> {
  const started = performance.now();
  const db = await createScratchDatabase('pacing');
  const sims = await startBenchSimulators({ koreWindow: { max: LIMIT.max, windowMs: LIMIT.seconds * 1000 }, requestLogLimit: TASKS * 2 + 100 });
  const database = openDatabase(db.url, 1);
  const workers: Gateway[] = [];
  try {
    // A backlog of recordings (sessions unknown upstream: one status check each, answered 404 → not_found).
    await sql`
      with r as (
        insert into erasure_request (id, external_ref, regulation, status, created_by, tenant, created_at, updated_at, due_at, task_count)
        select gen_random_uuid(), 'PACE-' || n, 'gdpr', 'pending', 'bench', 'bench', now(), now(), now() + interval '1 month', 2
        from generate_series(1, ${Math.ceil(TASKS / 2)}::int) n
        returning id, substr(external_ref, 6)::int as n
      )
      insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, attempts, next_attempt_at, created_at, updated_at)
      select gen_random_uuid(), r.id, j, 'koreai.recording', 0, 'kore', jsonb_build_object('sessionId', 'pace-' || r.n || '-' || j), 'pending', 'start', 0, now(), now(), now()
      from r cross join generate_series(1, 2) j`.execute(database.db);
    const total = Math.ceil(TASKS / 2) * 2;
    const config = writeGatewayConfig('pacing', {
      koreUrl: sims.koreUrl,
      cartesiaUrl: sims.cartesiaUrl,
      // No reserve: the pacing rule is measured against the whole window.
      kore: { limits: { windows: [LIMIT], concurrency: CONCURRENCY, reserve: 0 } },
    });
    for (let i = 1; i <= WORKERS; i += 1) workers.push(await startGateway({ name: `pacing-worker-${i}`, role: 'worker', databaseUrl: db.url, config, wait: false }));
    const deadline = performance.now() + 10 * 60_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from task where state in ('pending', 'running', 'waiting')`.execute(database.db);
      if (rows[0]!.n === 0) break;
      if (performance.now() > deadline) throw new Error(`pacing: ${rows[0]!.n} tasks not final after 10 minutes`);
      for (const w of workers) if (!w.alive()) throw new Error(`${w.name} exited:\n${w.log().slice(-3000)}`);
      await sleep(200);
    }
    const states = (await sql<{ state: string; n: number }>`select state, count(*)::int as n from task group by state`.execute(database.db)).rows;
    const byWorker = (
      await sql<{ actor: string; n: number }>`select actor, count(*)::int as n from request_event where type = 'upstream.call' group by 1 order by 1`.execute(database.db)
    ).rows;

    const log = sims.kore.control.requests().log.filter((e) => e.route !== undefined && e.route.startsWith('koreai.'));
    if (process.env.BENCH_DEBUG === "1") process.stderr.write(`pacing call times (ms from first): ${log.map((e) => Date.parse(e.at)).sort((a, b) => a - b).map((t, _i, a) => t - a[0]!).join(" ")}\n`);
    const times = log.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
    const refused = log.filter((e) => e.status === 429).length;
    const breaches = sims.kore.control.breaches()[KORE_BOT.botId]!;
    const windowMs = LIMIT.seconds * 1000;
    // Consecutive windows from the first call; only windows that end before the last call are full.
    const first = times[0] ?? 0;
    const last = times.at(-1) ?? 0;
    const windows: number[] = [];
    for (let start = first; start + windowMs <= last; start += windowMs) windows.push(times.filter((t) => t >= start && t < start + windowMs).length);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while (times[i]! - times[j]! >= windowMs) j += 1;
      worst = Math.max(worst, i - j + 1);
    }
    const aligned = windows.reduce((a, b) => a + b, 0) / (LIMIT.max * Math.max(1, windows.length));
    const spanMs = last - first;
    // Budget use wherever the window is placed: the mean, over every start t in the busy span (10 ms
    // steps), of calls in [t, t + window) / limit. A perfect pacer, smooth or in bursts, scores 100 %;
    // idle stretches while budget is free lower it.
    const sliding: number[] = [];
    for (let t = first; t + windowMs <= last; t += 10) {
      let n = 0;
      for (const x of times) if (x >= t && x < t + windowMs) n += 1;
      sliding.push(n / LIMIT.max);
    }
    const slidingMean = sliding.reduce((a, b) => a + b, 0) / Math.max(1, sliding.length);
    const slidingMin = Math.min(...sliding);
    // How long each permit was held (claim → the end recorded at settlement) against the call itself.
    const holds = (
      await sql<{ hold: number }>`select extract(epoch from finished_at - started_at)::float8 * 1000 as hold from pacing_permit where finished_at is not null order by 1`.execute(database.db)
    ).rows.map((r) => r.hold);
    if (process.env.BENCH_DEBUG === '1') {
      const permits = await sql<{ s: number; f: number; h: string }>`
        select extract(epoch from started_at - m)::float8 * 1000 as s, extract(epoch from finished_at - m)::float8 * 1000 as f, right(holder, 10) as h
        from pacing_permit, (select min(started_at) as m from pacing_permit) x order by started_at`.execute(database.db);
      process.stderr.write(`permits (start→end ms, holder):\n${permits.rows.map((r) => `${r.s.toFixed(0)}→${r.f.toFixed(0)} ${r.h}`).join('\n')}\n`);
    }
    const callMs = log.map((e) => e.durationMs ?? 0).sort((a, b) => a - b);
    const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))] ?? Number.NaN;
    const goals: Goal[] = [
      atLeastGoal(`Pacing: calls / limit, mean over every ${LIMIT.seconds} s window in the busy span (${WORKERS} workers)`, slidingMean * 100, 95, '%', 1),
      {
        name: 'Pacing: limit breaches at the upstream',
        target: '0',
        figure: `${breaches.total} breaches, ${refused} calls answered 429, busiest ${LIMIT.seconds} s span ${worst}/${LIMIT.max}`,
        met: breaches.total === 0 && refused === 0 && worst <= LIMIT.max,
        gap: breaches.total === 0 && refused === 0 && worst <= LIMIT.max ? undefined : `${breaches.total} breaches`,
      },
    ];
    for (const w of workers) await w.stop();
    const body = [
      `Kore.ai simulator enforcing ${LIMIT.max} calls per rolling ${LIMIT.seconds} s for the bot (counted when received; ms clock); connection \`kore\` configured with ` +
        `\`limits: {"windows": [{"max": ${LIMIT.max}, "seconds": ${LIMIT.seconds}}], "concurrency": ${CONCURRENCY}}\`. Backlog: ${num(total)} recording tasks ` +
        `(${num(total / 2)} requests × 2 sessions unknown upstream: one status check each → not_found), loaded with SQL; then ${WORKERS} worker processes ` +
        '(`node src/main.ts`, ROLE=worker, default worker settings) drain it. Windows are consecutive from the first call; only full windows count.',
      '',
      table(
        ['calls', 'span first → last call', 'calls / limit, every window position (mean)', 'emptiest window position', 'consecutive windows from the first call', 'their calls / limit', 'busiest rolling window', 'breaches (simulator)', '429 answers', 'final states'],
        [
          [
            num(times.length),
            `${(spanMs / 1000).toFixed(1)} s`,
            pct(slidingMean),
            pct(slidingMin),
            windows.join(', '),
            pct(aligned),
            `${worst}/${LIMIT.max}`,
            breaches.total,
            refused,
            states.map((s) => `${s.state} ${s.n}`).join(', '),
          ],
        ],
      ),
      '',
      `Upstream calls per worker process (audit events): ${byWorker.map((w) => `${w.actor.replace(/^worker:/, '')} ${w.n}`).join(', ') || 'none recorded'}.`,
      '',
      'Consecutive windows from the first call always look full when calls come in bursts; the mean over every window position also counts the idle stretches between bursts while budget was free.',
      '',
      table(
        ['', 'p50', 'p90', 'p99', 'max'],
        [
          ['upstream call as the simulator timed it', `${q(callMs, 50)} ms`, `${q(callMs, 90)} ms`, `${q(callMs, 99)} ms`, `${callMs.at(-1)} ms`],
          ['permit held: claim → end recorded at settlement (pacing_permit)', ...[50, 90, 99, 100].map((p) => `${q(holds, p).toFixed(0)} ms`)],
        ],
      ),
      '',
      'A permit counts against the window until its recorded end + the window, so time between the answer and the recorded end is budget the workers cannot use.',
    ].join('\n');
    return { id: 'pacing', title: '6. Pacing of a limited connection', goals, body, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const w of workers) await w.stop();
    await database.close();
    await sims.close();
    await db.drop();
  }
}
