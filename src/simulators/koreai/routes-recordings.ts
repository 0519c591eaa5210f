import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { iso } from '../clock.ts';
import { sendKoreaiError } from './errors.ts';
import { isInProgress, recordingStateAt, recordingStatusAt, wavDataUri, type RecordingStatus } from './recordings.ts';
import type { KoreaiRouteContext } from './context.ts';
import type { BotState, Session } from './store.ts';

export const RECORDING_DELETED_MESSAGE = 'Call recordings deleted successfully';

/** Undocumented answers, chosen to look like Kore's other errors. */
export const RECORDING_MESSAGES = {
  sessionIdRequired: 'sessionId is required',
  userOrSessionRequired: 'Either userId or sessionId is required',
  call_in_progress: 'Call is in progress',
  media_in_progress: 'Call recording is being generated, please try again later',
  nothing: 'No recordings found for the given sessionId',
} as const;

const sessionIdOf = (request: FastifyRequest): string | undefined => {
  const { sessionId } = request.query as { sessionId?: unknown };
  return typeof sessionId === 'string' && sessionId !== '' ? sessionId : undefined;
};

function statusOf(state: BotState, sessionId: string, nowMs: number): RecordingStatus {
  const session = state.sessions.get(sessionId);
  return session === undefined ? 'media_unavailable' : recordingStatusAt(session.recording, nowMs);
}

export function registerRecordingRoutes(scope: FastifyInstance, ctx: KoreaiRouteContext): void {
  scope.get('/v2/recordings', { config: { simRoute: 'koreai.recordings.get' } }, async (request, reply) => {
    const sessionId = sessionIdOf(request);
    if (sessionId === undefined) return sendKoreaiError(reply, 400, RECORDING_MESSAGES.sessionIdRequired);
    const state = ctx.botOf(request);
    const now = ctx.clock.now();
    const status = statusOf(state, sessionId, now);
    if (status !== 'success') return reply.send({ status, recording: [] });
    const fileName = `${createHash('md5').update(sessionId).digest('hex')}-merged.wav`;
    const expires = Math.floor(now / 1000) + 3600;
    const fileUrl = `${request.protocol}://${request.host}/api/getMediaStream/smartassistrecording/SIM/${state.bot.botId}/${fileName}?e=${expires}&n=${now}`;
    return reply.send({ status, recording: [{ fileName, fileUrl }] });
  });

  const deleteRecording = async (request: FastifyRequest, reply: FastifyReply) => {
    const sessionId = sessionIdOf(request);
    if (sessionId === undefined) return sendKoreaiError(reply, 400, RECORDING_MESSAGES.sessionIdRequired);
    const state = ctx.botOf(request);
    const now = ctx.clock.now();
    const policy = ctx.settings().recordingDelete;
    const status = statusOf(state, sessionId, now);
    const session = state.sessions.get(sessionId);

    if (isInProgress(status) && policy.whileInProgress === 'reject') {
      return sendKoreaiError(reply, policy.inProgressStatus, RECORDING_MESSAGES[status as 'call_in_progress' | 'media_in_progress']);
    }
    if (session !== undefined && status === 'success' && recordingStateAt(session.recording, now).deleted) {
      // Already deleted, not yet shown (recordingDeleteVisibleAfterMs): success again, nothing new deleted.
    } else if (status === 'success' || isInProgress(status)) {
      // session exists whenever the status is not media_unavailable
      if (session !== undefined) {
        session.recording.deletedAt = now;
        session.recording.goneAt = now + ctx.settings().recordingDeleteVisibleAfterMs;
      }
      ctx.deletions.recordings.push({ botId: state.bot.botId, sessionId, at: iso(now) });
    } else if (policy.whenNothing === 'reject') {
      return sendKoreaiError(reply, policy.nothingStatus, RECORDING_MESSAGES.nothing);
    }
    return reply.send({ message: RECORDING_DELETED_MESSAGE, sessionId });
  };
  scope.delete('/v2/recordings', { config: { simRoute: 'koreai.recordings.delete' } }, deleteRecording);
  // The seed's sample request deletes through the v1 path (`/api/1.1/public/bot/{botId}/recordings`).
  scope.delete('/recordings', { config: { simRoute: 'koreai.recordings.delete' } }, deleteRecording);

  // v1 fetch (to be deprecated): the whole audio inline, one data URI per recording.
  scope.get('/recordings', { config: { simRoute: 'koreai.recordings.v1.get' } }, async (request, reply) => {
    const { userId } = request.query as { userId?: unknown };
    const sessionId = sessionIdOf(request);
    const state = ctx.botOf(request);
    const now = ctx.clock.now();
    let sessions: (Session | undefined)[];
    if (sessionId !== undefined) sessions = [state.sessions.get(sessionId)];
    else if (typeof userId === 'string' && userId !== '') sessions = [...state.sessions.values()].filter((s) => s.userId === userId);
    else return sendKoreaiError(reply, 400, RECORDING_MESSAGES.userOrSessionRequired);

    const defaultBytes = ctx.settings().v1AudioBytes;
    const recording = sessions
      .filter((session) => session !== undefined && recordingStatusAt(session.recording, now) === 'success')
      .map((session) => wavDataUri(session?.recording.audioBytes ?? defaultBytes));
    return reply.send({ recording });
  });
}
