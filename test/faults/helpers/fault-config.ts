// The gateway configuration fault tests run with: the HTTP harness's API keys and secrets, and two
// connections to the simulators the test started (Kore.ai and Cartesia, unpaced apart from concurrency,
// quick rechecks), plus worker settings per test (short leases, fast polling).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../../src/config.ts';
import { cartesiaTestConnection, koreTestConnection, SECRET_ENV, type Simulators } from '../../engine/helpers.ts';
import { TEST_SECRETS_ENV, testConfigFile } from '../../http/harness.ts';

/** Every secret the config file refers to, by environment variable (for child processes too). */
export const FAULT_SECRETS_ENV: Record<string, string> = { ...TEST_SECRETS_ENV, ...SECRET_ENV };

export const KORE = 'kore';
export const CARTESIA = 'cartesia';

export function faultConfigFile(sims: Pick<Simulators, 'koreUrl' | 'cartesiaUrl'>, worker: Record<string, unknown>): Record<string, unknown> {
  return testConfigFile({
    connections: [
      koreTestConnection(KORE, sims.koreUrl, { requestTimeoutMs: 3000 }),
      cartesiaTestConnection(CARTESIA, sims.cartesiaUrl, { limits: { windows: [], concurrency: 16 }, requestTimeoutMs: 3000 }),
    ],
    worker,
  });
}

/** The parsed form, for an in-process app or worker. */
export function parsedFaultConfig(raw: Record<string, unknown>): GatewayConfig {
  const { file, secrets } = parseConfigFile(raw, FAULT_SECRETS_ENV, () => {
    throw new Error('no files in fault tests');
  });
  return { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, file, secrets };
}

/** Writes the document to a temp file, for GATEWAY_CONFIG; remove() deletes it. */
export function writeConfigFile(raw: Record<string, unknown>): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'eg-faults-config-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(raw));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
