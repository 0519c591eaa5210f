// The request id in a console path (/console/requests/:id…).
import { problem } from '../domain/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The request named in the path, or a 404 (an id that is not a UUID names nothing, as in the API). */
export function requestIdOf(params: unknown): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !UUID.test(id)) throw problem('not-found', 'No erasure request has this id.');
  return id.toLowerCase();
}
