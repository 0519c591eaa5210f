import type { FastifyInstance } from 'fastify';
import { iso, type Clock } from '../clock.ts';
import { agentCallJson, cancelCall, isTerminal, redactCall, settleCall, type CallRecord } from './calls.ts';
import { badRequest, CARTESIA_ERRORS, sendCartesiaError } from './errors.ts';
import type { CartesiaSettings } from './settings.ts';

export type CallEvent = { callId: string; at: string };

export type CartesiaRouteContext = {
  clock: Clock;
  settings(): CartesiaSettings;
  calls: Map<string, CallRecord>;
  /** Agents that exist: every agent of a seeded call, plus those added by `seedAgents`. */
  agents: Set<string>;
  deleted: CallEvent[];
  cancelled: CallEvent[];
  /** Cancels answered `{"cancelled":false}` (setting `cancelAnswer: 'false'`): the call went on. */
  cancelNotHonoured: CallEvent[];
  /** DELETEs answered 200 without deleting (setting `deleteAnswer: 'no-redacted-at'`). */
  deleteNotApplied: CallEvent[];
};

type ListQuery = { agent_id?: string; limit?: string; starting_after?: string; ending_before?: string; expand?: string | string[] };

export function registerCallRoutes(scope: FastifyInstance, ctx: CartesiaRouteContext): void {
  const lookup = (id: string): CallRecord | undefined => {
    const record = ctx.calls.get(id);
    if (record !== undefined) settleCall(record, ctx.clock.now());
    return record;
  };
  const show = (record: CallRecord, includeTranscript = true) =>
    agentCallJson(record, { includeTranscript, redactedFields: ctx.settings().redactedFields });

  scope.get('/agents/calls', { config: { simRoute: 'cartesia.calls.list' } }, async (request, reply) => {
    const query = request.query as ListQuery;
    if (query.agent_id === undefined || query.agent_id === '') return sendCartesiaError(reply, badRequest('agent_id is required'));
    const limit = query.limit === undefined ? ctx.settings().defaultListLimit : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return sendCartesiaError(reply, badRequest('limit must be an integer from 1 to 100'));
    if (query.starting_after !== undefined && query.ending_before !== undefined) {
      return sendCartesiaError(reply, badRequest('starting_after and ending_before cannot be used together'));
    }
    const expand = [query.expand ?? []].flat();
    if (expand.some((value) => value !== 'transcript')) return sendCartesiaError(reply, badRequest('expand supports only "transcript"'));

    if (ctx.settings().unknownAgent === '404' && !ctx.agents.has(query.agent_id)) return sendCartesiaError(reply, CARTESIA_ERRORS.agentNotFound);
    const calls = [...ctx.calls.values()]
      .filter((record) => record.call.agent_id === query.agent_id)
      .sort((a, b) => b.sortKey - a.sortKey || b.seq - a.seq);
    const cursor = query.starting_after ?? query.ending_before;
    const at = cursor === undefined ? -1 : calls.findIndex((record) => record.call.id === cursor);
    if (cursor !== undefined && at === -1) return sendCartesiaError(reply, badRequest(`unknown cursor ${cursor}`));

    let page: CallRecord[];
    let nextPage: string | null;
    if (query.ending_before !== undefined) {
      const from = Math.max(0, at - limit);
      page = calls.slice(from, at);
      nextPage = from > 0 ? (page[0]?.call.id ?? null) : null;
    } else {
      page = calls.slice(at + 1, at + 1 + limit);
      nextPage = at + 1 + limit < calls.length ? (page.at(-1)?.call.id ?? null) : null;
    }
    const now = ctx.clock.now();
    for (const record of page) settleCall(record, now);
    return reply.send({ data: page.map((record) => show(record, expand.includes('transcript'))), next_page: nextPage });
  });

  scope.get('/agents/calls/:callId', { config: { simRoute: 'cartesia.calls.get' } }, async (request, reply) => {
    const record = lookup((request.params as { callId: string }).callId);
    if (record === undefined) return sendCartesiaError(reply, CARTESIA_ERRORS.callNotFound);
    return reply.send(show(record));
  });

  scope.delete('/agents/calls/:callId', { config: { simRoute: 'cartesia.calls.delete' } }, async (request, reply) => {
    const record = lookup((request.params as { callId: string }).callId);
    if (record === undefined) return sendCartesiaError(reply, CARTESIA_ERRORS.callNotFound);
    const settings = ctx.settings();
    const now = ctx.clock.now();
    // Idempotent: an already redacted call answers 200 again with its original redacted_at.
    if (record.redactedAt === null) {
      if (!isTerminal(record.call.status)) {
        return sendCartesiaError(reply, { ...CARTESIA_ERRORS.notTerminal, error_code: settings.notTerminalErrorCode });
      }
      if (settings.deleteAnswer === 'no-redacted-at') {
        // Something between us and Cartesia said yes, but nothing was deleted.
        ctx.deleteNotApplied.push({ callId: record.call.id, at: iso(now) });
        const { redacted_at: _dropped, ...unredacted } = show(record);
        return reply.send(unredacted);
      }
      redactCall(record, now);
      ctx.deleted.push({ callId: record.call.id, at: iso(now) });
    }
    if (settings.deleteAnswer === 'empty') return reply.send({});
    if (settings.deleteAnswer === 'no-redacted-at') {
      const { redacted_at: _dropped, ...withoutStamp } = show(record);
      return reply.send(withoutStamp);
    }
    return reply.send(show(record));
  });

  scope.post('/agents/calls/:callId/cancel', { config: { simRoute: 'cartesia.calls.cancel' } }, async (request, reply) => {
    const record = lookup((request.params as { callId: string }).callId);
    if (record === undefined) return sendCartesiaError(reply, CARTESIA_ERRORS.callNotFound);
    if (record.call.status !== 'started') return sendCartesiaError(reply, CARTESIA_ERRORS.notCancellable);
    const now = ctx.clock.now();
    if (ctx.settings().cancelAnswer === 'false') {
      ctx.cancelNotHonoured.push({ callId: record.call.id, at: iso(now) });
      return reply.send({ cancelled: false });
    }
    cancelCall(record, now, ctx.settings().cancelDelayMs);
    ctx.cancelled.push({ callId: record.call.id, at: iso(now) });
    return reply.send({ cancelled: true });
  });
}
