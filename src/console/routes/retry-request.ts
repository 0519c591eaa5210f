// POST /console/requests/:id/retry — "Re-drive failed tasks": the API's retry (services/retry-request.ts)
// as an operator action (console/operator-action.ts): confirmation, reason, result on the request page.
import { z } from 'zod';
import { OPERATOR_REASONS } from '../../domain/operator-reasons.ts';
import { defineAction } from '../operator-action.ts';
import { retryRequest } from '../../services/retry-request.ts';
import { count, stateLabel } from '../views/format.ts';
import { REASON_LABELS, REASON_OPTIONS } from '../views/operator-action.ts';

export const retryAction = defineAction({
  slug: 'retry',
  title: 'Re-drive failed tasks',
  on: 'request',
  explain: ({ request: r }) =>
    r.progress.failed === 0
      ? 'The last callback delivery failed: it is sent again.'
      : `${r.progress.failed === 1 ? 'The failed task starts over from its' : `The ${count(r.progress.failed, 'failed task')} start over from their`} first phase (attempts reset); the request reopens and is called back again when it is final.`,
  applies: ({ request: r }) => r.cancelledAt === null && (r.status === 'failed' || r.progress.failed > 0),
  fields: [{ name: 'reason', label: 'Reason (kept in the audit trail)', control: { kind: 'select', options: REASON_OPTIONS }, required: true }],
  input: z.object({ reason: z.enum(OPERATOR_REASONS, 'choose a reason from the list') }),
  facts: ({ reason }) => [['Reason', REASON_LABELS[reason]]],
  async perform(deps, caller, { requestId }, { reason }) {
    const result = await retryRequest(deps.database.db, requestId, { caller, now: deps.clock.now(), reason });
    switch (result.kind) {
      case 'retried':
        deps.wakeWorkers?.();
        return {
          tone: 'ok',
          text: `Re-drove ${result.retriedCallback ? 'the last callback delivery' : count(result.retriedTasks, 'failed task')}; the request is now ${stateLabel(result.status)}.`,
        };
      case 'cancelled':
        return { tone: 'alert', text: 'Nothing was re-driven: the request is cancelled.' };
      case 'purged':
        return { tone: 'alert', text: `Nothing was re-driven: the request's personal data was purged on ${result.purgedAt.toISOString().slice(0, 10)}; submit a new request.` };
      case 'nothing_failed':
        return { tone: 'alert', text: `Nothing was re-driven: no task of this request has failed (it is ${stateLabel(result.status)}).` };
    }
  },
});
