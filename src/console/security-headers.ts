// Headers on every console answer (pages, assets, downloads, errors). The CSP allows only this origin's
// stylesheet and images: no script at all (the pages need none), no inline style, no framing, forms
// posting only here.
import type { FastifyReply } from 'fastify';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function setSecurityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  // Not no-referrer: with it, browsers send `Origin: null` on form posts, and the same-origin check of
  // every POST (session.ts) could not tell the console's own forms from a forged one.
  reply.header('referrer-policy', 'same-origin');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  // Pages hold auditors' data: no shared or browser cache keeps them (assets override this).
  reply.header('cache-control', 'no-store');
}
