// POST /console/requests/:id/extend — "Extend the deadline": the API's extension (services/extend-deadline.ts)
// as an operator action (console/operator-action.ts). The new due date is a UTC date and time; the reason
// follows the API's rule (http/routes/erasure-requests/schemas.ts). A refusal by the rules (once, before
// the original due date, not final, within the regulation's limit) is the notice on the request page.
import { z } from 'zod';
import { extendBody } from '../../http/routes/erasure-requests/schemas.ts';
import { extendDeadline } from '../../services/extend-deadline.ts';
import { defineAction } from '../operator-action.ts';
import { NO_PERSONAL_DATA_HINT } from './close-task-actions.ts';

/** What <input type="datetime-local"> sends: minutes, or seconds; read as UTC. */
const utcDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'a date and time (UTC), e.g. 2026-05-20T17:00')
  .transform((v) => new Date(`${v.length === 16 ? `${v}:00` : v}Z`))
  .refine((d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() <= 9999, 'not a date and time that exists');

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const extendAction = defineAction({
  slug: 'extend',
  title: 'Extend the deadline',
  on: 'request',
  explain: ({ request: r }) =>
    `The deadline (now ${utc(new Date(r.dueAt))}) moves to the date given — once per request, before the original due date, and no later than the ${r.regulation.toUpperCase()} limit allows. The callback URL is told (event request.extended), so the person can be informed.`,
  applies: ({ request: r }, now) => r.completedAt === null && r.cancelledAt === null && r.extension === null && now.getTime() < Date.parse(r.dueAt),
  fields: [
    { name: 'dueAt', label: 'New due date (UTC)', control: { kind: 'datetime' }, required: true },
    { name: 'reason', label: 'Reason for the extension (1–500 characters)', hint: NO_PERSONAL_DATA_HINT, control: { kind: 'textarea', maxLength: 500 }, required: true },
  ],
  input: z.object({ dueAt: utcDateTime, reason: extendBody.shape.reason }),
  facts: ({ dueAt, reason }) => [
    ['New due date', utc(dueAt)],
    ['Reason', reason],
  ],
  async perform(deps, caller, { requestId }, { dueAt, reason }) {
    const result = await extendDeadline(deps.database.db, requestId, {
      caller,
      now: deps.clock.now(),
      dueAt,
      reason,
      otherMaxDays: deps.config.file.deadlines.otherMaxDays,
      ids: deps.ids,
    });
    if (result.kind === 'refused') return { tone: 'alert', text: `Not extended: ${result.refusal.message}` };
    if (result.callbackTaskId !== null) deps.wakeWorkers?.();
    return { tone: 'ok', text: `Extended the deadline to ${utc(result.dueAt)} (it was ${utc(new Date(result.extension.previousDueAt))}).` };
  },
});
