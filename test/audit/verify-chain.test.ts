// The audit chain over the database: the service cannot change stored events, and a change made behind
// its back (as a superuser, triggers off) is found, at exactly the changed event — by the service and by
// the CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerifyEvents } from '../../src/audit/verify-events-command.ts';
import { verifyRequestChain } from '../../src/audit/verify-request-chain.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addEvents, seedRequest } from './fixtures.ts';

const run = promisify(execFile);
const NODE = 'node_modules/.bin/node';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

/** Changes one stored event's data as a superuser would, with the append-only trigger bypassed. */
async function tamper(requestId: string, seq: number): Promise<void> {
  await t.db.connection().execute(async (conn) => {
    await sql`set session_replication_role = replica`.execute(conn);
    try {
      await sql`update request_event set data = data || '{"tampered": true}'::jsonb where request_id = ${requestId} and seq = ${seq}`.execute(conn);
    } finally {
      await sql`set session_replication_role = origin`.execute(conn);
    }
  });
}

async function chainOf(events: number): Promise<string> {
  const { id } = await seedRequest(t.db);
  await addEvents(t.db, id, Array.from({ length: events - 1 }, (_, i) => `task.step_${i}`), new Date('2026-01-01T00:01:00Z'));
  return id;
}

describe('audit chain verification', () => {
  it('reports a valid chain with its length and head hash', async () => {
    const id = await chainOf(5);
    const verdict = await verifyRequestChain(t.db, id);
    const head = await t.db.selectFrom('request_event').select('hash').where('request_id', '=', id).where('seq', '=', 5).executeTakeFirstOrThrow();
    expect(verdict).toEqual({ valid: true, events: 5, headHash: head.hash });
  });

  it('answers null for an unknown request', async () => {
    expect(await verifyRequestChain(t.db, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('refuses updates and deletes of events to the service', async () => {
    const id = await chainOf(2);
    await expect(sql`update request_event set actor = 'someone-else' where request_id = ${id}`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from request_event where request_id = ${id}`.execute(t.db)).rejects.toThrow(/append-only/);
    expect((await verifyRequestChain(t.db, id))?.valid).toBe(true);
  });

  it('finds exactly the event a superuser changed', async () => {
    const id = await chainOf(6);
    await tamper(id, 4);
    expect(await verifyRequestChain(t.db, id)).toEqual({ valid: false, events: 6, brokenAt: { seq: 4, reason: 'hash_mismatch' } });
  });

  it('CLI functions: exit 0 for a valid chain, 1 with the first broken link, 2 for an unknown request', async () => {
    const good = await chainOf(3);
    const bad = await chainOf(3);
    await tamper(bad, 2);
    const lines: string[] = [];
    const errors: string[] = [];
    expect(await runVerifyEvents([good], t.db, (l) => lines.push(l), (l) => errors.push(l))).toBe(0);
    expect(await runVerifyEvents([bad], t.db, (l) => lines.push(l), (l) => errors.push(l))).toBe(1);
    expect(lines[1]).toContain(`BROKEN  ${bad}`);
    expect(lines[1]).toContain('seq=2 (hash_mismatch)');
    expect(await runVerifyEvents(['00000000-0000-4000-8000-000000000000'], t.db, () => {}, (l) => errors.push(l))).toBe(2);
    expect(await runVerifyEvents([], t.db, () => {}, (l) => errors.push(l))).toBe(2);
    expect(errors.join('\n')).toContain('usage: verify-events');
  });

  it('CLI process: `verify-events <id>` and `--all` exit 1 and print the broken link', async () => {
    const bad = await chainOf(4);
    await tamper(bad, 3);
    const env = { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' };
    const one = await run(NODE, ['src/cli/verify-events.ts', bad], { env }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(one.code).toBe(1);
    expect(one.stdout).toContain(`first broken link: seq=3 (hash_mismatch)`);

    const all = await run(NODE, ['src/cli/verify-events.ts', '--all'], { env }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`BROKEN  ${bad}`);
    expect(all.stdout).toMatch(/\d+ request\(s\) checked, [1-9]\d* broken chain\(s\)/);
  });
});
