// The gateway against every Cartesia reading the simulator knows (src/simulators/README.md, "Cartesia"):
// the task's final state and error kind, and the calls the simulator received for it. None of the
// misconfigurations — a base URL with a wrong path, an HTML proxy in front, a wrong Cartesia-Version —
// may end `succeeded` or `not_found`; each ends `failed` within its bounds (worker.maxAttempts = 3 here,
// activeCallMaxWaitHours = 0.0005 h ≈ 1.8 s for waits). Connection checks are off in this file (the
// worker is started bare), so what is shown is the classifier's verdict; test/engine/connection-hold
// shows the checks holding a misconfigured connection before anything is sent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRow } from '../../src/db/schema.ts';
import type { JsonObject } from '../../src/domain/json.ts';
import type { CartesiaSettingsPatch } from '../../src/simulators/cartesia/settings.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { engineConfig, insertRequest, startSimulators, startTestWorker, tasksOf, waitAllFinal, type Simulators } from './helpers.ts';

let database: TestDatabase;
let sims: Simulators;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
});

afterAll(async () => {
  await sims?.close();
  await database?.close();
});

beforeEach(() => sims.cartesia.control.reset());

type Reading = {
  settings?: CartesiaSettingsPatch;
  /** Connection fields, e.g. a wrong baseUrl or apiVersion. */
  connection?: (cartesiaUrl: string) => JsonObject;
  seed?: { status: 'created' | 'started' | 'completed' | 'failed'; endsAt?: { afterMs: number } };
};

type Call = { method: string; route: string; status: number | null; answeredBy: string };

/** One call task through a worker against the simulator set up for `reading`. */
async function erase(callId: string, reading: Reading): Promise<{ task: TaskRow; calls: Call[]; state: string }> {
  if (reading.settings !== undefined) sims.cartesia.control.updateSettings(reading.settings);
  if (reading.seed !== undefined) sims.cartesia.control.seedCalls([{ id: callId, ...reading.seed }]);
  const { config } = engineConfig({
    koreUrl: sims.koreUrl,
    cartesiaUrl: sims.cartesiaUrl,
    cartesia: { activeCallRecheckSeconds: 0.1, activeCallMaxWaitHours: 0.0005, ...reading.connection?.(sims.cartesiaUrl) },
    worker: { maxAttempts: 3, backoffBaseMs: 20, backoffCapMs: 100 },
  });
  const worker = startTestWorker(database, config);
  try {
    const requestId = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia', locator: { callId } }]);
    worker.wake();
    await waitAllFinal(database.db, requestId, 20_000);
    const [task] = await tasksOf(database.db, requestId);
    const calls = sims.cartesia.control
      .requests()
      .log.filter((e) => e.url.includes(callId))
      .map((e) => ({ method: e.method, route: e.route, status: e.status, answeredBy: e.answeredBy }));
    return { task: task!, calls, state: task!.state };
  } finally {
    await worker.stop();
  }
}

const methods = (calls: Call[]) => calls.map((c) => `${c.method} ${c.status}`);

