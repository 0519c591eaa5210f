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
  })
  .strict();

export type CartesiaSettings = z.infer<typeof cartesiaSettingsSchema>;
export type CartesiaSettingsInput = z.input<typeof cartesiaSettingsSchema>;
export type CartesiaSettingsPatch = Partial<CartesiaSettingsInput>;

/** Merges a patch onto the current settings (zod 4's `.partial()` would re-apply every default). */
export function patchCartesiaSettings(current: CartesiaSettings, patch: CartesiaSettingsPatch): CartesiaSettings {
  return cartesiaSettingsSchema.parse({ ...current, ...(typeof patch === 'object' && patch !== null ? patch : {}) });
}
