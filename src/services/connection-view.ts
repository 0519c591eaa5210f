// The configured connections as GET /v1/connections shows them: type, address, limits, last check, and
// whether their deletions are held or paused. Connections are the operator's configuration, the same for
// every caller; credentials and client ids are never shown.
import type { Kysely } from 'kysely';
import type { ConnectionConfig } from '../config.ts';
import { activeConnectionPauses, lastConnectionChecks, type ConnectionCheckRow } from '../db/connection-checks.ts';
import type { DB } from '../db/schema.ts';
import { holdsDeletions, type ConnectionCheckRecord, type ConnectionList, type ConnectionResource } from '../domain/connection-check.ts';

/** The base URL as it may be shown: no user info, query or fragment. */
export function displayBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

export function toCheckRecord(row: ConnectionCheckRow): ConnectionCheckRecord {
  return { result: row.result, httpStatus: row.httpStatus, code: row.code, latencyMs: row.latencyMs, checkedAt: row.checkedAt, checkedBy: row.checkedBy };
}

export function toConnectionResource(c: ConnectionConfig, check: ConnectionCheckRow | undefined, pausedUntil: Date | undefined): ConnectionResource {
  return {
    name: c.name,
    type: c.type,
    baseUrl: displayBaseUrl(c.baseUrl),
    botId: c.type === 'koreai' ? c.botId : null,
    apiVersion: c.type === 'cartesia' ? c.apiVersion : null,
    limits: { windows: c.limits.windows.map((w) => ({ max: w.max, seconds: w.seconds })), concurrency: c.limits.concurrency ?? null },
    lastCheck: check === undefined ? null : toCheckRecord(check),
    blocked: check !== undefined && holdsDeletions(check.result),
    pausedUntil: pausedUntil?.toISOString() ?? null,
  };
}

export async function listConnectionResources(db: Kysely<DB>, connections: readonly ConnectionConfig[]): Promise<ConnectionList> {
  const names = connections.map((c) => c.name);
  const [checks, pauses] = await Promise.all([lastConnectionChecks(db, names), activeConnectionPauses(db)]);
  return { data: connections.map((c) => toConnectionResource(c, checks.get(c.name), pauses.get(c.name))) };
}
