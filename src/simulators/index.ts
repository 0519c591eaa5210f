export { startSandboxSimulators, SANDBOX_JOB_DELAY_MS, type SandboxSimulators, type SandboxSimulatorsOptions } from './sandbox.ts';
export {
  DEMO_CALLS_DEFAULT,
  DEMO_HISTORY_DAYS,
  DEMO_IDS,
  seedCartesiaDemo,
  seedKoreaiDemo,
  type CartesiaDemoData,
  type CartesiaDemoOptions,
  type KoreaiDemoData,
  type KoreaiDemoOptions,
} from './demo-data.ts';
export type { KoreaiGenerated, KoreaiGenerateOptions } from './koreai/generate.ts';
export { formatPhone, type CartesiaGenerated, type CartesiaGenerateOptions, type PhoneFormat } from './cartesia/generate.ts';
export { createKoreaiSimulator, KOREAI_PATH_PREFIXES, type KoreaiSimulator, type KoreaiSimulatorOptions } from './koreai/simulator.ts';
export type { KoreaiControl, KoreaiReport } from './koreai/control.ts';
export { signHs256Jwt, verifyHs256Jwt } from './koreai/jwt-hs256.ts';
export { KOREAI_MESSAGES } from './koreai/errors.ts';
export { createCartesiaSimulator, type CartesiaSimulator, type CartesiaSimulatorOptions } from './cartesia/simulator.ts';
export type { CartesiaControl, CartesiaReport } from './cartesia/control.ts';
export { createManualClock, systemClock, type Clock, type ManualClock } from './clock.ts';
export type { FaultPlan, RouteFaults } from './faults.ts';
export type { RequestLogEntry } from './request-log.ts';
