// GET /console/requests/:id — one request, read through the same services as the API: the resource,
// its tasks, (with audit:read) its trail and the chain's verification, (with erasure:operate, on the key's
// own tenant's request) the operator actions that apply, and the result of the last one.
import type { FastifyInstance } from 'fastify';
import { readScopeOf } from '../../domain/caller.ts';
import { z } from 'zod';
import { listRequestEvents } from '../../audit/list-request-events.ts';
import { verifyRequestChain } from '../../audit/verify-request-chain.ts';
import { problem } from '../../domain/errors.ts';
import { getRequestResource } from '../../services/request-view.ts';
import { listTaskResources } from '../../services/task-view.ts';
import { takeNoticeCookie } from '../cookies.ts';
import { offersAction } from '../operator-action.ts';
import { sendPage } from '../render.ts';
import { OPERATOR_ACTIONS } from './operator-actions.ts';
import { requestIdOf } from '../request-id.ts';
import { hasScope, sessionOf } from '../session.ts';
import { requestPage, type RequestPageData } from '../views/request-page.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export const TASKS_PER_PAGE = 100;
export const EVENTS_PER_PAGE = 200;

const pageQuery = z.object({ tasks: z.string().max(500).optional(), events: z.string().max(500).optional() });

export function requestPageRoute(scope: FastifyInstance): void {
  scope.get('/requests/:id', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const session = sessionOf(request);
    const id = requestIdOf(request.params);
    const query = pageQuery.safeParse(request.query);
    if (!query.success) throw problem('validation', 'The page links of this request are not valid: open the request again.');
    const { database, clock } = scope.deps;
    const db = database.db;
    // The session's key as an API caller: another tenant's request is a 404 here as in the API.
    const caller = session.identity;
    const resource = await getRequestResource(db, id, clock.now(), caller);
    const { tasks: tasksCursor, events: eventsCursor } = query.data;
    const tasks = await listTaskResources(db, id, { limit: TASKS_PER_PAGE, ...(tasksCursor === undefined ? {} : { cursor: tasksCursor }) }, caller);
    let audit: RequestPageData['audit'] = null;
    if (hasScope(session, 'audit:read')) {
      const [events, verdict] = await Promise.all([
        listRequestEvents(db, id, { limit: EVENTS_PER_PAGE, cursor: eventsCursor }, caller),
        verifyRequestChain(db, id, readScopeOf(caller)),
      ]);
      if (verdict !== null) audit = { events, eventsCursor, verdict };
    }
    const now = clock.now();
    const actions = OPERATOR_ACTIONS.filter((a) => offersAction(session, { request: resource, task: null }, a, now));
    const taskActions = new Map(tasks.data.map((t) => [t.id, OPERATOR_ACTIONS.filter((a) => offersAction(session, { request: resource, task: t }, a, now))]));
    const notice = takeNoticeCookie(request, reply, id);
    return sendPage(reply, requestPage(session, { request: resource, tasks, tasksCursor, audit, actions, taskActions, notice }));
  });
}
