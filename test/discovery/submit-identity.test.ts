// Submitting identity targets: what a discovery task searches (defaults from the subject and the
// connection), shown back only as keyed hashes; and every bad input a 400 that names the field, with
// nothing written.
import { describe, expect, it } from 'vitest';
import { bearer, countAllRows, expectProblem, KEYS, PROBLEM, useTestApp, type TestApp } from '../http/harness.ts';
import type { TestDatabase } from '../helpers/db.ts';

let t: TestApp;
let database: TestDatabase;
useTestApp((app, db) => {
  t = app;
  database = db;
});

const post = (body: unknown) =>
  t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { ...bearer(KEYS.writer), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const DAY = 86_400_000;

describe('identity targets', () => {
  it('a koreai.user and a cartesia.subject target each become one discovery task; identifiers show only as keyed hashes', async () => {
    const res = await post({
      regulation: 'gdpr',
      subject: { email: 'jane@example.com', userId: 'u-1f4c-jane', phone: '+1 415 555 0123' },
      targets: [
        { type: 'koreai.user', connection: 'kore-support' },
        { type: 'cartesia.subject', connection: 'cartesia-prod', agentIds: ['agent_a'], metadata: { customer_id: 'C-77' } },
      ],
    });
    expect(res.statusCode, res.body).toBe(202);
    const request = res.json() as { id: string; targets: unknown[]; progress: { pending: number } };
    expect(request.targets).toEqual([
      expect.objectContaining({ index: 0, type: 'koreai.user', tasks: 1 }),
      expect.objectContaining({ index: 1, type: 'cartesia.subject', tasks: 1 }),
    ]);
    const tasks = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${request.id}/tasks`, headers: bearer(KEYS.reader) });
    const [kore, cartesia] = (tasks.json() as { data: Array<{ type: string; locator: Record<string, unknown> }> }).data;
    const now = t.clock.now().getTime();
    // The defaults: a year back up to now; the cId is the userId (it has Kore.ai's u- form); 7-day windows.
    expect(kore).toMatchObject({ type: 'koreai.discovery', locator: { from: new Date(now - 365 * DAY).toISOString(), to: new Date(now).toISOString(), windowDays: 7, conversationsFromSessions: true } });
    expect(kore!.locator.identities).toEqual({ userId: expect.stringMatching(/^[0-9a-f]{64}$/), cId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(cartesia).toMatchObject({ type: 'cartesia.discovery', locator: { agentIds: ['agent_a'], since: new Date(now - 365 * DAY).toISOString() } });
    expect(cartesia!.locator.identities).toEqual({ phones: [expect.stringMatching(/^[0-9a-f]{64}$/)], metadata: { customer_id: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    // The phone's hash is the subject's: an auditor can tell the same person was searched for.
    const stored = await database.db.selectFrom('erasure_request').select('subject_hashes').where('id', '=', request.id).executeTakeFirstOrThrow();
    expect((cartesia!.locator.identities as { phones: string[] }).phones[0]).toBe((stored.subject_hashes as { phone: string }).phone);
    const shown = JSON.stringify([tasks.json(), res.json()]);
    for (const raw of ['u-1f4c-jane', '4155550123', '415 555 0123', 'C-77', 'jane@']) expect(shown).not.toContain(raw);
    // Stored for the search (until the purge), in the task's locator only.
    const rows = await database.db.selectFrom('task').select(['type', 'locator']).where('request_id', '=', request.id).orderBy('seq').execute();
    expect(rows[0]!.locator).toMatchObject({ userId: 'u-1f4c-jane', cId: 'u-1f4c-jane' });
    expect(rows[1]!.locator).toMatchObject({ phones: ['+14155550123'], metadata: { customer_id: 'C-77' } });
    // The trail: the target kinds and counts, never the identifiers.
    const events = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${request.id}/events`, headers: bearer(KEYS.auditor) });
    for (const raw of ['u-1f4c-jane', '4155550123', 'C-77', 'jane@']) expect(events.body).not.toContain(raw);
    expect(events.body).toContain('"koreai.discovery":1');
  });

  it('explicit userId, cId and range are searched as given', async () => {
    const res = await post({ regulation: 'ccpa', targets: [{ type: 'koreai.user', connection: 'kore-support', userId: 'EMP-7', cId: 'u-77', from: '2026-01-01', to: '2026-02-15' }] });
    expect(res.statusCode, res.body).toBe(202);
    const rows = await database.db.selectFrom('task').select('locator').where('request_id', '=', (res.json() as { id: string }).id).execute();
    expect(rows[0]!.locator).toMatchObject({ userId: 'EMP-7', cId: 'u-77', from: '2026-01-01T00:00:00.000Z', to: '2026-02-15T23:59:59.999Z' });
  });

  const refused = async (body: unknown, path: string, message: RegExp) => {
    const before = await countAllRows(database);
    const res = await post(body);
    expect(res.statusCode, res.body).toBe(400);
    const problem = expectProblem(res);
    expect(problem.type).toBe(PROBLEM('validation'));
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
    expect(await countAllRows(database)).toEqual(before);
  };

  it('400 for an identity target without any identity', async () => {
    await refused({ regulation: 'gdpr', targets: [{ type: 'koreai.user', connection: 'kore-support' }] }, 'body.targets.0.userId', /userId/);
    await refused({ regulation: 'gdpr', subject: { email: 'jane@example.com' }, targets: [{ type: 'cartesia.subject', connection: 'cartesia-prod', agentIds: ['a'] }] }, 'body.targets.0.phones', /phones, metadata or subject\.phone/);
  });

  it('400 for a range longer than discovery.maxRangeDays, ending in the future, or backwards', async () => {
    const now = t.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await refused({ regulation: 'gdpr', targets: [{ type: 'koreai.user', connection: 'kore-support', userId: 'x', from: iso(now.getTime() - 731 * DAY) }] }, 'body.targets.0.from', /at most 730/);
    await refused({ regulation: 'gdpr', targets: [{ type: 'koreai.user', connection: 'kore-support', userId: 'x', to: iso(now.getTime() + 60_000) }] }, 'body.targets.0.to', /future/);
    await refused({ regulation: 'gdpr', targets: [{ type: 'koreai.user', connection: 'kore-support', userId: 'x', from: '2026-03-01', to: '2026-02-01' }] }, 'body.targets.0.from', /before it ends/);
    await refused({ regulation: 'gdpr', targets: [{ type: 'cartesia.subject', connection: 'cartesia-prod', agentIds: ['a'], phones: ['+14155550123'], since: iso(now.getTime() - 800 * DAY) }] }, 'body.targets.0.since', /at most 730/);
    await refused({ regulation: 'gdpr', targets: [{ type: 'cartesia.subject', connection: 'cartesia-prod', agentIds: ['a'], phones: ['+14155550123'], since: iso(now.getTime() + DAY) }] }, 'body.targets.0.since', /future/);
  });

  it('400 without agents, for a national number, or for unknown fields', async () => {
    await refused({ regulation: 'gdpr', targets: [{ type: 'cartesia.subject', connection: 'cartesia-prod', phones: ['+14155550123'] }] }, 'body.targets.0.agentIds', /discovery\.agentIds/);
    await refused({ regulation: 'gdpr', targets: [{ type: 'cartesia.subject', connection: 'cartesia-prod', agentIds: ['a'], phones: ['(415) 555-0123'] }] }, 'body.targets.0.phones.0', /E\.164/);
    await refused({ regulation: 'gdpr', subject: { phone: '415 555 0123' }, targets: [{ type: 'cartesia.subject', connection: 'cartesia-prod', agentIds: ['a'] }] }, 'body.subject.phone', /E\.164/);
    await refused({ regulation: 'gdpr', targets: [{ type: 'koreai.user', connection: 'kore-support', userId: 'x', windowDays: 30 }] }, 'body.targets.0', /windowDays|Unrecognized/i);
  });

  it('an identity target on a connection of the other type is 422 unknown-connection, as for id lists', async () => {
    const res = await post({ regulation: 'gdpr', subject: { userId: 'x' }, targets: [{ type: 'koreai.user', connection: 'cartesia-prod' }] });
    expect(res.statusCode).toBe(422);
    expect(expectProblem(res).type).toBe(PROBLEM('unknown-connection'));
  });
});
