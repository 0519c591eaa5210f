// How a worker uses the pacing rule of domain/pacing.ts: which connections are paced, how far ahead to reserve.
import type { ConnectionConfig } from '../config.ts';
import { withReserve, type ConnectionLimits } from '../domain/connection-limits.ts';

/**
 * How far ahead a worker reserves a window slot: a few times its recent paced-claim latency, so the
 * reservation is in place before the slot frees, within these bounds (a reservation holds a
 * concurrency slot from its claim, so it should not be made much earlier than needed).
 */
export const RESERVE_AHEAD_MIN_MS = 50;
export const RESERVE_AHEAD_MAX_MS = 1000;

export function reserveAheadMs(claimLatencyMs: number): number {
  return Math.round(Math.min(RESERVE_AHEAD_MAX_MS, Math.max(RESERVE_AHEAD_MIN_MS, 4 * claimLatencyMs)));
}

export function isPaced(limits: ConnectionLimits): boolean {
  return limits.windows.length > 0 || limits.concurrency !== undefined;
}

export function pacedConnections(connections: readonly ConnectionConfig[]): ConnectionConfig[] {
  return connections.filter((c) => isPaced(c.limits));
}



/** The limits a connection's claims are paced by: its windows less the reserve it keeps for others. */
export function pacingLimits(connection: ConnectionConfig): ConnectionLimits {
  return withReserve(connection.limits);
}
