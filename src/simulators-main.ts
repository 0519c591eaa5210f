// `npm run simulators`: the Kore.ai and Cartesia simulators on loopback, seeded with the demo data.
import { startSandboxSimulators } from './simulators/sandbox.ts';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`${name} must be a port number (0-65535), got "${raw}"\n`);
    process.exit(2);
  }
  return port;
}

// HOST, KOREAI_SIM_CLIENT_SECRET and CARTESIA_SIM_API_KEY let docker-compose pin what the gateway's
// config expects; by default the simulators listen on loopback with credentials made for this run.
const sandbox = await startSandboxSimulators({
  host: process.env.HOST ?? '127.0.0.1',
  koreaiPort: portFromEnv('KOREAI_SIM_PORT', 4010),
  cartesiaPort: portFromEnv('CARTESIA_SIM_PORT', 4020),
  koreaiClientSecret: process.env.KOREAI_SIM_CLIENT_SECRET || undefined,
  cartesiaApiKey: process.env.CARTESIA_SIM_API_KEY || undefined,
});
const { koreai, cartesia, demo } = sandbox;

// These are throwaway sandbox credentials, generated for this run; printing them is the point.
process.stdout.write(
  [
    'Simulators running (sandbox credentials, valid for this run only):',
    `  Kore.ai   ${koreai.baseUrl}/api/public/bot/${koreai.botId}/…  (also /api/1.1/public/bot/…)`,
    `            botId=${koreai.botId} clientId=${koreai.clientId} clientSecret=${koreai.clientSecret}`,
    `            header  auth: <HS256 JWT {"appId":"${koreai.clientId}","sub":"…"} signed with clientSecret>`,
    `  Cartesia  ${cartesia.baseUrl}/agents/calls/{id}`,
    `            Authorization: Bearer ${cartesia.apiKey}   Cartesia-Version: 2026-03-01`,
    `  Control   ${koreai.baseUrl}/_sim/report   ${cartesia.baseUrl}/_sim/report`,
    '  Demo ids:',
    ...JSON.stringify(demo, null, 2).split('\n').map((line) => `    ${line}`),
    'Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: stopping simulators\n`);
  await sandbox.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
