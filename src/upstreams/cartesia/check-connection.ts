// Checking a Cartesia connection: `GET /agents/calls/{an id that does not exist}`, which reads nothing
// of anyone. Only Cartesia's own answer proves the key and the address: its JSON "not found" for the call
// (or, were the id ever to exist, the call itself). Its 401/403 says the key is refused; an HTML page, a
// route-not-found or a wrong Cartesia-Version says the address or a setting is wrong.
import type { ConnectionCheckAnswer, ProbeContext } from '../../domain/connection-check.ts';
import { sendUpstream, TransportError } from '../http.ts';
import { readCall, readCallNotFound, readCartesiaError, unrecognisedCode } from './answers.ts';
import { cartesiaHeaders, type CartesiaClient } from './client.ts';

export async function checkCartesiaConnection(client: CartesiaClient, ctx: ProbeContext): Promise<ConnectionCheckAnswer> {
  const callId = `ac_erasure_gateway_check_${ctx.uuid().replaceAll('-', '')}`;
  try {
    const res = await sendUpstream(client.endpoint, {
      method: 'GET',
      path: `/agents/calls/${callId}`,
      headers: cartesiaHeaders(client),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    const answer = (result: ConnectionCheckAnswer['result'], code: string): ConnectionCheckAnswer => ({ result, httpStatus: res.status, code, latencyMs: res.latencyMs });
    if (readCallNotFound(res) !== undefined) return answer('ok', 'call_not_found');
    if (readCall(res, callId) !== undefined) return answer('ok', 'call_found');
    const e = readCartesiaError(res);
    if (e !== undefined && (res.status === 401 || res.status === 403)) return answer('auth_failed', e.code ?? `http_${res.status}`);
    // Cartesia (or whatever is in front) cannot answer now: no conclusion either way.
    if (res.status === 429) return { ...answer('unreachable', e?.code ?? 'http_429'), rateLimited: true };
    if (res.status >= 500 || res.status === 408) return answer('unreachable', e?.code ?? `http_${res.status}`);
    // Cartesia's error about something else than the call (e.g. 400 invalid_version): every deletion would get it too.
    if (e !== undefined && res.status !== 404) return answer('unexpected_answer', e.code ?? `http_${res.status}`);
    return answer('unexpected_answer', unrecognisedCode(res));
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return { result: 'unreachable', httpStatus: null, code: err.code, latencyMs: err.latencyMs };
  }
}
