// POST /console/requests/:id/tasks/:taskId/skip and …/resolve — "Skip this task" and "Resolve by hand":
// the API's skip and resolve (services/skip-task.ts, resolve-task.ts) as operator actions on a task's row
// (console/operator-action.ts), with the API's field rules (http/routes/erasure-requests/schemas.ts) and
// the same evidence signer, so a request they make final gets its evidence and callback as in the API.
import { z } from 'zod';
import { closeTaskOptions, closeTaskRefusal } from '../../http/routes/erasure-requests/close-task-answer.ts';
import { resolveTaskBody, skipTaskBody } from '../../http/routes/erasure-requests/schemas.ts';
import type { CloseTaskResult } from '../../services/close-task.ts';
import { resolveTask } from '../../services/resolve-task.ts';
import { skipTask } from '../../services/skip-task.ts';
import type { AppDeps } from '../../http/app-deps.ts';
import { defineAction, type ActionNotice, type ActionTarget } from '../operator-action.ts';
import { stateLabel } from '../views/format.ts';

/** Not the person's details: the text stays with the request's record and its evidence. */
export const NO_PERSONAL_DATA_HINT = "The reason is kept with the request's evidence: do not enter the person's details.";

/** The service's rule (services/close-task.ts): an erasure task that is not final, or failed, and not running right now. */
const closable = ({ task }: ActionTarget) => task !== null && task.type !== 'callback' && (task.state === 'pending' || task.state === 'waiting' || task.state === 'failed');

function noticeOf(deps: AppDeps, result: CloseTaskResult, done: string): ActionNotice {
  const refusal = closeTaskRefusal(result, 'with “Re-drive failed tasks”');
  if (refusal !== null || result.kind !== 'closed') return { tone: 'alert', text: `Nothing was changed: ${refusal}` };
  deps.wakeWorkers?.();
  return { tone: 'ok', text: `${done}; the request is now ${stateLabel(result.status)}.` };
}

const TAIL = 'When every task is then final, the request is final: its evidence is signed (superseding earlier evidence) and its callback sent.';

export const skipAction = defineAction({
  slug: 'skip',
  title: 'Skip this task',
  on: 'task',
  explain: () => `The task is closed without erasure (skipped); a request whose tasks are all final, none failed and some skipped is “completed with exceptions”. ${TAIL}`,
  applies: closable,
  fields: [{ name: 'reason', label: 'Reason for skipping (1–500 characters)', hint: NO_PERSONAL_DATA_HINT, control: { kind: 'textarea', maxLength: 500 }, required: true }],
  input: z.object({ reason: skipTaskBody.shape.reason }),
  facts: ({ reason }) => [['Reason', reason]],
  async perform(deps, caller, { requestId, taskId }, { reason }) {
    const result = await skipTask(deps.database.db, requestId, taskId!, { ...closeTaskOptions(deps, caller), reason });
    return noticeOf(deps, result, 'Skipped the task');
  },
});

export const resolveAction = defineAction({
  slug: 'resolve',
  title: 'Resolve by hand',
  on: 'task',
  explain: () =>
    `The vendor confirmed the deletion some other way (a ticket, an e-mail): the task becomes succeeded, marked “resolved by hand” — attested by you, not confirmed by the vendor's API. ${TAIL}`,
  applies: closable,
  fields: [
    {
      name: 'reference',
      label: 'Reference of the confirmation (1–200 characters)',
      hint: "A ticket number or message id; it is kept in the audit trail and the evidence: do not enter the person's details.",
      control: { kind: 'text', maxLength: 200 },
      required: true,
    },
    { name: 'note', label: 'Note (up to 1,000 characters)', hint: 'Shown on the task only; purged with the request’s personal data.', control: { kind: 'textarea', maxLength: 1000 }, required: false },
  ],
  input: z.object({ reference: resolveTaskBody.shape.reference, note: resolveTaskBody.shape.note }),
  facts: ({ reference, note }) => [
    ['Reference', reference],
    ['Note', note === undefined || note === '' ? '—' : note],
  ],
  async perform(deps, caller, { requestId, taskId }, { reference, note }) {
    const result = await resolveTask(deps.database.db, requestId, taskId!, { ...closeTaskOptions(deps, caller), reference, note });
    return noticeOf(deps, result, 'Resolved the task by hand');
  },
});
