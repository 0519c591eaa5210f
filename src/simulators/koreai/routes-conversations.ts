import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { iso } from '../clock.ts';
import { parseKoreaiDate, utcDay } from './dates.ts';
import { KOREAI_MESSAGES, sendKoreaiError } from './errors.ts';
import type { JobRequest } from './jobs.ts';
import type { KoreaiRouteContext } from './context.ts';

const MAX_IDS = 100;
export const QUEUED_MESSAGE = 'Deletion job queued successfully. The bot owner will be notified by email on completion.';

type Parsed = { ok: true; request: JobRequest } | { ok: false; msg: string };

/**
 * Validates a deletion request; ids take precedence over `cId` and dates, as documented. `dateOnlyEndDate`
 * says how a bare `YYYY-MM-DD` endDate reads: the whole day, or that day's midnight.
 */
export function parseConversationDeletion(body: unknown, nowMs: number, dateOnlyEndDate: 'whole-day' | 'midnight' = 'whole-day'): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, msg: 'Request body must be a JSON object' };
  const { conversationIds, cId, startDate, endDate } = body as Record<string, unknown>;

  if (conversationIds !== undefined && conversationIds !== null) {
    if (!Array.isArray(conversationIds) || !conversationIds.every((id) => typeof id === 'string' && id !== '')) {
      return { ok: false, msg: 'conversationIds must be an array of strings' };
    }
    if (conversationIds.length === 0) return { ok: false, msg: 'conversationIds must contain at least 1 item' };
    if (conversationIds.length > MAX_IDS) return { ok: false, msg: `conversationIds cannot contain more than ${MAX_IDS} items` };
    return { ok: true, request: { type: 'conversationIds', conversationIds: conversationIds as string[] } };
  }

  if (typeof cId !== 'string' || cId === '') return { ok: false, msg: 'Either conversationIds or cId is required' };
  const given = (value: unknown) => value !== undefined && value !== null && value !== '';
  const fromMs = given(startDate) ? parseKoreaiDate(startDate, 'start') : null;
  if (given(startDate) && fromMs === null) return { ok: false, msg: 'startDate must be a date in YYYY-MM-DD format' };
  const toMs = given(endDate) ? parseKoreaiDate(endDate, dateOnlyEndDate === 'midnight' ? 'start' : 'end') : null;
  if (given(endDate) && toMs === null) return { ok: false, msg: 'endDate must be a date in YYYY-MM-DD format' };
  // "Must not be a future date": compared by calendar day, so the sample's 23:59:59.999 of today is accepted.
  if (toMs !== null && utcDay(toMs) > utcDay(nowMs)) return { ok: false, msg: 'endDate cannot be a future date' };
  if (fromMs !== null && toMs !== null && fromMs > toMs) return { ok: false, msg: 'startDate cannot be after endDate' };
  return { ok: true, request: { type: 'cId', cId, fromMs, toMs } };
}

export function registerConversationRoutes(scope: FastifyInstance, ctx: KoreaiRouteContext): void {
  scope.post('/conversations/delete', { config: { simRoute: 'koreai.conversations.delete' } }, async (request, reply) => {
    const now = ctx.clock.now();
    const parsed = parseConversationDeletion(request.body, now, ctx.settings().dateOnlyEndDate);
    if (!parsed.ok) return sendKoreaiError(reply, 400, parsed.msg);
    const job = ctx.jobs.submit(ctx.botOf(request), parsed.request, now);
    return reply.code(202).send({ status: 'queued', jobId: job.jobId, message: QUEUED_MESSAGE, submittedAt: iso(job.submittedAt) });
  });

  const jobStatus = async (request: FastifyRequest, reply: FastifyReply) => {
    const { jobId } = request.params as { jobId: string };
    const job = ctx.botOf(request).jobs.get(jobId);
    if (job === undefined) return sendKoreaiError(reply, 404, KOREAI_MESSAGES.unknownJob);
    return reply.send(ctx.jobs.view(job, ctx.clock.now()));
  };
  scope.get('/conversations/delete/:jobId', { config: { simRoute: 'koreai.jobs.get' } }, jobStatus);
  // The seed's sample status request is `curl … --data ''`, which curl sends as a POST: answer it the same.
  scope.post('/conversations/delete/:jobId', { config: { simRoute: 'koreai.jobs.get' } }, jobStatus);
}
