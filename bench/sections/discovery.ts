// 7. Discovery: how fast identity targets search a vendor within its budget, and what a subject costs.
// Kore.ai: subjects with a year of sessions among other users; getSessions paced at Kore.ai's default
// budget with the gateway's reserve (54 calls per 60 s), compressed ten times (54 per 6 s, against a
// simulator that refuses more than 60 per 6 s), so the figures scale back by 10. Cartesia: subjects' phones
// among thousands of calls over two agents (unpaced but for concurrency 8). The worker runs only the
// discovery executors (in this process), so the budget goes to discovery alone: the erasure tasks found
// are added to the requests but not run, and the figures are the search's own.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseConfigFile } from '../../src/config.ts';
import { createDatabase } from '../../src/db/database.ts';
import { identityHash } from '../../src/domain/subject.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createUpstreamExecutors } from '../../src/worker/executors.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { createScratchDatabase } from '../lib/db.ts';
import { QUICK, sleep } from '../lib/env.ts';
import { KORE_BOT, SECRET_ENV, writeGatewayConfig } from '../lib/gateway.ts';
import { atLeastGoal, belowGoal, num, table, type Goal, type SectionResult } from '../lib/report.ts';
import { startBenchSimulators } from '../lib/simulators.ts';

const DAY = 86_400_000;
/** Time compression of the Kore.ai budget: 54 per 6 s stands for 54 per minute. */
const COMPRESSION = 10;
const KORE_PACE = { max: 54, seconds: 60 / COMPRESSION };
const KORE_SIM_LIMIT = { max: 60, windowMs: 60_000 / COMPRESSION };
const KORE_SUBJECTS = Number(process.env.BENCH_DISCOVERY_SUBJECTS ?? (QUICK ? 2 : 8));
const CARTESIA_SUBJECTS = QUICK ? 2 : 8;
const CARTESIA_CALLS = QUICK ? 1000 : 5000;

type Run = { seconds: number; calls: number; seen: number; matched: number; tasks: number; subjects: number; breaches: number; maxWindowCalls?: number };

