// The console for compliance auditors and privacy operators, at /console/ (ROLE api and all): server-
// rendered pages on the same services and rules as the API, signed in with an API key exchanged for a
// session. One file per page or action under routes/, its markup under views/.
import type { FastifyInstance } from 'fastify';
import { acceptFormBodies } from './form-body.ts';
import { renderConsoleErrors } from './render.ts';
import { assetsRoute } from './routes/assets.ts';
import { jwksRoute } from './routes/jwks.ts';
import { operatorActionRoute } from './routes/operator-action.ts';
import { overviewRoute } from './routes/overview.ts';
import { requestEvidenceRoute } from './routes/request-evidence.ts';
import { requestPageRoute } from './routes/request-page.ts';
import { requestsCsvRoute } from './routes/requests-csv.ts';
import { requestsListRoute } from './routes/requests-list.ts';
import { OPERATOR_ACTIONS } from './routes/operator-actions.ts';
import { signInPageRoute } from './routes/sign-in-page.ts';
import { signInRoute } from './routes/sign-in.ts';
import { signOutRoute } from './routes/sign-out.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { registerConsoleSessions } from './session.ts';

export const CONSOLE_PREFIX = '/console';

/** Register with `{ prefix: CONSOLE_PREFIX }`. */
export async function consoleRoutes(scope: FastifyInstance): Promise<void> {
  // First, so every answer has them: pages, files, redirects and errors alike.
  scope.addHook('onRequest', async (_request, reply) => setSecurityHeaders(reply));
  acceptFormBodies(scope);
  renderConsoleErrors(scope);
  registerConsoleSessions(scope);

  assetsRoute(scope);
  signInPageRoute(scope);
  signInRoute(scope);
  signOutRoute(scope);
  overviewRoute(scope);
  requestsListRoute(scope);
  requestsCsvRoute(scope);
  requestPageRoute(scope);
  requestEvidenceRoute(scope);
  jwksRoute(scope);
  // Operator actions (erasure:operate); the request page offers the same list (OPERATOR_ACTIONS).
  for (const action of OPERATOR_ACTIONS) operatorActionRoute(scope, action);
}
