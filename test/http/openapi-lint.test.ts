// The committed OpenAPI document passes Redocly's `recommended` rules with no error (every operation
// declares its security, public ones `security: []`; a `servers` entry; …), as `npm run lint:openapi`
// checks it. Warnings are printed, not failed on.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE } from '../../src/http/openapi-document.ts';

const run = promisify(execFile);
const NODE = join(process.cwd(), 'node_modules/.bin/node');
const REDOCLY = join(process.cwd(), 'node_modules/@redocly/cli/bin/cli.js');

type LintProblem = { ruleId: string; severity: 'error' | 'warn'; message: string; location?: Array<{ pointer?: string }> };

describe('openapi/openapi.json', () => {
  it('has no error under Redocly lint with the recommended rules (redocly.yaml)', async () => {
    const result = await run(NODE, [REDOCLY, 'lint', '--format=json', OPENAPI_FILE], {
      cwd: process.cwd(),
      // No telemetry or update check: the suite runs offline.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
    const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number }; problems: LintProblem[] };
    const describe = (p: LintProblem) => `${p.severity} ${p.ruleId} at ${p.location?.[0]?.pointer ?? '?'}: ${p.message}`;
    const warnings = report.problems.filter((p) => p.severity === 'warn');
    if (warnings.length > 0) console.log(`[redocly] ${warnings.length} warning(s):\n  ${warnings.map(describe).join('\n  ')}`);
    expect(report.problems.filter((p) => p.severity === 'error').map(describe)).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 60_000);
});