describe('misconfigurations never end as erased', () => {
  it('a base URL with a wrong path (https://…/v1): the framework\'s {"detail":"Not Found"} → failed unrecognised_answer 404 after 3 DELETEs', { timeout: 30_000 }, async () => {
    const r = await erase('ac_wrong_path_json', { seed: { status: 'completed' }, connection: (url) => ({ baseUrl: `${url}/v1` }) });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 404, code: 'not_cartesia_shape', gaveUp: 'max_attempts' });
    expect(r.calls).toEqual(Array.from({ length: 3 }, () => ({ method: 'DELETE', route: 'cartesia.unmatched', status: 404, answeredBy: 'simulator' })));
    expect(sims.cartesia.control.call('ac_wrong_path_json').redacted_at).toBeNull();
  });

  it('the wrong path answered as plain text → failed unrecognised_answer (not_json), 3 calls', { timeout: 30_000 }, async () => {
    const r = await erase('ac_wrong_path_text', { seed: { status: 'completed' }, settings: { routeNotFoundBody: 'text' }, connection: (url) => ({ baseUrl: `${url}/v1` }) });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 404, code: 'not_json' });
    expect(methods(r.calls)).toEqual(['DELETE 404', 'DELETE 404', 'DELETE 404']);
  });

  it("the wrong path answered in Cartesia's own error shape (\"No such route.\") → failed unrecognised_answer (route_not_found), 3 calls", { timeout: 30_000 }, async () => {
    const r = await erase('ac_wrong_path_cj', { seed: { status: 'completed' }, settings: { routeNotFoundBody: 'cartesia-json' }, connection: (url) => ({ baseUrl: `${url}/v1` }) });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 404, code: 'route_not_found' });
    expect(methods(r.calls)).toEqual(['DELETE 404', 'DELETE 404', 'DELETE 404']);
  });

  it('an HTML proxy answering 404 → failed unrecognised_answer 404, 3 calls, nothing deleted', { timeout: 30_000 }, async () => {
    const r = await erase('ac_proxy_404', { seed: { status: 'completed' }, settings: { proxy: 'html404' } });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 404, code: 'not_json' });
    expect(r.calls.map((c) => `${c.method} ${c.status} ${c.answeredBy}`)).toEqual(['DELETE 404 proxy', 'DELETE 404 proxy', 'DELETE 404 proxy']);
    expect(sims.cartesia.control.deleted().calls).toEqual([]);
  });

  it('an HTML proxy answering 200 (a sign-in page) → the DELETE is confirmed by GET, which is HTML too → failed unrecognised_answer 200, 4 calls', { timeout: 30_000 }, async () => {
    const r = await erase('ac_proxy_200', { seed: { status: 'completed' }, settings: { proxy: 'html200' } });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 200, code: 'not_json' });
    expect(methods(r.calls)).toEqual(['DELETE 200', 'GET 200', 'GET 200', 'GET 200']);
    expect(sims.cartesia.control.report().proxyAnswered).toBe(4);
    expect(sims.cartesia.control.deleted().calls).toEqual([]);
  });

  it('an HTML proxy answering 502 → failed unrecognised_answer 502, 3 calls', { timeout: 30_000 }, async () => {
    const r = await erase('ac_proxy_502', { seed: { status: 'completed' }, settings: { proxy: 'html502' } });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 502 });
    expect(methods(r.calls)).toEqual(['DELETE 502', 'DELETE 502', 'DELETE 502']);
  });

  it('a wrong Cartesia-Version (400 invalid_version) → failed at once with its code, 1 call', { timeout: 30_000 }, async () => {
    const r = await erase('ac_bad_version', { seed: { status: 'completed' }, connection: () => ({ apiVersion: '2025-11-04' }) });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'http', status: 400, code: 'invalid_version' });
    expect(methods(r.calls)).toEqual(['DELETE 400']);
  });
});

