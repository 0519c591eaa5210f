// The scale database: 1,000,000 requests and ~4,000,000 tasks (plus two events per final request)
// generated with SQL straight into the tables, with realistic distributions: a year of history, most
// requests final, recent ones still pending or in progress, some old ones overdue; three tenants. Loaded once and
// reused (database `eg_bench_scale`, table `bench_scale_marker`); --rebuild-scale loads it again.
import pg from 'pg';
import { adminQuery, databaseExists, databaseUrl, dropDatabase, migrate, withClient } from './db.ts';

/** Bump when the generated data changes: an older database is rebuilt. */
const DATA_VERSION = 2;

export type ScaleInfo = { name: string; url: string; requests: number; tasks: number; events: number; loadSeconds: number; loadedAt: string; reused: boolean; steps: Array<[string, number]> };

async function readMarker(url: string): Promise<Omit<ScaleInfo, 'name' | 'url' | 'reused' | 'steps'> | null> {
  return withClient(url, async (c) => {
    const exists = await c.query(`select 1 from pg_tables where tablename = 'bench_scale_marker'`);
    if (exists.rowCount === 0) return null;
    const { rows } = await c.query<{ version: number; requests: number; tasks: number; events: number; load_seconds: number; loaded_at: Date }>('select * from bench_scale_marker');
    const r = rows[0];
    if (r === undefined || r.version !== DATA_VERSION) return null;
    return { requests: r.requests, tasks: r.tasks, events: r.events, loadSeconds: r.load_seconds, loadedAt: r.loaded_at.toISOString() };
  });
}

