// pino JSON logs. Nothing personal or secret is logged: credentials and subject fields are redacted
// wherever they appear, and request logs carry the route, not the raw query string.
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.auth',
  'req.headers["idempotency-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers.auth',
  '*.authorization',
  '*.auth',
  '*.apiKey',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.token',
  'subject',
  '*.subject',
  '*.email',
  '*.phone',
  '*.userId',
  // What identity targets and discovery tasks search for.
  '*.cId',
  '*.phones',
  '*.metadata',
  'locator',
  '*.locator',
  'body',
  '*.body',
];

export function createLogger(level: string, options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'erasure-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...options,
    },
    destination,
  );
}

export type { Logger };
