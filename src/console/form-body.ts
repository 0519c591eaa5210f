// HTML forms post application/x-www-form-urlencoded. Parsed only in the console's scope: the API keeps
// refusing anything but JSON (415).
import type { FastifyInstance } from 'fastify';

/** Console forms are a key, a reason, a few ids: nothing near this. */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;

export type FormBody = Record<string, string>;

export function acceptFormBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_request, body, done) => {
    // A repeated field keeps its last value; the handlers' schemas decide what is valid.
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}