export async function ensureScaleDatabase(o: { name: string; requests: number; rebuild: boolean; log: (s: string) => void }): Promise<ScaleInfo> {
  const url = databaseUrl(o.name);
  if (!o.rebuild && (await databaseExists(o.name))) {
    const marker = await readMarker(url);
    if (marker !== null && marker.requests === o.requests) {
      // New migrations since the load are applied, as a deploy would.
      await migrate(url);
      return { name: o.name, url, ...marker, reused: true, steps: [] };
    }
  }
  await dropDatabase(o.name);
  await adminQuery(`create database ${o.name}`);
  await migrate(url);
  const steps: Array<[string, number]> = [];
  const t0 = performance.now();
  const c = new pg.Client({ connectionString: url, application_name: 'erasure-gateway-bench-load' });
  await c.connect();
  const step = async (what: string, text: string) => {
    const s = performance.now();
    o.log(`  scale load: ${what}…`);
    await c.query(text);
    steps.push([what, (performance.now() - s) / 1000]);
  };
  try {
    await c.query(`set synchronous_commit = off; set maintenance_work_mem = '512MB'; set work_mem = '64MB'`);
    // Secondary indexes are dropped for the load and rebuilt after, exactly as the migrations made them.
    const { rows: indexes } = await c.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes
       where schemaname = 'public' and tablename in ('erasure_request', 'task', 'request_event')
         and indexname not in (select conname from pg_constraint)`,
    );
    for (const i of indexes) await c.query(`drop index ${i.indexname}`);

    const N = o.requests;
    await step(
      `${N.toLocaleString('en')} requests`,
      `insert into erasure_request (id, external_ref, regulation, subject, subject_hashes, callback_url, status, created_by, tenant,
         created_at, updated_at, due_at, completed_at, cancelled_at, cancelled_by, subject_purged_at, task_count)
       select gen_random_uuid(),
         case when n % 5 <> 0 then 'T-' || n end,
         reg, subj, hashes,
         case when n % 5 = 1 then 'https://portal.internal/erasure-callbacks' end,
         status, tenant, tenant, created,
         coalesce(done, cancelled, created + interval '2 minutes'),
         created + case reg when 'gdpr' then interval '1 month' when 'ccpa' then interval '45 days' else interval '30 days' end,
         done, cancelled, case when cancelled is not null then 'api-key:privacy-portal' end,
         case when subj is null and hashes is not null then done + interval '30 days' end,
         1 + n % 7
       from (
         select n, created, reg, status,
           -- Three tenants: the bench's API key (tenant "bench", whose lists section 4 measures) holds 80 %.
           case when (n / 7) % 10 < 8 then 'bench' when (n / 7) % 10 = 8 then 'bu-emea' else 'bu-apac' end as tenant,
           case when status in ('completed', 'failed') then created + (1 + h % 72) * interval '1 hour' end as done,
           case when status = 'cancelled' then created + interval '3 hours' end as cancelled,
           case when age < 30 or status not in ('completed', 'failed', 'cancelled') then jsonb_build_object('email', 'subject-' || n || '@example.com') end as subj,
           case when n % 2 = 0 then jsonb_build_object('email', md5(n::text) || md5((n + 1)::text)) end as hashes
         from (
           select n, h, age, created,
             case when n % 10 < 7 then 'gdpr' when n % 10 < 9 then 'ccpa' else 'other' end as reg,
             case
               when age < 2 then case when h < 150 then 'pending' when h < 750 then 'in_progress' else 'completed' end
               when age < 35 then case when h < 80 then 'in_progress' when h < 960 then 'completed' when h < 990 then 'failed' else 'cancelled' end
               else case when h < 3 then 'in_progress' when h < 978 then 'completed' when h < 993 then 'failed' else 'cancelled' end
             end as status
           from (
             select n, (n * 7919) % 1000 as h, 365.0 * (n - 1) / ${N} as age,
               -- Millisecond precision, as the gateway writes it (a JS Date): cursors are positions to the millisecond.
               date_trunc('milliseconds', now() - (365.0 * (n - 1) / ${N}) * interval '1 day' - random() * interval '5 minutes') as created
             from generate_series(1, ${N}::bigint) n
           ) a
         ) b
       ) c`,
    );
    await step(
      'tasks',
      `insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, claimed_from, attempts,
         next_attempt_at, lease_owner, lease_expires_at, upstream_ref, last_error, created_at, updated_at, first_sent_at, finished_at)
       select gen_random_uuid(), r.id, j,
         case when j = 1 then 'koreai.conversations' when j % 2 = 0 then 'koreai.recording' else 'cartesia.call' end,
         case when j = 1 then 0 when j % 2 = 0 then 1 else 2 end,
         case when j = 1 or j % 2 = 0 then 'kore' else 'cartesia' end,
         case when j = 1 then jsonb_build_object('conversationIds', jsonb_build_array('c-' || left(r.id::text, 8) || '-1', 'c-' || left(r.id::text, 8) || '-2'))
              when j % 2 = 0 then jsonb_build_object('sessionId', 's-' || left(r.id::text, 8) || '-' || j)
              else jsonb_build_object('callId', 'ac_' || left(r.id::text, 8) || '_' || j) end,
         st, case when st in ('pending', 'running', 'waiting') and j = 1 then 'poll' else 'start' end,
         case when st = 'running' then 'pending' end,
         case when st in ('pending', 'cancelled') then 0 else 1 end,
         case st when 'waiting' then now() + random() * interval '15 minutes'
                 when 'pending' then case when r.status = 'pending' then r.created_at else now() + random() * interval '1 hour' end
                 else r.created_at end,
         case when st = 'running' then 'worker:bench-host/1/abcd' end,
         case when st = 'running' then now() + interval '60 seconds' end,
         case when st in ('succeeded', 'not_found') then jsonb_build_object('httpStatus', case when st = 'succeeded' then 200 else 404 end, 'at', r.updated_at) end,
         case when st = 'failed' then jsonb_build_object('kind', 'http', 'status', 400, 'message', 'Bad request') end,
         r.created_at, r.updated_at,
         case when st not in ('pending', 'cancelled') then r.created_at + interval '1 minute' end,
         case when st in ('succeeded', 'not_found', 'failed', 'cancelled') then coalesce(r.completed_at, r.cancelled_at, r.updated_at) end
       from erasure_request r
       cross join lateral generate_series(1, r.task_count) j
       cross join lateral (select case r.status
           when 'completed' then case when j % 10 = 0 then 'not_found' else 'succeeded' end
           when 'failed' then case when j = 1 then 'failed' else 'succeeded' end
           when 'cancelled' then 'cancelled'
           when 'pending' then 'pending'
           else case when j = 1 then 'waiting' when j % 2 = 0 then 'succeeded' when j % 5 = 3 then 'running' else 'pending' end
         end as st) s`,
    );
    await step(
      'events (request.created, and the final status change)',
      `insert into request_event (request_id, seq, at, actor, type, task_id, data, prev_hash, hash)
       select r.id, 1, r.created_at, 'api-key:privacy-portal', 'request.created', null::uuid,
         jsonb_build_object('regulation', r.regulation, 'tasks', r.task_count, 'externalRef', r.external_ref),
         repeat('0', 64), md5(r.id::text) || md5(r.id::text || 'x')
       from erasure_request r
       union all
       select r.id, 2, coalesce(r.completed_at, r.cancelled_at), 'worker:bench-host/1/abcd', 'request.status_changed', null,
         jsonb_build_object('from', 'in_progress', 'to', r.status),
         md5(r.id::text) || md5(r.id::text || 'x'), md5(r.id::text || 'y') || md5(r.id::text || 'z')
       from erasure_request r where r.completed_at is not null or r.cancelled_at is not null`,
    );
    for (const i of indexes) await step(`index ${i.indexname}`, i.indexdef);
    await step('vacuum analyze', 'vacuum (analyze) erasure_request, task, request_event');
    const counts = (await c.query<{ r: number; t: number; e: number }>(
      'select (select count(*) from erasure_request)::int as r, (select count(*) from task)::int as t, (select count(*) from request_event)::int as e',
    )).rows[0]!;
    const loadSeconds = (performance.now() - t0) / 1000;
    await c.query('create table bench_scale_marker (version int, requests int, tasks int, events int, load_seconds float8, loaded_at timestamptz)');
    await c.query('insert into bench_scale_marker values ($1, $2, $3, $4, $5, now())', [DATA_VERSION, counts.r, counts.t, counts.e, loadSeconds]);
    return { name: o.name, url, requests: counts.r, tasks: counts.t, events: counts.e, loadSeconds, loadedAt: new Date().toISOString(), reused: false, steps };
  } finally {
    await c.end();
  }
}