async function runIdentityRequests(kind: 'kore' | 'cartesia', subjects: Array<Record<string, string>>, sims: Awaited<ReturnType<typeof startBenchSimulators>>): Promise<Run> {
  const db = await createScratchDatabase(`discovery_${kind}`);
  const file = writeGatewayConfig(`discovery-${kind}`, {
    koreUrl: sims.koreUrl,
    cartesiaUrl: sims.cartesiaUrl,
    kore: { limits: { windows: [KORE_PACE], concurrency: 4 } },
    cartesia: { limits: { windows: [], concurrency: 8 }, discovery: { agentIds: ['agent_support', 'agent_billing'] } },
  }).raw;
  const config = parseConfigFile(file, SECRET_ENV, (path) => readFileSync(path, 'utf8'));
  const database = createDatabase(db.url, { max: 6, applicationName: 'erasure-gateway-bench' });
  const hashKey = SECRET_ENV.BENCH_SUBJECT_HASH_KEY!;
  try {
    // Requests written as the intake writes them: one discovery task each (locators as resolved at submit).
    const now = new Date();
    for (let i = 0; i < subjects.length; i += 1) {
      const requestId = randomIds.uuid();
      await database.db.insertInto('erasure_request').values({ id: requestId, external_ref: `DISC-${i}`, regulation: 'gdpr', subject: null, subject_hashes: null, callback_url: null, status: 'pending', created_by: 'api-key:bench', tenant: 'bench', created_at: now, updated_at: now, due_at: new Date(now.getTime() + 30 * DAY), task_count: 1 }).execute();
      const s = subjects[i]!;
      const locator =
        kind === 'kore'
          ? { userId: s.userId, from: new Date(now.getTime() - 365 * DAY).toISOString(), to: now.toISOString(), windowDays: 7, conversationsFromSessions: true, identities: { userId: identityHash(hashKey, 'userId', s.userId!) } }
          : { agentIds: ['agent_support', 'agent_billing'], phones: [s.phone], since: new Date(now.getTime() - 365 * DAY).toISOString(), until: now.toISOString(), identities: { phones: [identityHash(hashKey, 'phone', s.phone!)] } };
      await database.db.insertInto('task').values({ id: randomIds.uuid(), request_id: requestId, seq: 1, type: kind === 'kore' ? 'koreai.discovery' : 'cartesia.discovery', target_index: 0, connection: kind === 'kore' ? 'kore' : 'cartesia', locator, state: 'pending', phase: 'start', attempts: 0, next_attempt_at: now, created_at: now, updated_at: now }).execute();
    }
    const upstream = createUpstreamExecutors(config);
    const only = kind === 'kore' ? 'koreai.discovery' : 'cartesia.discovery';
    const before = kind === 'kore' ? sims.kore.control.sessionQueries().length : (sims.cartesia.control.requests().counts['cartesia.calls.list']?.received ?? 0);
    const started = performance.now();
    const worker = startWorker({
      config,
      database,
      clock: systemClock,
      ids: randomIds,
      logger: createLogger('silent'),
      metrics: createMetrics({ defaultMetrics: false }),
      executors: { [only]: upstream.executors[only]! },
      listen: false,
    });
    const deadline = started + 15 * 60_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from task where type = ${only} and state in ('pending', 'running', 'waiting')`.execute(database.db);
      if (rows[0]!.n === 0) break;
      if (performance.now() > deadline) throw new Error(`discovery: ${rows[0]!.n} discoveries not final after 15 minutes`);
      await sleep(100);
    }
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    await upstream.close();
    const { rows } = await sql<{ state: string; seen: number; matched: number; pages: number }>`
      select state, coalesce((upstream_ref->'discovery'->>${kind === 'kore' ? 'sessionsSeen' : 'callsSeen'})::int, 0) as seen,
             coalesce((upstream_ref->'discovery'->>${kind === 'kore' ? 'sessionsMatched' : 'callsMatched'})::int, 0) as matched,
             coalesce((upstream_ref->'discovery'->>'pages')::int, 0) + coalesce((upstream_ref->'discovery'->>'lookups')::int, 0) as pages
      from task where type = ${only}`.execute(database.db);
    const failed = rows.filter((r) => r.state !== 'succeeded' && r.state !== 'not_found');
    if (failed.length > 0) throw new Error(`discovery: ${failed.length} discoveries ended ${failed.map((f) => f.state).join(', ')}`);
    const found = await sql<{ n: number }>`select count(*)::int as n from task where discovered_by is not null`.execute(database.db);
    let maxWindowCalls: number | undefined;
    let calls: number;
    let breaches = 0;
    if (kind === 'kore') {
      const queries = sims.kore.control.sessionQueries().slice(before);
      calls = queries.length;
      const times = queries.map((q) => Date.parse(q.at)).sort((a, b) => a - b);
      maxWindowCalls = 0;
      for (let i = 0, j = 0; i < times.length; i += 1) {
        while (times[i]! - times[j]! >= KORE_PACE.seconds * 1000) j += 1;
        maxWindowCalls = Math.max(maxWindowCalls, i - j + 1);
      }
      breaches = sims.kore.control.breaches()[KORE_BOT.botId]?.total ?? 0;
    } else {
      const counts = sims.cartesia.control.requests().counts;
      calls = (counts['cartesia.calls.list']?.received ?? 0) - before + (counts['cartesia.agents.get']?.received ?? 0);
      breaches = sims.cartesia.control.report().tooManyRequests;
    }
    return {
      seconds,
      calls,
      seen: rows.reduce((n, r) => n + r.seen, 0),
      matched: rows.reduce((n, r) => n + r.matched, 0),
      tasks: found.rows[0]!.n,
      subjects: subjects.length,
      breaches,
      ...(maxWindowCalls === undefined ? {} : { maxWindowCalls }),
    };
  } finally {
    await database.close();
    await db.drop();
  }
}

export async function runDiscovery(): Promise<SectionResult> {
  const started = performance.now();
  const sims = await startBenchSimulators({ koreWindow: KORE_SIM_LIMIT, requestLogLimit: 100 });
  try {
    const users = sims.kore.control.generateSessions(KORE_BOT.botId, { seed: 7, users: KORE_SUBJECTS * 2, days: 365, sessionsPerUser: { min: 150, max: 400 }, inProgress: 0 });
    const kore = await runIdentityRequests('kore', users.users.slice(0, KORE_SUBJECTS).map((u) => ({ userId: u.userId })), sims);
    const phones = Array.from({ length: CARTESIA_SUBJECTS }, (_, i) => `+1415555${String(1000 + i).padStart(4, '0')}`);
    sims.cartesia.control.generateCalls({ seed: 7, calls: CARTESIA_CALLS, agents: ['agent_support', 'agent_billing'], phones, personShare: 0.2, days: 365 });
    const cartesia = await runIdentityRequests('cartesia', phones.map((phone) => ({ phone })), sims);

    const koreCallsPerSubject = kore.calls / kore.subjects;
    // At the real budget (54 per minute) the same calls take COMPRESSION times as long.
    const realSecondsPerSubject = (kore.seconds * COMPRESSION) / kore.subjects;
    const goals: Goal[] = [
      atLeastGoal('Kore.ai discovery: calls within the budget (max in any 6 s / 54 allowed)', kore.breaches === 0 && (kore.maxWindowCalls ?? 0) <= KORE_PACE.max ? 1 : 0, 1, 'ok'),
      belowGoal('Kore.ai discovery: getSessions calls per subject-year', koreCallsPerSubject, 60, 'calls'),
      atLeastGoal('Cartesia discovery: calls scanned per second', cartesia.seen / cartesia.seconds, 500, 'calls/s'),
    ];
    const body = [
      `Kore.ai: ${kore.subjects} subjects with a year of sessions each (150–400, among ${users.users.length} users), one \`koreai.user\` request each ` +
        `(a year, 7-day windows, 100 sessions a page). getSessions paced at ${KORE_PACE.max} calls per ${KORE_PACE.seconds} s — Kore.ai's 60 per minute less the ` +
        `10 % reserve, compressed ${COMPRESSION}×; the simulator refuses more than ${KORE_SIM_LIMIT.max} per ${KORE_SIM_LIMIT.windowMs / 1000} s. ` +
        `Cartesia: ${cartesia.subjects} subjects' phones among ${CARTESIA_CALLS.toLocaleString('en-US')} calls over two agents (a year), one \`cartesia.subject\` request each, concurrency 8. ` +
        'Only the discovery executors run (one worker in the bench process), so the budget goes to the search; the erasure tasks found are added, not run.',
      '',
      table(
        ['vendor', 'subjects', 'wall time', 'calls', 'calls per subject', 'sessions/calls scanned', 'scanned per second', 'matched', 'tasks added', 'max calls in any pacing window', 'limit breaches / 429s'],
        [
          ['Kore.ai (compressed 10×)', kore.subjects, `${num(kore.seconds, 1)} s`, kore.calls, num(koreCallsPerSubject, 1), num(kore.seen), num(kore.seen / kore.seconds, 1), num(kore.matched), num(kore.tasks), `${kore.maxWindowCalls} of ${KORE_PACE.max}`, kore.breaches],
          ['Cartesia', cartesia.subjects, `${num(cartesia.seconds, 1)} s`, cartesia.calls, num(cartesia.calls / cartesia.subjects, 1), num(cartesia.seen), num(cartesia.seen / cartesia.seconds, 0), num(cartesia.matched), num(cartesia.tasks), 'n/a (concurrency 8)', cartesia.breaches],
        ],
      ),
      '',
      `At Kore.ai's real budget (54 per minute, 1,620 per hour) the Kore.ai run above takes ${num(kore.seconds * COMPRESSION, 0)} s: ` +
        `${num(realSecondsPerSubject, 0)} s of budget per subject-year (${num(koreCallsPerSubject, 1)} getSessions calls), ` +
        `so about ${num(1620 / koreCallsPerSubject, 0)} subject-years of discovery an hour if the bot does nothing else, scanning ` +
        `${num(kore.seen / kore.seconds / COMPRESSION, 1)} sessions a second (the table's rate ÷ ${COMPRESSION}).`,
    ].join('\n');
    return { id: 'discovery', title: '7. Discovery', goals, body, seconds: (performance.now() - started) / 1000 };
  } finally {
    await sims.close();
  }
}
