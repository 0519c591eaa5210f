import { z } from 'zod';

export const cartesiaSettingsSchema = z
  .object({
    /** Cartesia-Version values accepted; delete and cancel exist only from 2026-03-01. */
    acceptedVersions: z.array(z.string().min(1)).min(1).default(['2026-03-01']),
    /** In-flight requests allowed before 429 `concurrency_limited`; null: unlimited. */
    concurrencyLimit: z.number().int().min(1).nullable().default(8),
    /** Retry hints on 429 answers; Cartesia documents none for REST, the SDKs read both. */
    retryAfterMs: z.number().int().min(0).nullable().default(null),
    retryAfterSeconds: z.number().int().min(0).nullable().default(null),
    /** How deleted fields appear after DELETE: omitted (the seed) or null (another docs page). */
    redactedFields: z.enum(['omit', 'null']).default('omit'),
    /** A cancelled call stays `started` this long before it ends with `api_cancelled`. */
    cancelDelayMs: z.number().int().min(0).default(0),
    defaultListLimit: z.number().int().min(1).max(100).default(10),
    /**
     * Body of a 404 for a path that is no API route (e.g. a base URL with a wrong prefix): `json-detail`
     * `{"detail":"Not Found"}` (a framework's default), `text` (plain `Not Found`), or `cartesia-json`
     * (Cartesia's error shape with `error_code: "not_found"`, message "No such route.": the reading where
     * only the message tells a wrong URL from an unknown call).
     */
    routeNotFoundBody: z.enum(['json-detail', 'text', 'cartesia-json']).default('json-detail'),
    /**
     * A proxy, ingress or captive portal in front of the API: every request outside `/_sim` (API routes and
     * unknown paths alike, before auth and limits) answers an HTML page with status 404, 200 or 502. No data is touched.
     */
    proxy: z.enum(['html404', 'html200', 'html502']).nullable().default(null),
    /** `error_code` of the 400 for deleting a call that is not terminal; the docs show none, so null. */
    notTerminalErrorCode: z.string().min(1).nullable().default(null),
    /**
     * `POST …/cancel` of a started call: `true` answers `{"cancelled":true}` and ends the call (after
     * `cancelDelayMs`); `false` answers 200 `{"cancelled":false}` and the call goes on.
     */
    cancelAnswer: z.enum(['true', 'false']).default('true'),
    /**
     * The 200 answer of DELETE: `call` (the AgentCall with `redacted_at`, seed 004); `empty` (`{}`; the data is
     * deleted); `no-redacted-at` (the call without `redacted_at`, and the delete did NOT take: the data stays).
     */
    deleteAnswer: z.enum(['call', 'empty', 'no-redacted-at']).default('call'),
    /**
     * `GET /agents/calls?agent_id=` for an agent the simulator does not know (no call seeded for it, not
     * added with `seedAgents`): `empty` (`{"data":[],"next_page":null}`) or `404` (Cartesia's JSON error).
     */
    unknownAgent: z.enum(['empty', '404']).default('empty'),
    /**
     * `GET /agents/{agent_id}`: `summary` (an AgentSummary for a known agent, 404 `not_found` "Agent not found."
     * for an unknown one) or `route-missing` (answered like a path that is no route, see `routeNotFoundBody`:
     * the route is in the 2025-11-04 spec but not on the 2026-03-01 pages captured).
     */
    agentLookup: z.enum(['summary', 'route-missing']).default('summary'),
  })
  .strict();

export type CartesiaSettings = z.infer<typeof cartesiaSettingsSchema>;
export type CartesiaSettingsInput = z.input<typeof cartesiaSettingsSchema>;
export type CartesiaSettingsPatch = Partial<CartesiaSettingsInput>;

/** Merges a patch onto the current settings (zod 4's `.partial()` would re-apply every default). */
export function patchCartesiaSettings(current: CartesiaSettings, patch: CartesiaSettingsPatch): CartesiaSettings {
  return cartesiaSettingsSchema.parse({ ...current, ...(typeof patch === 'object' && patch !== null ? patch : {}) });
}
