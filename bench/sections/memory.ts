// 5. Memory: peak RSS (VmHWM from /proc/<pid>/status) of the gateway under the intake load and of the
// workers under the fan-out load, as measured in sections 1 and 2; then the same loads once more with
// a smaller V8 young generation (--max-semi-space-size), to show how much of the peak is GC headroom.
import { QUICK } from '../lib/env.ts';
import { mb } from '../lib/procs.ts';
import { belowGoal, num, table, type Goal, type SectionId, type SectionResult } from '../lib/report.ts';
import { runScenario, SCENARIOS, type Outcome } from './fanout.ts';
import { PRODUCTION_NODE_ARGS } from '../lib/gateway.ts';
import { gatewayIntakeOnce } from './intake.ts';

const LIMIT_MB = 200;
const SEMI_SPACE_FLAG = '--max-semi-space-size=8';
const CAPPED_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=128'];

export async function runMemory(results: ReadonlyMap<SectionId, SectionResult>): Promise<SectionResult> {
  const started = performance.now();
  const intake = results.get('intake')?.data as { gatewayPeakKB: number; baselinePeakKB: number; gatewayHeap: Record<string, number> } | undefined;
  const fanout = results.get('fanout')?.data as { workerPeakKB: number; peaks: Array<{ run: string; kB: number[] }> } | undefined;
  if (intake === undefined || fanout === undefined) throw new Error('memory needs the intake and fan-out sections');

  // The same loads with a smaller young generation (V8's default semi-space grows to 16–32 MB per half on a machine this size).
  const duration = QUICK ? 4_000 : 10_000;
  const gwSmall = await gatewayIntakeOnce({ name: 'semispace', nodeArgs: [SEMI_SPACE_FLAG], durationMs: duration });
  const gwDefault = await gatewayIntakeOnce({ name: 'default', nodeArgs: [], durationMs: duration });
  const gwCapped = await gatewayIntakeOnce({ name: 'capped', nodeArgs: CAPPED_FLAGS, durationMs: duration });
  const tasks = QUICK ? 2_000 : 10_000;
  const wkSmall: Outcome = await runScenario(SCENARIOS[0]!, { workers: 1, tasks, nodeArgs: [SEMI_SPACE_FLAG], label: 'memory-semispace' });
  const wkDefault: Outcome = await runScenario(SCENARIOS[0]!, { workers: 1, tasks, nodeArgs: [], label: 'memory-default' });
  const wkCapped: Outcome = await runScenario(SCENARIOS[0]!, { workers: 1, tasks, nodeArgs: CAPPED_FLAGS, label: 'memory-capped' });

  const goals: Goal[] = [
    belowGoal('Peak RSS of the gateway (ROLE=api) under the intake load', mb(intake.gatewayPeakKB), LIMIT_MB, 'MB', 1),
    belowGoal('Peak RSS of a worker process under the fan-out load (largest)', mb(fanout.workerPeakKB), LIMIT_MB, 'MB', 1),
  ];
  const h = intake.gatewayHeap;
  const body = [
    `Peak resident memory (VmHWM from /proc/<pid>/status, read just before the process is stopped; it includes the Node binary\'s touched pages, ~40 MB for an idle \`node\`). Sections 1 and 2 run the gateway as \`npm start\` and the Docker image do, with \`${PRODUCTION_NODE_ARGS.join(' ')}\`.`,
    '',
    table(
      ['process', 'load', 'peak RSS'],
      [
        ['gateway, ROLE=api', 'section 1, intake at 50 clients (all rounds)', `${num(mb(intake.gatewayPeakKB), 1)} MB`],
        ['baseline (fastify + pg), for reference', 'section 1, same load', `${num(mb(intake.baselinePeakKB), 1)} MB`],
        ...fanout.peaks.map((p) => [`worker(s), ROLE=worker`, `section 2, ${p.run}`, p.kB.map((k) => `${num(mb(k), 1)} MB`).join(' / ')]),
      ],
    ),
    '',
    `The gateway's own /metrics after the intake load: RSS ${num(h.rss ?? Number.NaN, 1)} MB, V8 heap ${num(h.heapUsed ?? Number.NaN, 1)} MB used of ${num(h.heapTotal ?? Number.NaN, 1)} MB allocated, external ${num(h.external ?? Number.NaN, 1)} MB: ` +
      'most of the peak is heap V8 has allocated but not yet collected, not live data.',
    '',
    `**Diagnostic — the same loads with \`${SEMI_SPACE_FLAG}\`** (V8 young generation capped at 8 MB per semi-space), and with \`${CAPPED_FLAGS.join(' ')}\` (old generation capped too, so V8 collects before it grows), each against a fresh process, V8's defaults in between for comparison:`,
    '',
    table(
      ['process and load', 'flags', 'peak RSS', 'throughput', 'p99 / time'],
      [
        [`gateway, intake ${duration / 1000} s at 50 clients`, 'none (V8 defaults)', `${num(mb(gwDefault.peakKB), 1)} MB`, `${num(gwDefault.load.throughputPerSec)} req/s`, `p99 ${num(gwDefault.load.p99Ms, 1)} ms`],
        [`gateway, intake ${duration / 1000} s at 50 clients`, SEMI_SPACE_FLAG, `${num(mb(gwSmall.peakKB), 1)} MB`, `${num(gwSmall.load.throughputPerSec)} req/s`, `p99 ${num(gwSmall.load.p99Ms, 1)} ms`],
        [`gateway, intake ${duration / 1000} s at 50 clients`, CAPPED_FLAGS.join(' '), `${num(mb(gwCapped.peakKB), 1)} MB`, `${num(gwCapped.load.throughputPerSec)} req/s`, `p99 ${num(gwCapped.load.p99Ms, 1)} ms`],
        [`1 worker, ${num(tasks)} Cartesia tasks`, 'none (V8 defaults)', `${num(mb(wkDefault.workerPeaksKB[0]!), 1)} MB`, `${num(wkDefault.tasks / wkDefault.seconds)} tasks/s`, `${wkDefault.seconds.toFixed(1)} s`],
        [`1 worker, ${num(tasks)} Cartesia tasks`, SEMI_SPACE_FLAG, `${num(mb(wkSmall.workerPeaksKB[0]!), 1)} MB`, `${num(wkSmall.tasks / wkSmall.seconds)} tasks/s`, `${wkSmall.seconds.toFixed(1)} s`],
        [`1 worker, ${num(tasks)} Cartesia tasks`, CAPPED_FLAGS.join(' '), `${num(mb(wkCapped.workerPeaksKB[0]!), 1)} MB`, `${num(wkCapped.tasks / wkCapped.seconds)} tasks/s`, `${wkCapped.seconds.toFixed(1)} s`],
      ],
    ),
    '',
    'Throughput here is one short run each on a shared machine: compare the peaks, not the rates.',
  ].join('\n');
  return { id: 'memory', title: '5. Memory', goals, body, seconds: (performance.now() - started) / 1000 };
}
