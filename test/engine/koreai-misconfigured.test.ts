// A Kore.ai connection that does not reach Kore.ai's API as configured: a wrong path prefix (Kore.ai's own
// 404), or a proxy / ingress in front answering an HTML page (404 or 200) for everything. None of them may
// end `succeeded` or `not_found`: each ends `failed` within its bounds, and the number of calls is counted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/events.ts';
import type { Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, insertRequest, startSimulators, startTestWorker, tasksOf, waitAllFinal, type Simulators } from './helpers.ts';
import { koreConnectionsConfig } from './koreai-helpers.ts';

const MAX_ATTEMPTS = 4;
let database: TestDatabase;
let sims: Simulators;
let worker: Worker;
const proxies: Array<{ server: Server; hits: number }> = [];

/** An nginx-style page for every request, counting them. */
async function htmlProxy(status: number): Promise<{ url: string; hits: () => number }> {
  const entry = { server: createServer(), hits: 0 };
  entry.server.on('request', (_req, res) => {
    entry.hits += 1;
    res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center><hr><center>nginx</center></body></html>`);
  });
  await new Promise<void>((resolve) => entry.server.listen(0, '127.0.0.1', resolve));
  proxies.push(entry);
  return { url: `http://127.0.0.1:${(entry.server.address() as AddressInfo).port}`, hits: () => entry.hits };
}

let html404: Awaited<ReturnType<typeof htmlProxy>>;
let html200: Awaited<ReturnType<typeof htmlProxy>>;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-misc-1', userId: 'u', recording: { status: 'success' } }]);
  sims.kore.control.seedConversations(BOT.botId, [{ id: 'cm-1' }]);
  html404 = await htmlProxy(404);
  html200 = await htmlProxy(200);
  const config = koreConnectionsConfig(
    {
      'wrong-prefix': { url: sims.koreUrl, over: { pathPrefix: '/api/v9/public/bot' } },
      'proxy-404': { url: html404.url },
      'proxy-200': { url: html200.url },
    },
    sims.cartesiaUrl,
    { maxAttempts: MAX_ATTEMPTS, backoffBaseMs: 20, backoffCapMs: 50 },
  );
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await Promise.all(proxies.map((p) => new Promise((resolve) => p.server.close(resolve))));
  await database?.close();
});

const targets = (connection: string) => [
  { type: 'koreai.recording' as const, connection, locator: { sessionId: 'sess-misc-1' } },
  { type: 'koreai.conversations' as const, connection, locator: { conversationIds: ['cm-1'] } },
];

describe('a misconfigured Kore.ai connection never ends as erased', () => {
  it('a wrong path prefix: Kore.ai’s own 404 fails each task at its first call', async () => {
    const requestId = await insertRequest(database.db, targets('wrong-prefix'));
    worker.wake();
    expect(await waitAllFinal(database.db, requestId, 15_000)).toEqual({ failed: 2 });
    const tasks = await tasksOf(database.db, requestId);
    for (const t of tasks) expect(t.last_error).toMatchObject({ kind: 'http', status: 404 });
    // The simulator does not log paths that are no route: the trail counts the calls.
    const calls = (await listEvents(database.db, requestId)).filter((e) => e.type === 'upstream.call');
    console.log(`[koreai] wrong path prefix: 2 tasks failed (http 404), ${calls.length} upstream calls`);
    expect(calls.map((e) => [e.data.path, e.data.status])).toEqual(
      expect.arrayContaining([
        ['/api/v9/public/bot/{botId}/v2/recordings?sessionId={sessionId}', 404],
        ['/api/v9/public/bot/{botId}/conversations/delete', 404],
      ]),
    );
    expect(calls).toHaveLength(2);
    expect(sims.kore.control.deleted().recordings).toEqual([]);
  });

  for (const proxy of ['proxy-404', 'proxy-200'] as const) {
    it(`an HTML ${proxy.slice(-3)} page in front: retried ${MAX_ATTEMPTS} times, then failed unrecognised_answer with the status, never the body`, async () => {
      const p = proxy === 'proxy-404' ? html404 : html200;
      const before = p.hits();
      const requestId = await insertRequest(database.db, targets(proxy));
      worker.wake();
      expect(await waitAllFinal(database.db, requestId, 15_000)).toEqual({ failed: 2 });
      const tasks = await tasksOf(database.db, requestId);
      for (const t of tasks) {
        expect(t.last_error).toMatchObject({ kind: 'unrecognised_answer', status: Number(proxy.slice(-3)), gaveUp: 'max_attempts' });
        expect(t.attempts).toBe(MAX_ATTEMPTS);
        expect(JSON.stringify(t.last_error)).not.toContain('nginx');
      }
      const calls = p.hits() - before;
      console.log(`[koreai] HTML ${proxy.slice(-3)} proxy: 2 tasks failed (unrecognised_answer), ${calls} upstream calls`);
      expect(calls).toBe(2 * MAX_ATTEMPTS);
      // A 2xx without a job id may have queued a job: each such submit is kept as a lost answer.
      const job = tasks.find((t) => t.type === 'koreai.conversations')!;
      expect(((job.upstream_ref as { lostSubmits?: unknown[] } | null)?.lostSubmits ?? []).length).toBe(proxy === 'proxy-200' ? MAX_ATTEMPTS : 0);
    });
  }
});
