// POST …/getSessions answers, classified for discovery (docs/UPSTREAMS.md, "Discovering a subject's data").
// A page is recognised only in Kore.ai's documented shape — `{total, moreAvailable, sessions: [{sessionId,
// userId, start_time, …}]}` — with every session carrying its ids. Anything else is never "nothing
// found": it is retried (kind `unrecognised_answer`) until the attempts run out. Rate limits, auth and
// server errors are read as for every Kore.ai call (classifyCommon, classifyOtherError).
import type { Outcome } from '../../domain/outcome.ts';
import { asObject, asString, type UpstreamResponse } from '../http.ts';
import { classifyCommon, classifyOtherError, isSuccess, unrecognisedAnswer, type KoreaiTimings } from './classify.ts';

export type ListedSession = { sessionId: string; userId: string; startMs: number | null };
export type SessionsPage = { sessions: ListedSession[]; moreAvailable: boolean; total: number | null };

export type SessionsAnswer = { kind: 'page'; page: SessionsPage } | { kind: 'outcome'; outcome: Outcome };

const WHAT = 'getSessions';
const unrecognised = (res: UpstreamResponse, code: string, what: string): SessionsAnswer => ({ kind: 'outcome', outcome: unrecognisedAnswer(res, code, `${WHAT}: ${what}`) });

export function classifySessionsAnswer(res: UpstreamResponse, t: KoreaiTimings, now: Date): SessionsAnswer {
  const common = classifyCommon(res, t, now);
  if (common !== null) return { kind: 'outcome', outcome: common };
  // Kore.ai refused the query as asked (a window over its limit, a bad date, an unknown bot, the key):
  // its own error is a permanent failure; anything else is unrecognised.
  if (!isSuccess(res.status)) return { kind: 'outcome', outcome: classifyOtherError(res, WHAT) };
  if (res.json === undefined) return unrecognised(res, 'not_json', 'a sessions page that is not JSON');

  const body = asObject(res.json);
  if (!Array.isArray(body.sessions)) return unrecognised(res, 'no_sessions', 'sessions page without a sessions list');
  const sessions: ListedSession[] = [];
  for (const item of body.sessions) {
    const o = asObject(item);
    const sessionId = asString(o.sessionId);
    const userId = asString(o.userId);
    if (sessionId === undefined || sessionId === '' || userId === undefined) return unrecognised(res, 'session_without_ids', 'a listed session has no sessionId or userId');
    const start = asString(o.start_time) ?? asString(o.startTime);
    const startMs = start === undefined ? null : Date.parse(start);
    sessions.push({ sessionId, userId, startMs: startMs === null || Number.isNaN(startMs) ? null : startMs });
  }
  const total = typeof body.total === 'number' && Number.isInteger(body.total) && body.total >= 0 ? body.total : null;
  let moreAvailable: boolean;
  if (typeof body.moreAvailable === 'boolean') moreAvailable = body.moreAvailable;
  else return unrecognised(res, 'no_more_available', 'sessions page without moreAvailable');
  // "More" with an empty page would page for ever: the answer contradicts itself.
  if (moreAvailable && sessions.length === 0) return unrecognised(res, 'empty_page_with_more', 'empty sessions page says more are available');
  return { kind: 'page', page: { sessions, moreAvailable, total } };
}
