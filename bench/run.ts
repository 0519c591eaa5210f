// `npm run bench [-- section…] [--rebuild-scale] [--out FILE]`: runs the benchmark sections (all by
// default), writes a Markdown report and prints it. BENCH_QUICK=1 for a smoke run with small sizes.
// A full run of every section writes bench/REPORT.md; a quick or partial run writes bench/.tmp/REPORT.md
// (so it never overwrites the full report), unless --out says otherwise.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runCleanups } from './lib/cleanup.ts';
import { ADMIN_URL, CPU_PROF, PROF_DIR, QUICK, ROOT, TMP } from './lib/env.ts';
import { describeMachine } from './lib/machine.ts';
import { renderReport } from './lib/render.ts';
import { SECTION_IDS, type SectionId, type SectionResult } from './lib/report.ts';
import { runDiscovery } from './sections/discovery.ts';
import { runExport } from './sections/export.ts';
import { runFanout } from './sections/fanout.ts';
import { runIntake } from './sections/intake.ts';
import { runMemory } from './sections/memory.ts';
import { runPacing } from './sections/pacing.ts';
import { runScale } from './sections/scale.ts';
import { runWakeup } from './sections/wakeup.ts';

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const outIndex = args.indexOf('--out');
const outArg = outIndex >= 0 ? args[outIndex + 1] : undefined;
const named = args.filter((a, i) => !a.startsWith('--') && !(outIndex >= 0 && i === outIndex + 1));
for (const n of named) {
  if (!(SECTION_IDS as readonly string[]).includes(n)) {
    process.stderr.write(`unknown section "${n}"; sections: ${SECTION_IDS.join(', ')}\n`);
    process.exit(2);
  }
}
const sections: SectionId[] = named.length === 0 ? [...SECTION_IDS] : SECTION_IDS.filter((s) => named.includes(s));
const full = !QUICK && sections.length === SECTION_IDS.length;
const out = outArg ?? (full ? join(ROOT, 'bench', 'REPORT.md') : join(TMP, 'REPORT.md'));

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  process.stderr.write('\ninterrupted: cleaning up (processes, databases)…\n');
  void runCleanups().then(() => process.exit(130));
});

const started = performance.now();
const machine = await describeMachine();
const results = new Map<SectionId, SectionResult>();
const failures: Array<{ id: SectionId; error: string }> = [];

const runners: Record<SectionId, () => Promise<SectionResult>> = {
  intake: runIntake,
  fanout: runFanout,
  wakeup: runWakeup,
  scale: () => runScale({ rebuild: flags.has('--rebuild-scale') }),
  // Memory reads the peaks measured under the intake and fan-out loads; run alone, it runs them first.
  memory: async () => {
    for (const dep of ['intake', 'fanout'] as const) {
      if (!results.has(dep)) {
        process.stderr.write(`memory needs ${dep}: running it\n`);
        results.set(dep, await runners[dep]());
      }
    }
    return runMemory(results);
  },
  pacing: runPacing,
  discovery: runDiscovery,
  export: runExport,
};

for (const id of sections) {
  if (interrupted) break;
  if (results.has(id)) continue;
  process.stderr.write(`== ${id}${QUICK ? ' (quick)' : ''}\n`);
  try {
    results.set(id, await runners[id]());
  } catch (err) {
    failures.push({ id, error: (err as Error).stack ?? String(err) });
    process.stderr.write(`section ${id} failed: ${(err as Error).stack ?? String(err)}\n`);
  } finally {
    await runCleanups();
  }
}

const totalSeconds = (performance.now() - started) / 1000;
const ordered = SECTION_IDS.map((id) => results.get(id)).filter((r): r is SectionResult => r !== undefined);
const report = renderReport({
  machine,
  loadAvgEnd: loadavg(),
  sections: ordered,
  failures,
  totalSeconds,
  quick: QUICK,
  command: `npm run bench${named.length > 0 ? ` -- ${named.join(' ')}` : ''}`,
  postgres: ADMIN_URL.replace(/\/\/[^@]*@/, '//'),
});

writeFileSync(out, report);
process.stdout.write(report);
process.stderr.write(`\nreport written to ${out}${CPU_PROF ? `; CPU profiles in ${PROF_DIR}` : ''}\n`);
process.exit(failures.length > 0 ? 1 : 0);
