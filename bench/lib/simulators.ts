// The Kore.ai and Cartesia simulators inside the bench process (same clock as the bench's timings).
import { createCartesiaSimulator, createKoreaiSimulator, type CartesiaSimulator, type KoreaiSimulator } from '../../src/simulators/index.ts';
import { onCleanup } from './cleanup.ts';
import { CARTESIA_KEY, KORE_BOT } from './gateway.ts';

export type BenchSimulators = { kore: KoreaiSimulator; cartesia: CartesiaSimulator; koreUrl: string; cartesiaUrl: string; close(): Promise<void> };

export type SimulatorOptions = {
  /** Kore.ai per-bot rolling window; default: effectively unlimited. */
  koreWindow?: { max: number; windowMs: number };
  jobDelayMs?: number;
  requestLogLimit?: number;
  /** Called on every request a simulator receives, with performance.now() (the bench's own clock). */
  onRequest?: (simulator: 'kore' | 'cartesia', url: string, at: number) => void;
};

// "Unlimited" with a short window: the simulator's limiter filters its list of accepted calls on every
// request, so a long window would make the simulator itself the bottleneck at high call rates.
const UNLIMITED = { max: 1_000_000_000, windowMs: 100 };

export async function startBenchSimulators(o: SimulatorOptions = {}): Promise<BenchSimulators> {
  const window = o.koreWindow ?? UNLIMITED;
  const kore = createKoreaiSimulator({
    bots: [{ ...KORE_BOT, enforceJti: false }],
    rateLimits: o.koreWindow === undefined ? { perMinute: UNLIMITED, perHour: UNLIMITED } : { perMinute: window, perHour: { max: 1_000_000_000, windowMs: window.windowMs } },
    settings: { jobDelayMs: o.jobDelayMs ?? 0 },
    requestLogLimit: o.requestLogLimit ?? 1000,
  });
  const cartesia = createCartesiaSimulator({ apiKey: CARTESIA_KEY, settings: { concurrencyLimit: null }, requestLogLimit: o.requestLogLimit ?? 1000 });
  const hook = o.onRequest;
  if (hook !== undefined) {
    kore.app.addHook('onRequest', async (request) => hook('kore', request.url, performance.now()));
    cartesia.app.addHook('onRequest', async (request) => hook('cartesia', request.url, performance.now()));
  }
  const koreUrl = await kore.listen();
  const cartesiaUrl = await cartesia.listen();
  const close = onCleanup('simulators', () => Promise.all([kore.close(), cartesia.close()]));
  return { kore, cartesia, koreUrl, cartesiaUrl, close };
}
