// Renders the OpenAPI document exactly as committed under openapi/: from buildApp() with a placeholder
// configuration (the document does not depend on keys or connections), pretty-printed, paths sorted.
import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.ts';
import { randomIds, systemClock } from '../clock.ts';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { ephemeralSigningKey } from '../evidence/signing-key.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';

export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url));

function placeholderConfig(): GatewayConfig {
  const raw = {
    apiKeys: [{ name: 'openapi', sha256: '0'.repeat(64), scopes: ['erasure:read'] }],
    privacy: { subjectHashKey: { env: 'PLACEHOLDER' } },
  };
  const { file, secrets } = parseConfigFile(raw, { PLACEHOLDER: 'placeholder' }, () => '');
  return { env: parseEnvironment({}), sandbox: false, file, secrets };
}

export async function renderOpenApiDocument(): Promise<string> {
  // A pool that is never used: building the app does not touch the database.
  const database = createDatabase('postgres://openapi@127.0.0.1:1/none', { max: 1 });
  const app = await buildApp({
    config: placeholderConfig(),
    database,
    clock: systemClock,
    ids: randomIds,
    logger: createLogger('silent'),
    metrics: createMetrics({ defaultMetrics: false }),
    // The document describes the JWKS route, not its keys: any key will do.
    evidenceKey: ephemeralSigningKey('openapi'),
  });
  try {
    const document = app.swagger() as { paths?: Record<string, unknown> };
    const paths = Object.fromEntries(Object.entries(document.paths ?? {}).sort(([a], [b]) => a.localeCompare(b)));
    return `${JSON.stringify({ ...document, paths }, null, 2)}\n`;
  } finally {
    await app.close();
    await database.close();
  }
}
