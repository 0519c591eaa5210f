// Channel-user date ranges against the simulator's readings of a bare `YYYY-MM-DD` endDate: with the
// default `dateFormat: datetime` the gateway sends whole-day bounds, so a tenant that reads a bare end
// day as midnight (`dateOnlyEndDate: midnight`) still covers the whole last day; `date` sends days, for
// tenants that read them whole. An end of today in either form is accepted; no end means now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, insertRequest, startSimulators, startTestWorker, waitAllFinal, type Simulators } from './helpers.ts';
import { callsSince, koreConnectionsConfig, logLength, onlyTask, report } from './koreai-helpers.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;
const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const yesterday = day(Date.now() - DAY);
const today = day(Date.now());

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  const config = koreConnectionsConfig({ kore: { url: sims.koreUrl }, 'kore-date': { url: sims.koreUrl, over: { dateFormat: 'date' } } }, sims.cartesiaUrl);
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await database?.close();
});

const held = (cId: string) => sims.kore.control.botState(BOT.botId).conversations.filter((c) => c.cId === cId).map((c) => c.id);

async function run(scenario: string, connection: string, locator: Record<string, unknown>) {
  const from = logLength(sims.kore);
  const requestId = await insertRequest(database.db, [{ type: 'koreai.channel_user', connection, locator }]);
  worker.wake();
  await waitAllFinal(database.db, requestId, 15_000);
  const task = await onlyTask(database.db, requestId);
  report(scenario, task, callsSince(sims.kore, from));
  return task;
}

describe('Kore.ai channel-user dates', () => {
  it('dateFormat datetime on a tenant reading a bare end day as midnight: the whole last day is erased', async () => {
    sims.kore.control.updateSettings({ dateOnlyEndDate: 'midnight' });
    sims.kore.control.seedConversations(BOT.botId, [
      { id: 'cd-morning', cId: 'u-dates-1', date: `${yesterday}T09:00:00.000Z` },
      { id: 'cd-evening', cId: 'u-dates-1', date: `${yesterday}T18:00:00.000Z` },
    ]);
    const task = await run('datetime on a midnight tenant', 'kore', { cId: 'u-dates-1', startDate: yesterday, endDate: yesterday });
    expect(task.state).toBe('succeeded');
    expect(task.upstream_ref).toMatchObject({ range: { startDate: `${yesterday}T00:00:00.000Z`, endDate: `${yesterday}T23:59:59.999Z` }, result: { totalConversations: 2 } });
    expect(held('u-dates-1')).toEqual([]);
  });

  it('dateFormat date sends YYYY-MM-DD (for tenants that read it as the whole day)', async () => {
    sims.kore.control.updateSettings({ dateOnlyEndDate: 'whole-day' });
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cd-date-evening', cId: 'u-dates-2', date: `${yesterday}T18:00:00.000Z` }]);
    const task = await run('date on a whole-day tenant', 'kore-date', { cId: 'u-dates-2', startDate: `${yesterday}T10:00:00.000Z`, endDate: yesterday });
    expect(task.state).toBe('succeeded');
    expect(task.upstream_ref).toMatchObject({ range: { startDate: yesterday, endDate: yesterday } });
    expect(held('u-dates-2')).toEqual([]);
  });

  it('an end of today as T23:59:59.999Z is accepted by Kore.ai and covers today', async () => {
    sims.kore.control.updateSettings({ dateOnlyEndDate: 'midnight' });
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cd-today', cId: 'u-dates-3', date: new Date(Date.now() - 60_000).toISOString() }]);
    const task = await run('end of today', 'kore', { cId: 'u-dates-3', endDate: `${today}T23:59:59.999Z` });
    expect(task.state).toBe('succeeded');
    expect(held('u-dates-3')).toEqual([]);
  });

  it('no end: the range ends when the job is submitted, and covers what came before', async () => {
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cd-recent', cId: 'u-dates-4', date: new Date(Date.now() - 60_000).toISOString() }]);
    const before = Date.now();
    const task = await run('no end', 'kore', { cId: 'u-dates-4' });
    expect(task.state).toBe('succeeded');
    const end = Date.parse(String((task.upstream_ref as { range: { endDate: string } }).range.endDate));
    expect(end).toBeGreaterThanOrEqual(before);
    expect(end).toBeLessThanOrEqual(Date.now());
    expect(held('u-dates-4')).toEqual([]);
  });
});
