// Request bodies the bench sends: a realistic erasure request with three targets.
import { randomBytes } from 'node:crypto';

const run = randomBytes(4).toString('hex');

/** 3 targets: 5 conversation ids (one Kore.ai job), 2 recordings, 2 Cartesia calls = 5 tasks. */
export function realisticRequest(i: number): Record<string, unknown> {
  const id = `${run}-${i}`;
  return {
    externalRef: `BENCH-${id}`,
    regulation: 'gdpr',
    subject: { email: `subject-${id}@example.com`, userId: `u-${id}` },
    targets: [
      { type: 'koreai.conversations', connection: 'kore', conversationIds: [1, 2, 3, 4, 5].map((n) => `c-${id}-${n}`) },
      { type: 'koreai.recordings', connection: 'kore', sessionIds: [1, 2].map((n) => `s-${id}-${n}`) },
      { type: 'cartesia.calls', connection: 'cartesia', callIds: [1, 2].map((n) => `ac_${id}-${n}`) },
    ],
  };
}

export const TASKS_PER_REALISTIC_REQUEST = 5;

export function postHeaders(apiKey: string, idempotencyKey: string): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'idempotency-key': idempotencyKey };
}

export const runTag = run;
