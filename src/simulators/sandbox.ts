import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './clock.ts';
import { createCartesiaSimulator, type CartesiaSimulator } from './cartesia/simulator.ts';
import { DEMO_CALLS_DEFAULT, DEMO_IDS, seedCartesiaDemo, seedKoreaiDemo, type CartesiaDemoData, type KoreaiDemoData } from './demo-data.ts';
import { createKoreaiSimulator, type KoreaiSimulator } from './koreai/simulator.ts';

export type SandboxSimulatorsOptions = {
  /** Loopback unless told otherwise. */
  host?: string;
  /** 0 (default): any free port. */
  koreaiPort?: number;
  cartesiaPort?: number;
  clock?: Clock;
  /** How long a Kore.ai deletion job stays queued; a few seconds so the demo completes quickly. */
  jobDelayMs?: number;
  /** Fixed credentials; random per start when omitted. */
  koreaiClientSecret?: string;
  cartesiaApiKey?: string;
  logger?: boolean;
  /** Cartesia calls to seed, the demo subject's and bystanders' together (default 60, so start-up stays fast). */
  demoCalls?: number;
};

export type SandboxSimulators = {
  koreai: { baseUrl: string; botId: string; clientId: string; clientSecret: string; simulator: KoreaiSimulator };
  cartesia: { baseUrl: string; apiKey: string; simulator: CartesiaSimulator };
  demo: typeof DEMO_IDS;
  /** Who owns what in the seeded data: the subject's sessions and calls (to discover), and the bystanders'. */
  demoData: { koreai: KoreaiDemoData; cartesia: CartesiaDemoData };
  close(): Promise<void>;
};

export const SANDBOX_JOB_DELAY_MS = 3000;

/** Starts both simulators on loopback, seeded with the demo data; the gateway's sandbox mode calls this. */
export async function startSandboxSimulators(options: SandboxSimulatorsOptions = {}): Promise<SandboxSimulators> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const { botId, clientId } = DEMO_IDS.koreai;
  const clientSecret = options.koreaiClientSecret ?? randomBytes(24).toString('base64url');
  const apiKey = options.cartesiaApiKey ?? `sk_car_sandbox_${randomBytes(16).toString('hex')}`;

  const koreai = createKoreaiSimulator({
    clock,
    logger: options.logger,
    bots: [{ botId, clientId, clientSecret }],
    settings: { jobDelayMs: options.jobDelayMs ?? SANDBOX_JOB_DELAY_MS },
  });
  const cartesia = createCartesiaSimulator({ clock, logger: options.logger, apiKey });
  const demoData = {
    koreai: seedKoreaiDemo(koreai, clock.now()),
    cartesia: seedCartesiaDemo(cartesia, { calls: options.demoCalls ?? DEMO_CALLS_DEFAULT }),
  };

  const close = async () => {
    await Promise.allSettled([koreai.close(), cartesia.close()]);
  };
  try {
    const koreaiUrl = await koreai.listen(options.koreaiPort ?? 0, host);
    const cartesiaUrl = await cartesia.listen(options.cartesiaPort ?? 0, host);
    return {
      koreai: { baseUrl: koreaiUrl, botId, clientId, clientSecret, simulator: koreai },
      cartesia: { baseUrl: cartesiaUrl, apiKey, simulator: cartesia },
      demo: DEMO_IDS,
      demoData,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
