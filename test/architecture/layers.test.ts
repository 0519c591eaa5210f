// The layering rules (.dependency-cruiser.cjs) are not vacuous: on a small tree that breaks each rule
// once, the project's own check names every broken rule; on the real src/ it finds none.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const config = join(root, '.dependency-cruiser.cjs');
const run = promisify(execFile);

type Violation = { rule: { name: string }; from: string; to: string };

async function violations(cwd: string): Promise<Violation[]> {
  try {
    const { stdout } = await run(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
  } catch (error) {
    // Exit code = number of errors; the JSON is still on stdout.
    const stdout = (error as { stdout?: string }).stdout ?? '';
    return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
  }
}

const broken: Record<string, string> = {
  'src/domain/rule.ts': "import { x } from '../db/store.ts';\nexport const rule = x;\n",
  'src/db/store.ts': "import { schedule } from '../worker/loop.ts';\nexport const x = schedule;\n",
  'src/worker/loop.ts': "import { view } from '../services/view.ts';\nexport const schedule = view;\n",
  'src/services/view.ts': "import type { Route } from '../http/route.ts';\nexport const view: Route | null = null;\n",
  'src/http/route.ts': 'export type Route = { path: string };\n',
  'src/upstreams/client.ts': "import { x } from '../db/store.ts';\nexport const client = x;\n",
  'src/simulators/sim.ts': "import { client } from '../upstreams/client.ts';\nexport const sim = client;\n",
  'src/sandbox.ts': "import { sim } from './simulators/sim.ts';\nexport const sandbox = sim;\n",
  'src/reports/report.ts': "import { sim } from '../simulators/sim.ts';\nexport const report = sim;\n",
  'src/cycle/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
  'src/cycle/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
};

const scratch = mkdtempSync(join(tmpdir(), 'eg-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('layering rules', () => {
  it('name every rule a tree breaks', async () => {
    for (const [path, text] of Object.entries(broken)) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), text);
    }
    const found = new Set((await violations(scratch)).map((v) => `${v.rule.name} ${v.from} → ${v.to}`));
    expect([...found].sort()).toEqual(
      expect.arrayContaining([
        'domain-is-pure src/domain/rule.ts → src/db/store.ts',
        'db-below-everything-but-domain src/db/store.ts → src/worker/loop.ts',
        'worker-below-services src/worker/loop.ts → src/services/view.ts',
        'services-know-no-transport src/services/view.ts → src/http/route.ts',
        'upstream-clients-know-only-the-domain src/upstreams/client.ts → src/db/store.ts',
        'simulators-stand-apart src/simulators/sim.ts → src/upstreams/client.ts',
        'gateway-does-not-import-simulators src/reports/report.ts → src/simulators/sim.ts',
        'nothing-uses-the-worker-internals src/db/store.ts → src/worker/loop.ts',
      ]),
    );
    expect([...found].some((v) => v.startsWith('no-circular src/cycle/'))).toBe(true);
    // The sandbox may start the simulators.
    expect([...found].some((v) => v.includes('src/sandbox.ts →'))).toBe(false);
  });

  it('hold for the gateway itself', async () => {
    expect(await violations(root)).toEqual([]);
  });
});
