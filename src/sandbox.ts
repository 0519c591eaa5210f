// Sandbox mode (no config file outside production): the built-in Kore.ai and Cartesia simulators, two
// connections to them, an API key with every scope, and local keys, so `npm start` shows the whole job.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigFile, SCOPES, type GatewayConfig } from './config.ts';
import { sha256Hex } from './http/plugins/auth.ts';
import { DEMO_IDS, startSandboxSimulators, type SandboxSimulators } from './simulators/index.ts';

export const SANDBOX_KOREAI_CONNECTION = 'sandbox-koreai';
export const SANDBOX_CARTESIA_CONNECTION = 'sandbox-cartesia';

export type Sandbox = {
  config: GatewayConfig;
  /** The API key to print once; every scope. */
  apiKey: string;
  simulators: SandboxSimulators;
  close(): Promise<void>;
};

/**
 * A key kept under the data folder, so subject hashes stay comparable (and evidence keeps verifying)
 * across restarts of one installation.
 */
function installationSecret(dataDir: string, name: string, make: () => string = () => randomBytes(32).toString('base64url')): string {
  const path = join(dataDir, name);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing !== '') return existing;
  } catch {
    // First start: create it below.
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = make().trim();
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** A PKCS#8 PEM Ed25519 private key: the sandbox's evidence signing key. */
function newEd25519Pem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The sandbox configuration for running simulators (pure apart from its inputs). */
export function sandboxConfig(
  base: GatewayConfig,
  sims: Pick<SandboxSimulators, 'koreai' | 'cartesia'>,
  secrets: { apiKey: string; subjectHashKey: string; callbackSecret: string; evidenceSigningKey?: string },
): GatewayConfig {
  // Secret references resolve from this private environment, never from the process's.
  const env = {
    SANDBOX_KOREAI_CLIENT_SECRET: sims.koreai.clientSecret,
    SANDBOX_CARTESIA_API_KEY: sims.cartesia.apiKey,
    SANDBOX_CALLBACK_SECRET: secrets.callbackSecret,
    SANDBOX_SUBJECT_HASH_KEY: secrets.subjectHashKey,
    SANDBOX_EVIDENCE_SIGNING_KEY: secrets.evidenceSigningKey,
  };
  const raw = {
    apiKeys: [{ name: 'sandbox', sha256: sha256Hex(secrets.apiKey), scopes: [...SCOPES] }],
    connections: [
      {
        name: SANDBOX_KOREAI_CONNECTION,
        type: 'koreai',
        baseUrl: sims.koreai.baseUrl,
        botId: sims.koreai.botId,
        clientId: sims.koreai.clientId,
        clientSecret: { env: 'SANDBOX_KOREAI_CLIENT_SECRET' },
        // Small limits and quick polls, so the demo finishes in seconds and still shows pacing.
        limits: { windows: [{ max: 60, seconds: 60 }, { max: 600, seconds: 3600 }], concurrency: 4 },
        jobPollIntervalSeconds: 2,
        recordingRecheckSeconds: 2,
        // The demo subject's history is 90 days: searching 120 (18 windows) keeps the demo within a minute of calls.
        discovery: { lookbackDays: 120 },
        recordingConfirmDelaySeconds: 1,
      },
      {
        name: SANDBOX_CARTESIA_CONNECTION,
        type: 'cartesia',
        baseUrl: sims.cartesia.baseUrl,
        apiKey: { env: 'SANDBOX_CARTESIA_API_KEY' },
        activeCallRecheckSeconds: 2,
        limits: { concurrency: 4 },
        // The demo agents: a cartesia.subject target without agentIds searches these.
        discovery: { agentIds: [...DEMO_IDS.cartesia.agentIds] },
      },
    ],
    // Receivers on the developer's machine listen on ports of their own.
    callbacks: { allowedHosts: ['localhost', '127.0.0.1'], allowPrivateNetworks: true, allowedPorts: 'any', secret: { env: 'SANDBOX_CALLBACK_SECRET' } },
    privacy: { subjectHashKey: { env: 'SANDBOX_SUBJECT_HASH_KEY' } },
    // A call active past 3 minutes (+1 minute's grace) is stalled here, so the demo shows one within minutes.
    watchdog: { graceMinutes: 1, expectedWaitHours: { activeCall: 0.05 } },
    // Without one, main.ts makes an ephemeral key (and warns): evidence would stop verifying at a restart.
    ...(secrets.evidenceSigningKey === undefined ? {} : { evidence: { signingKey: { env: 'SANDBOX_EVIDENCE_SIGNING_KEY' } } }),
  };
  const { file, secrets: resolved } = parseConfigFile(raw, env, () => '', 'sandbox');
  return { ...base, sandbox: true, file, secrets: resolved };
}

export async function startSandbox(base: GatewayConfig): Promise<Sandbox> {
  const apiKey = base.env.SANDBOX_API_KEY ?? `egk_sandbox_${randomBytes(24).toString('base64url')}`;
  const simulators = await startSandboxSimulators();
  const config = sandboxConfig(base, simulators, {
    apiKey,
    subjectHashKey: installationSecret(base.env.DATA_DIR, 'subject-hash.key'),
    callbackSecret: installationSecret(base.env.DATA_DIR, 'callback-secret.key'),
    evidenceSigningKey: installationSecret(base.env.DATA_DIR, 'evidence-ed25519.pem', newEd25519Pem),
  });
  return { config, apiKey, simulators, close: () => simulators.close() };
}

/** What `npm start` prints once in sandbox mode: the key, requests to paste and the console's address. */
export function sandboxBanner(baseUrl: string, sandbox: Pick<Sandbox, 'apiKey' | 'simulators'>, options: { demoRequests: number } = { demoRequests: 0 }): string {
  const { demo } = sandbox.simulators;
  // First the person, as a DSAR tool knows them: the gateway finds their sessions and calls itself.
  const identity = JSON.stringify({
    externalRef: 'DEMO-1',
    regulation: 'gdpr',
    subject: { email: demo.koreai.userId, userId: demo.koreai.userId, phone: demo.cartesia.phone },
    targets: [
      { type: 'koreai.user', connection: SANDBOX_KOREAI_CONNECTION },
      { type: 'cartesia.subject', connection: SANDBOX_CARTESIA_CONNECTION },
    ],
  });
  // Then the ids themselves, for a caller who has them.
  const ids = JSON.stringify({
    externalRef: 'DEMO-2',
    regulation: 'gdpr',
    subject: { email: 'demo.subject@example.com' },
    targets: [
      { type: 'koreai.conversations', connection: SANDBOX_KOREAI_CONNECTION, conversationIds: [...demo.koreai.conversationIds] },
      { type: 'koreai.recordings', connection: SANDBOX_KOREAI_CONNECTION, sessionIds: [demo.koreai.sessionIds.withRecording] },
      { type: 'cartesia.calls', connection: SANDBOX_CARTESIA_CONNECTION, callIds: [demo.cartesia.callIds.completed] },
    ],
  });
  const auth = `-H "Authorization: Bearer ${sandbox.apiKey}"`;
  const post = (key: string, body: string) => [
    `  curl -si -X POST ${baseUrl}/v1/erasure-requests ${auth} \\`,
    `    -H 'Content-Type: application/json' -H 'Idempotency-Key: ${key}' \\`,
    `    -d '${body}'`,
  ];
  return [
    '',
    'Sandbox mode: built-in Kore.ai and Cartesia simulators, connections "sandbox-koreai" and "sandbox-cartesia".',
    `API key (every scope; shown only now, set SANDBOX_API_KEY to choose your own): ${sandbox.apiKey}`,
    '',
    'Try it: erase a person by who they are (the gateway finds their Kore.ai sessions and Cartesia calls):',
    ...post('demo-1', identity),
    'or by the ids you already have:',
    ...post('demo-2', ids),
    `  curl -s ${baseUrl}/v1/erasure-requests ${auth}`,
    `  curl -s ${baseUrl}/v1/erasure-requests/<id>/tasks ${auth}`,
    `  curl -s ${baseUrl}/v1/erasure-requests/<id>/events ${auth}     # the audit trail`,
    `  curl -s ${baseUrl}/v1/erasure-requests/<id>/evidence ${auth}   # signed evidence; keys at ${baseUrl}/.well-known/jwks.json`,
    `Docs: ${baseUrl}/docs`,
    '',
    `Console: ${baseUrl}/console/ — sign in with the API key above.`,
    ...(options.demoRequests > 0
      ? [`  ${options.demoRequests} demo requests were made (completed, in progress — with a task stalled after a few minutes —, failed, overdue) so the overview has something to show.`]
      : []),
    '',
  ].join('\n');
}
