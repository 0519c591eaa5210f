// 7. CSV export: an auditor exports 100,000 requests (GET /v1/erasure-requests, Accept: text/csv) from
// a database holding more, through the gateway as production runs it. The export streams 500 rows at
// a time, so the gateway's memory should not grow with the export: its peak RSS (VmHWM) is the goal.
// The database holds 100,500 requests of the bench's tenant and 20,000 of another: the export stops at
// its limit and names the cursor that continues it, which brings the last 500.
import { sql } from 'kysely';
import { processCpuSeconds } from '../lib/cpu.ts';
import { createScratchDatabase, openDatabase } from '../lib/db.ts';
import { QUICK, sleep } from '../lib/env.ts';
import { startGateway, writeGatewayConfig } from '../lib/gateway.ts';
import { mb, memoryOf } from '../lib/procs.ts';
import { belowGoal, num, table, type Goal, type SectionResult } from '../lib/report.ts';

const LIMIT_MB = 200;
const EXPORT_ROWS = QUICK ? 10_000 : 100_000;
const TAIL = 500;
const OTHER_TENANT_ROWS = QUICK ? 2_000 : 20_000;

type Download = { status: number; rows: number; bytes: number; seconds: number; firstByteMs: number; nextCursor: string | null; tenants: Set<string> };

