// Idempotency-Key: a retried submit must never create a second request.
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db.ts';
import { bearer, expectProblem, KEYS, PROBLEM, requestBody, type TestApp, useTestApp } from '../http/harness.ts';

let database: TestDatabase;
let t: TestApp;

useTestApp((app, db) => {
  t = app;
  database = db;
});

const post = (payload: unknown, key: string, apiKey: string = KEYS.writer) =>
  t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { ...bearer(apiKey), 'idempotency-key': key }, payload: payload as object });

async function requestsWithRef(externalRef: string): Promise<number> {
  const rows = await database.db.selectFrom('erasure_request').select('id').where('external_ref', '=', externalRef).execute();
  return rows.length;
}

describe('Idempotency-Key', () => {
  it('100 simultaneous submits with one key and one body create exactly one request, and all answer it', async () => {
    const body = requestBody({ externalRef: 'CONCURRENT-1' });
    const answers = await Promise.all(Array.from({ length: 100 }, () => post(body, 'key-concurrent')));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(100).fill(202));
    expect(new Set(answers.map((a) => a.headers.location)).size).toBe(1);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(99);
    expect(await requestsWithRef('CONCURRENT-1')).toBe(1);
    const id = answers[0]?.json().id as string;
    const tasks = await database.db.selectFrom('task').select('id').where('request_id', '=', id).execute();
    expect(tasks).toHaveLength(4);
    const events = await database.db.selectFrom('request_event').select('seq').where('request_id', '=', id).execute();
    expect(events).toHaveLength(1);
  });

  it('replays the first answer: same status, body and Location, marked Idempotent-Replayed', async () => {
    const body = requestBody({ externalRef: 'REPLAY-1' });
    const first = await post(body, 'key-replay');
    expect(first.statusCode).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    t.clock.advance(60_000);
    // Same body with keys in another order is the same body.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await post(reordered, 'key-replay');
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.json()).toEqual(first.json());
    expect(await requestsWithRef('REPLAY-1')).toBe(1);
  });

  it('forgets a key after privacy.idempotencyTtlHours (24 h): the same key then submits a new request', async () => {
    const body = requestBody({ externalRef: 'TTL-1' });
    const first = await post(body, 'key-ttl');
    t.clock.advance(23 * 3_600_000);
    const replayed = await post(body, 'key-ttl');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json().id).toBe(first.json().id);
    // Past the TTL, before any purge run deleted the row: the key is free again, even for another body.
    t.clock.advance(2 * 3_600_000);
    const fresh = await post(requestBody({ externalRef: 'TTL-2' }), 'key-ttl');
    expect(fresh.statusCode).toBe(202);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.json().id).not.toBe(first.json().id);
    const rows = await database.db.selectFrom('idempotency_key').select('request_id').where('key', '=', 'key-ttl').execute();
    expect(rows).toEqual([{ request_id: fresh.json().id }]);
  });

  it('answers 422 when the key is reused with another body, and creates nothing', async () => {
    expect((await post(requestBody({ externalRef: 'REUSE-1' }), 'key-reuse')).statusCode).toBe(202);
    const other = await post(requestBody({ externalRef: 'REUSE-2' }), 'key-reuse');
    expect(other.statusCode).toBe(422);
    expect(expectProblem(other).type).toBe(PROBLEM('idempotency-key-reuse'));
    expect(await requestsWithRef('REUSE-2')).toBe(0);
  });

  it('scopes keys to the tenant: another key of the same tenant replays the same request', async () => {
    const body = requestBody({ externalRef: 'SCOPED-1' });
    const mine = await post(body, 'shared-key', KEYS.writer);
    // KEYS.writeOnly is another key of the same portal (tenant privacy-portal), e.g. a rotated one.
    const again = await post(body, 'shared-key', KEYS.writeOnly);
    expect(mine.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(mine.json().id);
    expect(await requestsWithRef('SCOPED-1')).toBe(1);
  });

  it('does not store refused submits: fixing the body and retrying with the key works', async () => {
    const bad = await post(requestBody({ externalRef: 'FIXED-1', targets: [{ type: 'cartesia.calls', connection: 'missing', callIds: ['x'] }] }), 'key-fix');
    expect(bad.statusCode).toBe(422);
    const good = await post(requestBody({ externalRef: 'FIXED-1' }), 'key-fix');
    expect(good.statusCode).toBe(202);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses keys that are empty, too long or not printable ASCII', async () => {
    for (const key of ['', 'k'.repeat(256), 'tab\there', 'ключ']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/erasure-requests',
        headers: { ...bearer(KEYS.writer), 'idempotency-key': key },
        payload: requestBody({ externalRef: 'BADKEY' }),
      });
      expect(res.statusCode, JSON.stringify(key)).toBe(400);
      expect(expectProblem(res).errors?.[0]?.path).toBe('headers.idempotency-key');
    }
    expect(await requestsWithRef('BADKEY')).toBe(0);
  });
});
