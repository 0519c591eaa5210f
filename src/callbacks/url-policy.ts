// The callback URL policy as configured. The URL rules themselves live in domain/callback-url.ts, shared
// with intake, so a URL accepted at submit is judged by the same rules at every delivery (the
// configuration may have changed in between). Resolved addresses are checked at connect time: see
// guarded-lookup.ts.
import { isIP } from 'node:net';
import type { GatewayConfig } from '../config.ts';
import type { CallbackPolicy } from '../domain/callback-url.ts';

export const CALLBACK_SECRET = 'callbacks.secret';

export type CallbackSettings = CallbackPolicy & {
  secret: string;
  timeoutMs: number;
};

/**
 * The delivery settings, or null when callbacks are not configured (intake then refuses every
 * callbackUrl, since no host is allowed). Plain http is allowed in the sandbox and wherever private
 * networks are (receivers on a developer's machine rarely speak TLS).
 */
export function callbackSettingsFromConfig(config: Pick<GatewayConfig, 'file' | 'secrets' | 'sandbox'>): CallbackSettings | null {
  const callbacks = config.file.callbacks;
  const secret = config.secrets.get(CALLBACK_SECRET);
  if (callbacks === undefined || secret === undefined) return null;
  return {
    allowedHosts: callbacks.allowedHosts,
    allowPrivateNetworks: callbacks.allowPrivateNetworks,
    allowHttp: config.sandbox || callbacks.allowPrivateNetworks,
    allowedPorts: callbacks.allowedPorts,
    secret,
    timeoutMs: callbacks.timeoutMs,
  };
}

/** An IP literal host is not resolved, so its address is checked before connecting rather than at lookup. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) === 0 ? null : host;
}
