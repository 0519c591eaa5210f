// Kore.ai answers and timings for the classifiers' unit tests (*.test.ts beside this file).
import type { UpstreamResponse } from '../http.ts';
import type { KoreaiTimings } from './classify.ts';

export const timings: KoreaiTimings = {
  jobPollIntervalMs: 900_000,
  jobMaxAgeMs: 72 * 3_600_000,
  recordingRecheckMs: 300_000,
  recordingMaxWaitMs: 48 * 3_600_000,
  recordingConfirmDelayMs: 30_000,
  rateLimitBackoffMs: 1_800_000,
  shortWindowMs: 60_000,
  longestWindowSeconds: 3600,
  shortestWindowSeconds: 60,
};

export function res(status: number, json: unknown, headers: Record<string, string> = {}): UpstreamResponse {
  const text = json === undefined ? '' : JSON.stringify(json);
  return { status, headers, json, text, truncated: false, latencyMs: 5 };
}

export function textRes(status: number, text: string, headers: Record<string, string> = {}): UpstreamResponse {
  return { status, headers, json: undefined, text, truncated: false, latencyMs: 5 };
}

export const koreError = (msg: string, code: number) => ({ errors: [{ msg, code }] });
