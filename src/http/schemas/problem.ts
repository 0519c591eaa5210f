// RFC 9457 problem details, the shape of every error answer.
import { z } from 'zod';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export const problemSchema = z
  .object({
    type: z.string().describe('Stable URI naming the kind of problem, e.g. https://erasure-gateway.dev/problems/validation'),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().describe('The request path this problem occurred on'),
    requestId: z.string().describe('The x-request-id of the request, for support'),
    errors: z
      .array(z.object({ path: z.string().describe('Where: body.…, query.…, headers.… or params.…'), message: z.string() }))
      .optional()
      .describe('Each reason the request was refused (validation problems)'),
  })
  .meta({ id: 'Problem' });

export type ProblemBody = z.infer<typeof problemSchema>;

/** An OpenAPI response entry for a problem answer. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } } };
}

export const PROBLEM_RESPONSE_DESCRIPTIONS = {
  400: 'Invalid request (problem+json, `errors` lists each reason)',
  401: 'Missing or unknown API key',
  403: 'The API key lacks the required scope',
  404: 'Not found',
  413: 'Request body too large',
  415: 'Unsupported content type (send application/json)',
  422: 'Unknown connection, disallowed callback host, or Idempotency-Key reused with another body',
  429: "`rate-limited`: the API key is over its writes a minute (`Retry-After` says when to retry); `quota-exceeded` (submit): the tenant's open-task quota would be exceeded, nothing was written",
  503: 'Database unavailable',
} as const;

export type DocumentedProblemStatus = keyof typeof PROBLEM_RESPONSE_DESCRIPTIONS;

export function problemResponses(...statuses: DocumentedProblemStatus[]) {
  return Object.fromEntries(statuses.map((s) => [s, problemResponse(PROBLEM_RESPONSE_DESCRIPTIONS[s])]));
}
