// Checking a Kore.ai connection: the status of a deletion job that does not exist
// (`GET …/conversations/delete/{jobId}`), which changes nothing and reads nobody's data. It needs a valid
// JWT for the bot's app, so Kore.ai's own "job not found" proves the key, the bot and the path prefix; a
// "not found" about anything else (the bot, the route) or a page that is not Kore.ai's says the address is
// wrong. Its 401/403 says the key is refused. A rate-limit answer proves nothing: the check waits.
// This file reads the answer itself (the task classifiers in classify.ts read tasks' answers).
import type { ConnectionCheckAnswer, ProbeContext } from '../../domain/connection-check.ts';
import { asObject, asString, sendUpstream, TransportError, type UpstreamResponse } from '../http.ts';
import type { KoreaiClient } from './client.ts';
import { mintKoreaiJwt } from './jwt.ts';

type KoreaiError = { msg: string; code: string | undefined };

/** Kore.ai's error shape `{"errors":[{"msg","code"}]}`; undefined when the body is not it. */
function readKoreaiErrors(res: UpstreamResponse): KoreaiError[] | undefined {
  const errors = asObject(res.json).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const out: KoreaiError[] = [];
  for (const e of errors) {
    const o = asObject(e);
    const msg = asString(o.msg);
    if (msg === undefined) return undefined;
    out.push({ msg, code: typeof o.code === 'number' || typeof o.code === 'string' ? String(o.code) : undefined });
  }
  return out;
}

/** A rate-limit answer in any of the shapes Kore.ai uses (errors[].msg, msg, message, plain text) or a 429. */
function rateLimited(res: UpstreamResponse): boolean {
  if (res.status === 429) return true;
  const body = asObject(res.json);
  const texts = [...(readKoreaiErrors(res) ?? []).map((e) => e.msg), asString(body.msg), asString(body.message), res.json === undefined ? res.text : undefined];
  return texts.some((t) => t !== undefined && /rate.?limit/i.test(t));
}

function notJsonCode(res: UpstreamResponse): string {
  if (res.truncated) return 'body_too_large';
  if (res.json === undefined) return res.text.trim() === '' ? 'empty_body' : 'not_json';
  return 'not_koreai_shape';
}

export async function checkKoreaiConnection(client: KoreaiClient, ctx: ProbeContext): Promise<ConnectionCheckAnswer> {
  const { connection } = client;
  const jobId = `cdj-${ctx.uuid()}`;
  const prefix = `${connection.pathPrefix.replace(/\/+$/, '')}/${encodeURIComponent(connection.botId)}`;
  const headers = {
    auth: mintKoreaiJwt({ algorithm: connection.jwtAlgorithm, clientId: connection.clientId, key: client.key }, ctx.now(), ctx.uuid()),
    accept: 'application/json',
  };
  try {
    const res = await sendUpstream(client.endpoint, {
      method: 'GET',
      path: `${prefix}/conversations/delete/${jobId}`,
      headers,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    const answer = (result: ConnectionCheckAnswer['result'], code: string): ConnectionCheckAnswer => ({ result, httpStatus: res.status, code, latencyMs: res.latencyMs });
    if (rateLimited(res)) return { ...answer('unreachable', 'rate_limited'), rateLimited: true };
    const errors = readKoreaiErrors(res);
    if (res.status === 404 && errors !== undefined) {
      // Only "job not found" is about the job; "Bot not found" or a bare "Not Found" is about the address.
      return errors.some((e) => /\bjob\b/i.test(e.msg)) ? answer('ok', 'job_not_found') : answer('unexpected_answer', 'not_found_not_the_job');
    }
    if (res.status >= 200 && res.status < 300) {
      const body = asObject(res.json);
      return body.jobId === jobId ? answer('ok', 'job_found') : answer('unexpected_answer', res.json === undefined ? notJsonCode(res) : 'not_a_job');
    }
    if ((res.status === 401 || res.status === 403) && errors !== undefined) {
      // A refused replayed jti says the key is fine (the next call mints a fresh one).
      if (errors.some((e) => /replay/i.test(e.msg))) return answer('unreachable', 'jwt_replay');
      return answer('auth_failed', `http_${res.status}`);
    }
    if (res.status >= 500 || res.status === 408) return answer('unreachable', `http_${res.status}`);
    return answer('unexpected_answer', errors === undefined ? notJsonCode(res) : `http_${res.status}`);
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return { result: 'unreachable', httpStatus: null, code: err.code, latencyMs: err.latencyMs };
  }
}
