// Helpers of the Kore.ai verdict tests (test/engine/koreai-*.test.ts): a gateway config with several
// Kore.ai connections on the test simulators, and the simulator's calls made during one scenario.
import type { Kysely } from 'kysely';
import { parseConfigFile, type GatewayConfig } from '../../src/config.ts';
import type { DB, TaskRow } from '../../src/db/schema.ts';
import type { JsonObject } from '../../src/domain/json.ts';
import type { KoreaiSimulator } from '../../src/simulators/index.ts';
import { cartesiaTestConnection, koreTestConnection, SECRET_ENV, tasksOf } from './helpers.ts';

/** One config file with a Kore.ai connection per entry (`name → settings over koreTestConnection`). */
export function koreConnectionsConfig(koreUrls: Record<string, { url: string; over?: JsonObject }>, cartesiaUrl: string, worker: JsonObject = {}): Pick<GatewayConfig, 'file' | 'secrets'> {
  const raw = {
    apiKeys: [{ name: 'engine-test', sha256: '1'.repeat(64), scopes: ['erasure:write'] }],
    connections: [...Object.entries(koreUrls).map(([name, c]) => koreTestConnection(name, c.url, c.over)), cartesiaTestConnection('cartesia', cartesiaUrl)],
    worker: { pollIntervalMs: 100, sweepIntervalMs: 250, leaseSeconds: 10, backoffBaseMs: 50, backoffCapMs: 400, shutdownGraceMs: 2000, ...worker },
  };
  return parseConfigFile(raw, SECRET_ENV, () => {
    throw new Error('no files in engine tests');
  });
}

export type SimCall = { at: number; method: string; url: string; route: string; status: number | null };

/** The calls the simulator logged from `from` on (an index into its log), optionally of one route. */
export function callsSince(sim: KoreaiSimulator, from: number, route?: string): SimCall[] {
  return sim.control
    .requests()
    .log.slice(from)
    .filter((e) => route === undefined || e.route === route)
    .map((e) => ({ at: Date.parse(e.at), method: e.method, url: e.url, route: e.route ?? '', status: e.status }));
}

export const logLength = (sim: KoreaiSimulator): number => sim.control.requests().log.length;

/** Calls per route, e.g. `{ 'koreai.conversations.delete': 1, 'koreai.jobs.get': 3 }`. */
export function callCounts(calls: readonly SimCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.route] = (out[c.route] ?? 0) + 1;
  return out;
}

export async function onlyTask(db: Kysely<DB>, requestId: string): Promise<TaskRow> {
  const [task] = await tasksOf(db, requestId);
  if (task === undefined) throw new Error(`request ${requestId} has no task`);
  return task;
}

/** One line per scenario for the test output: what a reader of the issue's "Must show" looks for. */
export function report(scenario: string, task: TaskRow, calls: readonly SimCall[]): void {
  const kind = (task.last_error as { kind?: string } | null)?.kind;
  console.log(`[koreai] ${scenario}: ${task.state}${task.state === 'failed' ? ` (${kind})` : ''}, ${calls.length} upstream calls ${JSON.stringify(callCounts(calls))}`);
}
