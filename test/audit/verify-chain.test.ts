// The audit chain over the database: the service cannot change stored events, and a change made behind
// its back (as a superuser, triggers off) is found, at exactly the changed event — by the service and by
// the CLI. Removing events is found too: the head stored with the request says where the chain ends, and
// a signed checkpoint says what it was even when the head is rewritten with it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/audit/create-checkpoint.ts';
import { listCheckpointResources } from '../../src/audit/list-checkpoints.ts';
import { runVerifyEvents } from '../../src/audit/verify-events-command.ts';
import { verifyRequestChain } from '../../src/audit/verify-request-chain.ts';
import { randomIds } from '../../src/clock.ts';
import { verifyInclusion } from '../../src/domain/merkle.ts';
import { issueEvidence } from '../../src/evidence/issue-evidence.ts';
import { ephemeralSigningKey } from '../../src/evidence/signing-key.ts';
import { ALL_TENANTS } from '../../src/domain/caller.ts';
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
  await t.admin.db.connection().execute(async (conn) => {
    await sql`set session_replication_role = replica`.execute(conn);
    try {
      await sql`update request_event set data = data || '{"tampered": true}'::jsonb where request_id = ${requestId} and seq = ${seq}`.execute(conn);
    } finally {
      await sql`set session_replication_role = origin`.execute(conn);
    }
  });
}

/** What the table's owner (or a superuser) can do: switch the append-only trigger off, run `statement`, switch it on. */
async function asOwnerWithoutTrigger(statement: ReturnType<typeof sql>): Promise<void> {
  await t.admin.db.connection().execute(async (conn) => {
    await sql`alter table request_event disable trigger request_event_no_update_delete`.execute(conn);
    try {
      await statement.execute(conn);
    } finally {
      await sql`alter table request_event enable trigger request_event_no_update_delete`.execute(conn);
    }
  });
}

const key = ephemeralSigningKey('verify-test');
const evidenceOf = (id: string) => issueEvidence(t.db, id, { scope: ALL_TENANTS, key, now: new Date('2026-02-01T00:00:00Z'), hashKey: 'verify-test-hash-key', ids: randomIds });

async function chainOf(events: number): Promise<string> {
  const { id } = await seedRequest(t.db);
  await addEvents(t.db, id, Array.from({ length: events - 1 }, (_, i) => `task.step_${i}`), new Date('2026-01-01T00:01:00Z'));
  return id;
}

