// One request with every target type, driven to `completed` by a worker against the simulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/events.ts';
import { verifyChain } from '../../src/domain/event-chain.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitAllFinal, type Simulators } from './helpers.ts';
import type { Worker } from '../../src/worker/worker.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  sims.kore.control.seedConversations(BOT.botId, [
    { id: 'conv-1' },
    { id: 'conv-2' },
    { id: 'conv-u1', cId: 'u-channel-1', date: '2026-01-15' },
    { id: 'conv-u2', cId: 'u-channel-1' },
  ]);
  sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-rec-1', userId: 'user-1', recording: { status: 'success' } }]);
  sims.cartesia.control.seedCalls([{ id: 'ac_done', status: 'completed' }, { id: 'ac_other', status: 'failed' }]);
  // Kore.ai paced (windows and concurrency), Cartesia paced by concurrency only.
  const { config } = engineConfig({ koreUrl: sims.koreUrl, cartesiaUrl: sims.cartesiaUrl, kore: { limits: { windows: [{ max: 50, seconds: 2 }], concurrency: 4 } } });
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await database?.close();
});

describe('a request with all four target types', () => {
  it('reaches completed, each task with its upstream reference', async () => {
    const requestId = await insertRequest(database.db, [
      { type: 'koreai.conversations', connection: 'kore', locator: { conversationIds: ['conv-1', 'conv-2'] } },
      { type: 'koreai.channel_user', connection: 'kore', locator: { cId: 'u-channel-1', startDate: '2020-01-01', endDate: new Date().toISOString() } },
      { type: 'koreai.recording', connection: 'kore', locator: { sessionId: 'sess-rec-1' } },
      { type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_done' } },
    ]);
    worker.wake();
    expect(await waitAllFinal(database.db, requestId, 20_000)).toEqual({ succeeded: 4 });

    const [conv, channel, recording, call] = await tasksOf(database.db, requestId);
    expect(conv!.upstream_ref).toMatchObject({ jobId: expect.stringMatching(/^cdj-/), jobStatus: 'completed', result: { totalConversations: 2, deletedCount: 2, skippedCount: 0 } });
    expect(conv!.upstream_ref).toMatchObject({ jobIds: [(conv!.upstream_ref as { jobId: string }).jobId] });
    expect(channel!.upstream_ref).toMatchObject({ jobId: expect.stringMatching(/^cdj-/), jobStatus: 'completed', result: { deletedCount: 2 } });
    expect(recording!.upstream_ref).toMatchObject({ deleteStatus: 200, recordingStatus: 'media_unavailable' });
    expect(call!.upstream_ref).toMatchObject({ redactedAt: expect.any(String) });
    for (const t of [conv, channel, recording, call]) {
      expect(t!.finished_at).not.toBeNull();
      expect(t!.first_sent_at).not.toBeNull();
      expect(t!.lease_owner).toBeNull();
    }

    const request = await database.db.selectFrom('erasure_request').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('completed');
    expect(request.completed_at).not.toBeNull();

    // The upstreams really deleted it all.
    expect(sims.kore.control.deleted().conversations.map((c) => c.conversationId).sort()).toEqual(['conv-1', 'conv-2', 'conv-u1', 'conv-u2']);
    expect(sims.kore.control.deleted().recordings.map((r) => r.sessionId)).toEqual(['sess-rec-1']);
    expect(sims.cartesia.control.deleted().calls.map((c) => c.callId)).toEqual(['ac_done']);

    // The audit trail: every call and state change, chained, without identifiers.
    const events = await listEvents(database.db, requestId);
    expect(verifyChain(events).valid).toBe(true);
    const calls = events.filter((e) => e.type === 'upstream.call');
    expect(calls.map((e) => e.data.path)).toEqual(
      expect.arrayContaining([
        '/api/public/bot/{botId}/conversations/delete',
        '/api/public/bot/{botId}/conversations/delete/{jobId}',
        '/api/public/bot/{botId}/v2/recordings?sessionId={sessionId}',
        '/agents/calls/{call_id}',
      ]),
    );
    for (const e of calls) expect(e.data).toMatchObject({ method: expect.any(String), status: expect.any(Number), latencyMs: expect.any(Number) });
    expect(events.filter((e) => e.type === 'task.state_changed' && e.data.to === 'succeeded')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'request.status_changed').map((e) => e.data.to)).toEqual(['in_progress', 'completed']);
    const text = JSON.stringify(events);
    for (const secret of ['sess-rec-1', 'u-channel-1', 'ac_done', 'conv-1', BOT.clientSecret]) expect(text).not.toContain(secret);
  });

  it('an unknown Cartesia call is not_found and the request still completes', async () => {
    const requestId = await insertRequest(database.db, [
      { type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_missing' } },
      { type: 'cartesia.call', connection: 'cartesia', locator: { callId: 'ac_other' } },
    ]);
    worker.wake();
    expect(await waitAllFinal(database.db, requestId, 10_000)).toEqual({ not_found: 1, succeeded: 1 });
    const [missing] = await tasksOf(database.db, requestId);
    expect(missing!.state).toBe('not_found');
    expect(missing!.upstream_ref).toMatchObject({ httpStatus: 404, requestId: expect.any(String) });
    const request = await database.db.selectFrom('erasure_request').select(['status', 'completed_at']).where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(request.status).toBe('completed');
    expect(request.completed_at).not.toBeNull();
  });
});