/** Reads the CSV as it streams, keeping only counts (the bench must not be the one holding 100,000 rows). */
async function download(url: string, apiKey: string): Promise<Download> {
  const started = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}`, accept: 'text/csv' } });
  let firstByteMs = Number.NaN;
  let bytes = 0;
  let lines = 0;
  let carry = '';
  const tenants = new Set<string>();
  const decoder = new TextDecoder();
  for await (const chunk of res.body ?? []) {
    if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - started;
    bytes += chunk.byteLength;
    const text = carry + decoder.decode(chunk, { stream: true });
    const parts = text.split('\r\n');
    carry = parts.pop() ?? '';
    for (const line of parts) {
      lines += 1;
      if (lines > 1) tenants.add(line.split(',')[1] ?? '');
    }
  }
  return { status: res.status, rows: lines - 1, bytes, seconds: (performance.now() - started) / 1000, firstByteMs, nextCursor: res.headers.get('next-cursor'), tenants };
}

export async function runExport(): Promise<SectionResult> {
  const started = performance.now();
  const db = await createScratchDatabase('export');
  const database = openDatabase(db.url, 1);
  const loadStarted = performance.now();
  try {
    // Requests of the bench key's tenant ("bench") and of another; three tasks each (the export counts them per request).
    await sql`
      with r as (
        insert into erasure_request (id, external_ref, regulation, status, tenant, created_by, callback_url, created_at, updated_at, due_at, completed_at, task_count)
        select gen_random_uuid(), 'EXPORT-' || n, 'gdpr', case when n % 10 = 0 then 'in_progress' else 'completed' end,
          case when n <= ${EXPORT_ROWS + TAIL}::int then 'bench' else 'bu-emea' end, 'bench',
          case when n % 3 = 0 then 'https://portal.internal/cb?token=secret-' || n end,
          -- Millisecond precision, as the gateway writes created_at (a JS Date): cursors are positions to the millisecond.
          date_trunc('milliseconds', now()) - n * interval '1 second', now(), now() + interval '30 days', case when n % 10 = 0 then null else now() end, 3
        from generate_series(1, ${EXPORT_ROWS + TAIL + OTHER_TENANT_ROWS}::int) n
        returning id, status
      )
      insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, attempts, next_attempt_at, created_at, updated_at)
      select gen_random_uuid(), r.id, j, 'cartesia.call', 0, 'cartesia', jsonb_build_object('callId', 'ac_' || j), 
        case when r.status = 'completed' then 'succeeded' else 'pending' end, 'start', 1, now(), now(), now()
      from r cross join generate_series(1, 3) j`.execute(database.db);
    await sql`vacuum analyze erasure_request, task`.execute(database.db);
  } finally {
    await database.close();
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  const config = writeGatewayConfig('export-gateway', { koreUrl: 'http://127.0.0.1:9', cartesiaUrl: 'http://127.0.0.1:9' });
  const gateway = await startGateway({ name: 'export-gateway', role: 'api', databaseUrl: db.url, config, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const samples: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push(memoryOf(gateway.pid).vmRSSkB);
      await sleep(50);
    }
  })();
  let before: ReturnType<typeof memoryOf>;
  let first: Download;
  let rest: Download;
  let cpuSeconds: number;
  let after: ReturnType<typeof memoryOf>;
  try {
    // One small export first, so the figures below are of the export, not of the first request's warm-up.
    await download(`${gateway.baseUrl}/v1/erasure-requests?limit=10`, config.apiKey);
    before = memoryOf(gateway.pid);
    const cpuBefore = processCpuSeconds(gateway.pid);
    first = await download(`${gateway.baseUrl}/v1/erasure-requests?limit=${EXPORT_ROWS}`, config.apiKey);
    cpuSeconds = processCpuSeconds(gateway.pid) - cpuBefore;
    after = memoryOf(gateway.pid);
    rest =
      first.nextCursor === null
        ? { status: 0, rows: 0, bytes: 0, seconds: 0, firstByteMs: 0, nextCursor: null, tenants: new Set() }
        : await download(`${gateway.baseUrl}/v1/erasure-requests?limit=${EXPORT_ROWS}&cursor=${encodeURIComponent(first.nextCursor)}`, config.apiKey);
  } finally {
    sampling = false;
    await sampler;
    await gateway.stop();
    await db.drop();
  }
  const rssDuring = Math.max(...samples);
  const goals: Goal[] = [
    belowGoal(`Peak RSS of the gateway during a ${num(EXPORT_ROWS)}-row CSV export`, mb(after.vmHWMkB), LIMIT_MB, 'MB', 1),
    {
      name: `CSV export: ${num(EXPORT_ROWS)} rows, capped, continued by its cursor`,
      target: `${num(EXPORT_ROWS)} + ${num(TAIL)} rows, one tenant`,
      figure: `${num(first.rows)} + ${num(rest.rows)} rows; tenants ${[...new Set([...first.tenants, ...rest.tenants])].join(', ')}`,
      met: first.status === 200 && first.rows === EXPORT_ROWS && rest.rows === TAIL && rest.nextCursor === null && [...first.tenants, ...rest.tenants].every((x) => x === 'bench'),
    },
  ];
  const body = [
    `A scratch database with ${num(EXPORT_ROWS + TAIL)} requests of the bench key's tenant and ${num(OTHER_TENANT_ROWS)} of another (3 tasks each; loaded with SQL in ${loadSeconds.toFixed(0)} s). ` +
      `The gateway runs as production runs it (\`node ${'--max-semi-space-size=8'} src/main.ts\`, ROLE=api, NODE_ENV=production); one client downloads \`GET /v1/erasure-requests?limit=${EXPORT_ROWS}\` with \`Accept: text/csv\`, ` +
      'counting bytes and lines as they arrive (keeping none), then follows the `Next-Cursor` header for the rest. ' +
      'Memory: VmHWM (peak resident set since the process started) and VmRSS from /proc/<pid>/status; VmRSS sampled every 50 ms during the export.',
    '',
    table(
      ['export', 'status', 'rows', 'bytes', 'time', 'rows/s', 'first byte', 'Next-Cursor'],
      [
        [`limit=${EXPORT_ROWS}`, first.status, num(first.rows), num(first.bytes), `${first.seconds.toFixed(2)} s`, num(first.rows / first.seconds), `${first.firstByteMs.toFixed(0)} ms`, first.nextCursor === null ? 'none' : 'present'],
        ['its cursor', rest.status, num(rest.rows), num(rest.bytes), `${rest.seconds.toFixed(2)} s`, num(rest.rows / Math.max(rest.seconds, 1e-9)), `${rest.firstByteMs.toFixed(0)} ms`, rest.nextCursor === null ? 'none' : 'present'],
      ],
    ),
    '',
    table(
      ['gateway memory', 'MB'],
      [
        ['VmRSS before the export', num(mb(before.vmRSSkB), 1)],
        ['VmHWM before the export (start-up and warm-up included)', num(mb(before.vmHWMkB), 1)],
        ['largest VmRSS sampled during the export', num(mb(rssDuring), 1)],
        ['VmHWM after the export', num(mb(after.vmHWMkB), 1)],
      ],
    ),
    '',
    `The gateway spent ${cpuSeconds.toFixed(1)} s of CPU on the ${num(EXPORT_ROWS)}-row export (${((cpuSeconds / first.rows) * 1e6).toFixed(0)} µs a row: one query per 500 rows — Postgres counts the tasks and formats the timestamps —, rendering, the stream).`,
  ].join('\n');
  return { id: 'export', title: '7. CSV export', goals, body, seconds: (performance.now() - started) / 1000, data: { peakKB: after.vmHWMkB } };
}
