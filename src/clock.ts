// Time and ids come through these small sources so tests can control them.
import { randomBytes, randomUUID } from 'node:crypto';

export type Clock = { now(): Date };
export type IdSource = {
  uuid(): string;
  /** An unguessable secret (256 random bits, base64url): console session tokens. */
  token(): string;
};

export const systemClock: Clock = { now: () => new Date() };
export const randomIds: IdSource = { uuid: () => randomUUID(), token: () => randomBytes(32).toString('base64url') };

/** A clock tests move by hand. */
export function manualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): Clock & { set(d: Date | string): void; advance(ms: number): void } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = new Date(d).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