describe('calls still in progress', () => {
  it('the not-terminal 400 without a code, a call that never ends → GETs its status in a counted wait, failed still_in_progress at the bound', { timeout: 30_000 }, async () => {
    const r = await erase('ac_active_forever', { seed: { status: 'started' } });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'still_in_progress', code: 'call_active', status: 200 });
    const checks = (r.task.upstream_ref?.activeCallWait as { checks: number }).checks;
    expect(checks).toBeGreaterThanOrEqual(4); // 0.1 s, then 0.2, 0.4, 0.8 … up to the 1.8 s bound
    expect(methods(r.calls)).toEqual(['DELETE 400', ...Array.from({ length: checks }, () => 'GET 200')]);
    expect(r.task.attempts).toBe(1); // waiting is not a failed attempt; the final failure is
  });

  it('the not-terminal 400 with an error code, a call that ends later → succeeded after it ended', { timeout: 30_000 }, async () => {
    const r = await erase('ac_active_ends', { seed: { status: 'started', endsAt: { afterMs: 500 } }, settings: { notTerminalErrorCode: 'call_not_terminal' } });
    expect(r.state).toBe('succeeded');
    expect(r.task.upstream_ref).toMatchObject({ redactedAt: expect.any(String), callStatus: 'completed' });
    const m = methods(r.calls);
    expect(m[0]).toBe('DELETE 400');
    expect(m.at(-1)).toBe('DELETE 200');
    expect(m.slice(1, -1).every((x) => x === 'GET 200')).toBe(true);
    expect(sims.cartesia.control.deleted().calls.map((c) => c.callId)).toEqual(['ac_active_ends']);
  });

  it('a cancel answered {"cancelled": false} is no cancel: the wait goes on and ends failed still_in_progress; one cancel sent', { timeout: 30_000 }, async () => {
    const r = await erase('ac_cancel_false', { seed: { status: 'started' }, settings: { cancelAnswer: 'false' }, connection: () => ({ cancelActiveCalls: true }) });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'still_in_progress', code: 'call_active' });
    expect(r.task.upstream_ref).toMatchObject({ cancelRefusedAt: expect.any(String) });
    expect(r.task.upstream_ref).not.toHaveProperty('cancelledAt');
    const m = methods(r.calls);
    expect(m.slice(0, 3)).toEqual(['DELETE 400', 'GET 200', 'POST 200']);
    expect(m.filter((x) => x.startsWith('POST'))).toHaveLength(1);
    expect(m.filter((x) => x.startsWith('DELETE'))).toHaveLength(1);
    expect(sims.cartesia.control.report().cancelNotHonoured.map((c) => c.callId)).toEqual(['ac_cancel_false']);
  });

  it('a cancel that ends the call later: waits after {"cancelled": true} until it has ended, then deletes; one cancel sent', { timeout: 30_000 }, async () => {
    const r = await erase('ac_cancel_later', { seed: { status: 'started' }, settings: { cancelDelayMs: 800 }, connection: () => ({ cancelActiveCalls: true }) });
    expect(r.state).toBe('succeeded');
    const m = methods(r.calls);
    expect(m.slice(0, 3)).toEqual(['DELETE 400', 'GET 200', 'POST 200']);
    expect(m.filter((x) => x.startsWith('POST'))).toHaveLength(1);
    expect(m.at(-1)).toBe('DELETE 200');
    expect(sims.cartesia.control.call('ac_cancel_later')).toMatchObject({ end_reason: 'api_cancelled', redacted_at: expect.any(String) });
  });
});

describe('answers that do not show the deletion', () => {
  it('a DELETE answered {} → confirmed by GET (redacted_at set) → succeeded, 2 calls', { timeout: 30_000 }, async () => {
    const r = await erase('ac_delete_empty', { seed: { status: 'completed' }, settings: { deleteAnswer: 'empty' } });
    expect(r.state).toBe('succeeded');
    expect(r.task.upstream_ref).toMatchObject({ deleteStatus: 200, redactedAt: expect.any(String), confirmedAt: expect.any(String) });
    expect(methods(r.calls)).toEqual(['DELETE 200', 'GET 200']);
  });

  it('a DELETE answered 200 without redacted_at that deleted nothing → GET shows it unredacted → failed unrecognised_answer (delete_not_applied), 6 calls', { timeout: 30_000 }, async () => {
    const r = await erase('ac_delete_not_applied', { seed: { status: 'completed' }, settings: { deleteAnswer: 'no-redacted-at' } });
    expect(r.state).toBe('failed');
    expect(r.task.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 200, code: 'delete_not_applied', gaveUp: 'max_attempts' });
    expect(methods(r.calls)).toEqual(['DELETE 200', 'GET 200', 'DELETE 200', 'GET 200', 'DELETE 200', 'GET 200']);
    expect(sims.cartesia.control.call('ac_delete_not_applied')).toMatchObject({ redacted_at: null, transcript: expect.any(Array) });
  });

  it("a call Cartesia really does not have → its JSON 404, confirmed by GET's → not_found, 2 calls", { timeout: 30_000 }, async () => {
    const r = await erase('ac_really_unknown', {});
    expect(r.state).toBe('not_found');
    expect(r.task.upstream_ref).toMatchObject({ httpStatus: 404, errorCode: 'not_found', confirmedAt: expect.any(String) });
    expect(r.task.upstream_ref).not.toHaveProperty('message');
    expect(methods(r.calls)).toEqual(['DELETE 404', 'GET 404']);
  });

  it('a completed call with the documented answer → succeeded, 1 call', { timeout: 30_000 }, async () => {
    const r = await erase('ac_plain', { seed: { status: 'completed' } });
    expect(r.state).toBe('succeeded');
    expect(r.task.upstream_ref).toMatchObject({ redactedAt: expect.any(String), callStatus: 'completed' });
    expect(methods(r.calls)).toEqual(['DELETE 200']);
  });
});
