// Sending console pages, and the console's rendering of problems: the same typed problems as the API
// (toProblem), as an HTML page a person can read, with the same status code.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problem, type ProblemError } from '../domain/errors.ts';
import { loggableError, toProblem } from '../http/plugins/problems.ts';
import { html, toHtmlString, type Html } from './html.ts';
import { layout } from './views/layout.ts';

export const HTML_MEDIA_TYPE = 'text/html; charset=utf-8';

export function sendPage(reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.code(status).type(HTML_MEDIA_TYPE).send(toHtmlString(page));
}

/** Headings a person reads; the API's titles speak of keys and operations. */
const HEADINGS: Record<number, string> = {
  400: 'That is not valid',
  403: 'Not allowed',
  404: 'Not found',
  413: 'That is too large',
  415: 'Not a form this console sends',
};

function heading(error: ProblemError): string {
  if (error.status >= 500) return 'Something went wrong';
  return HEADINGS[error.status] ?? error.title;
}

function errorPage(request: FastifyRequest, error: ProblemError): Html {
  const back = request.consoleSession === null ? html`<a href="/console/sign-in">Sign in</a>` : html`<a href="/console/">Back to the overview</a>`;
  return layout({
    title: heading(error),
    session: request.consoleSession,
    body: html`<section class="error" aria-labelledby="error-title">
  <h1 id="error-title">${heading(error)}</h1>
  <p>${error.detail}</p>
  ${error.errors === undefined ? null : html`<ul>${error.errors.map((e) => html`<li><code>${e.path}</code>: ${e.message}</li>`)}</ul>`}
  <p class="muted">Status ${error.status} · request id <code>${request.id}</code></p>
  <p>${back}</p>
</section>`,
  });
}

/** Errors and unknown paths under /console answer HTML pages, never problem+json. */
export function renderConsoleErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error, request, reply) => {
    const answer = toProblem(error);
    if (answer.status >= 500) request.log.error({ error: loggableError(error), problem: answer.kind }, 'console request failed');
    else request.log.info({ problem: answer.kind, status: answer.status }, 'console request refused');
    for (const [name, value] of Object.entries(answer.headers)) {
      // A browser would show its own password prompt for a Bearer challenge: not on a console page.
      if (name !== 'www-authenticate') reply.header(name, value);
    }
    return sendPage(reply, errorPage(request, answer), answer.status);
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    return sendPage(reply, errorPage(request, problem('not-found', `There is no console page at ${path}.`)), 404);
  });
}
