import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CARTESIA_ERRORS, sendCartesiaError } from './errors.ts';
import type { CartesiaSettings } from './settings.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Authorization: Bearer <key>` must be the configured key, then `Cartesia-Version` must be accepted. */
export function installCartesiaGuard(scope: FastifyInstance, deps: { apiKey(): string; settings(): CartesiaSettings }): void {
  scope.addHook('preHandler', async (request, reply) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match?.[1] === undefined || !timingSafeEqual(digest(match[1]), digest(deps.apiKey()))) {
      return sendCartesiaError(reply, CARTESIA_ERRORS.unauthorized);
    }
    const version = request.headers['cartesia-version'];
    if (version === undefined || version === '') return sendCartesiaError(reply, CARTESIA_ERRORS.missingVersion);
    if (typeof version !== 'string' || !deps.settings().acceptedVersions.includes(version)) {
      return sendCartesiaError(reply, CARTESIA_ERRORS.unsupportedVersion);
    }
    return undefined;
  });
}