describe('audit chain verification', () => {
  it('reports a valid chain with its length and head hash', async () => {
    const id = await chainOf(5);
    const verdict = await verifyRequestChain(t.db, id, ALL_TENANTS);
    const head = await t.db.selectFrom('request_event').select('hash').where('request_id', '=', id).where('seq', '=', 5).executeTakeFirstOrThrow();
    expect(verdict).toEqual({ valid: true, events: 5, headHash: head.hash, checkpoints: 0 });
    const stored = await t.db.selectFrom('erasure_request').select(['chain_seq', 'chain_head']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ chain_seq: 5, chain_head: head.hash });
  });

  it('answers null for an unknown request', async () => {
    expect(await verifyRequestChain(t.db, '00000000-0000-4000-8000-000000000000', ALL_TENANTS)).toBeNull();
  });

  it('refuses updates and deletes of events to the service', async () => {
    const id = await chainOf(2);
    // The trigger refuses (one role), or before it the missing privilege (TEST_DB_ROLES=split).
    await expect(sql`update request_event set actor = 'someone-else' where request_id = ${id}`.execute(t.db)).rejects.toThrow(/append-only|permission denied/);
    await expect(sql`delete from request_event where request_id = ${id}`.execute(t.db)).rejects.toThrow(/append-only|permission denied/);
    expect((await verifyRequestChain(t.db, id, ALL_TENANTS))?.valid).toBe(true);
  });

  it('finds exactly the event a superuser changed', async () => {
    const id = await chainOf(6);
    await tamper(id, 4);
    expect(await verifyRequestChain(t.db, id, ALL_TENANTS)).toEqual({ valid: false, events: 6, brokenAt: { seq: 4, reason: 'hash_mismatch' } });
  });

  it('names a deleted tail, a deleted first event and an empty chain; evidence then answers chain_broken', async () => {
    const tail = await chainOf(4);
    await asOwnerWithoutTrigger(sql`delete from request_event where request_id = ${tail} and seq = 4`);
    expect(await verifyRequestChain(t.db, tail, ALL_TENANTS)).toEqual({ valid: false, events: 3, brokenAt: { seq: 4, reason: 'missing_tail' } });
    expect(await evidenceOf(tail)).toEqual({ kind: 'chain_broken', brokenAt: { seq: 4, reason: 'missing_tail' } });

    const first = await chainOf(3);
    await asOwnerWithoutTrigger(sql`delete from request_event where request_id = ${first} and seq = 1`);
    expect(await verifyRequestChain(t.db, first, ALL_TENANTS)).toEqual({ valid: false, events: 2, brokenAt: { seq: 1, reason: 'missing_first_event' } });

    const all = await chainOf(3);
    await asOwnerWithoutTrigger(sql`delete from request_event where request_id = ${all}`);
    expect(await verifyRequestChain(t.db, all, ALL_TENANTS)).toEqual({ valid: false, events: 0, brokenAt: { seq: 1, reason: 'empty_chain' } });
    expect(await evidenceOf(all)).toMatchObject({ kind: 'chain_broken', brokenAt: { reason: 'empty_chain' } });
  });

  it('a superuser who rewrites the stored head too is caught by the last checkpoint, which proves what the chain was', async () => {
    const id = await chainOf(5);
    const before = await t.db.selectFrom('request_event').select(['seq', 'hash']).where('request_id', '=', id).orderBy('seq').execute();
    const checkpoint = await createCheckpoint(t.db, { key, now: new Date() });
    expect(checkpoint).not.toBeNull();
    expect(await verifyRequestChain(t.db, id, ALL_TENANTS)).toMatchObject({ valid: true, events: 5, checkpoints: 1 });

    // Cut the tail and move the head back with it: the chain and its stored head agree again.
    await asOwnerWithoutTrigger(sql`delete from request_event where request_id = ${id} and seq = 5`);
    await sql`update erasure_request set chain_seq = 4, chain_head = ${before[3]!.hash} where id = ${id}`.execute(t.admin.db);
    expect(await verifyRequestChain(t.db, id, ALL_TENANTS)).toEqual({ valid: false, events: 4, brokenAt: { seq: 5, reason: 'checkpoint_mismatch', checkpointId: Number(checkpoint!.id) } });
    expect(await evidenceOf(id)).toMatchObject({ kind: 'chain_broken', brokenAt: { reason: 'checkpoint_mismatch' } });

    // The auditor's proof, from the archived checkpoint: the request's head was event 5, of this hash.
    const page = await listCheckpointResources(t.db, { limit: 1, requestId: id });
    const [archived] = page.data;
    expect(archived).toMatchObject({ id: Number(checkpoint!.id), storedHeadsMatchRoot: true, inclusion: { requestId: id, seq: 5, headHash: before[4]!.hash } });
    const { inclusion } = archived!;
    expect(verifyInclusion({ requestId: id, seq: inclusion!.seq, hash: inclusion!.headHash }, inclusion!, archived!.rootHash)).toBe(true);
  });

  it('a request deleted whole is reported by `verify-events --all`; checkpointed heads changed too break the checkpoint', async () => {
    const gone = await chainOf(2);
    await createCheckpoint(t.db, { key, now: new Date() });
    await t.admin.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      try {
        await sql`delete from request_event where request_id = ${gone}`.execute(conn);
        await sql`delete from task where request_id = ${gone}`.execute(conn);
        await sql`delete from erasure_request where id = ${gone}`.execute(conn);
      } finally {
        await sql`set session_replication_role = origin`.execute(conn);
      }
    });
    const lines: string[] = [];
    expect(await runVerifyEvents(['--all'], t.db, (l) => lines.push(l), () => {})).toBe(1);
    expect(lines.join('\n')).toContain(`MISSING ${gone} recorded by checkpoint`);

    // Rewriting the checkpoint's stored heads as well no longer gives its signed root.
    await t.admin.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      try {
        await sql`delete from audit_checkpoint_head where request_id = ${gone}`.execute(conn);
      } finally {
        await sql`set session_replication_role = origin`.execute(conn);
      }
    });
    const again: string[] = [];
    expect(await runVerifyEvents(['--all'], t.db, (l) => again.push(l), () => {})).toBe(1);
    expect(again.join('\n')).toMatch(/BROKEN {2}checkpoint \d+: the heads stored for it no longer give its signed root/);
    const page = await listCheckpointResources(t.db, { limit: 1, requestId: gone });
    expect(page.data[0]).toMatchObject({ storedHeadsMatchRoot: false, inclusion: null });
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
