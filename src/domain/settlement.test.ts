import { describe, expect, it } from 'vitest';
import { settlementEvents } from './settlement.ts';
import type { ClaimedTask, TaskUpdatePlan } from './task-execution.ts';

const now = new Date('2026-01-01T00:00:00.000Z');
const task: ClaimedTask = {
  id: '7c1e6a52-3c1d-4e8e-9d7a-0a4f1c2b3d4e',
  requestId: '8d2f7b63-4d2e-4f9f-8e8b-1b5a2d3c4e5f',
  type: 'cartesia.call',
  connection: 'cartesia-prod',
  locator: { callId: 'ac_1' },
  phase: 'delete',
  claimedFrom: 'pending',
  attempts: 0,
  upstreamRef: null,
  createdAt: now,
  firstSentAt: null,
  leaseExpiresAt: now,
};
const plan = (over: Partial<TaskUpdatePlan>): TaskUpdatePlan => ({
  state: 'pending', phase: 'delete', attempts: 1, nextAttemptAt: now, upstreamRef: null, lastError: null, finishedAt: null, sentAt: now, failedAttempt: false, ...over,
});

describe('settlementEvents', () => {
  it('carry no upstream free text: the not-found message and an error message stay on the task row', () => {
    const echo = 'Call for jane.doe@example.org at +44 20 7946 0958 not found';
    const notFound = settlementEvents({
      task,
      plan: plan({ state: 'not_found', finishedAt: now, upstreamRef: { httpStatus: 404, errorCode: 'not_found', message: echo, requestId: 'req_1' } }),
      result: {
        outcome: { kind: 'not_found', upstreamRef: { httpStatus: 404, message: echo } },
        call: { operation: 'call.delete', method: 'DELETE', pathTemplate: '/agents/calls/{call_id}', status: 404, latencyMs: 12, ref: { requestId: 'req_1', message: echo } },
      },
      actor: 'worker:w1',
      now,
    });
    expect(notFound.map((e) => e.type)).toEqual(['upstream.call', 'task.state_changed']);
    expect(notFound[0]!.data.upstreamRef).toEqual({ requestId: 'req_1' });
    expect(notFound[1]!.data.upstreamRef).toEqual({ httpStatus: 404, errorCode: 'not_found', requestId: 'req_1' });

    const failedAttempt = settlementEvents({
      task,
      plan: plan({ failedAttempt: true, lastError: { kind: 'http', status: 500, message: echo } }),
      result: {
        outcome: { kind: 'retry', error: { kind: 'http', status: 500, message: echo } },
        call: { operation: 'call.delete', method: 'DELETE', pathTemplate: '/agents/calls/{call_id}', status: null, latencyMs: 30_000, transportError: `socket hang up (${echo})` },
      },
      actor: 'worker:w1',
      now,
    });
    expect(failedAttempt[0]!.data.transportError).toBe('transport_error');
    expect(failedAttempt[1]!.data.error).toEqual({ kind: 'http', status: 500, code: null });
    for (const e of [...notFound, ...failedAttempt]) {
      expect(JSON.stringify(e)).not.toContain('jane.doe');
      expect(JSON.stringify(e)).not.toContain('7946');
    }
  });
});
