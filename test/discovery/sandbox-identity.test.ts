// Must show: the sandbox's identity-only example — the first request the banner (and the README) gives —
// completes on a fresh installation: `node src/main.ts` with no config and no DATABASE_URL (the embedded
// database in an empty DATA_DIR), the request pasted as printed, and the demo subject's sessions and calls
// found and erased, the bystanders' untouched.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/simulators/index.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const dir = mkdtempSync(join(tmpdir(), 'eg-sandbox-'));
const child = spawn(NODE, ['src/main.ts'], {
  cwd: process.cwd(),
  // A fresh clone: nothing configured but a port and a data folder.
  env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: join(dir, 'data') },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
child.stdout.on('data', (d: Buffer) => (out += d.toString()));
child.stderr.on('data', (d: Buffer) => (out += d.toString()));
const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

type Task = { type: string; state: string; locator: Record<string, unknown> };

describe('the sandbox banner’s identity-only request', () => {
  it('completes: the demo subject’s sessions and calls are found and erased, nobody else’s', { timeout: 330_000 }, async () => {
    const started = Date.now();
    while (!/Try it/.test(out) || !/-d '[^']+'/.test(out)) {
      if (Date.now() - started > 150_000 || child.exitCode !== null) throw new Error(`no banner:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const key = /API key[^:]*: (\S+)/.exec(out)![1]!;
    const baseUrl = /curl -si -X POST (http:\/\/[^/\s]+)\/v1\/erasure-requests/.exec(out)![1]!;
    // The first request printed, exactly as printed: the identity-only one.
    const body = /-d '([^']+)'/.exec(out)![1]!;
    expect(JSON.parse(body)).toMatchObject({ targets: [{ type: 'koreai.user' }, { type: 'cartesia.subject' }] });
    expect(Object.keys(JSON.parse(body).targets[0])).toEqual(['type', 'connection']);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'demo-1' };
    const submitted = await fetch(`${baseUrl}/v1/erasure-requests`, { method: 'POST', headers, body });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };

    let status = '';
    while (Date.now() - started < 320_000) {
      status = ((await (await fetch(`${baseUrl}/v1/erasure-requests/${id}`, { headers })).json()) as { status: string }).status;
      if (status !== 'pending' && status !== 'in_progress') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const tasks = ((await (await fetch(`${baseUrl}/v1/erasure-requests/${id}/tasks?limit=1000`, { headers })).json()) as { data: Task[] }).data;
    console.log(`[sandbox] ${status} after ${Math.round((Date.now() - started) / 1000)} s; ${tasks.length} tasks: ${JSON.stringify(Object.groupBy(tasks, (x) => `${x.type}:${x.state}`), (k, v) => (Array.isArray(v) ? v.length : v))}`);
    expect(status).toBe('completed');
    const sessions = tasks.filter((x) => x.type === 'koreai.recording').map((x) => x.locator.sessionId);
    const calls = tasks.filter((x) => x.type === 'cartesia.call').map((x) => x.locator.callId);
    const { sessionIds } = DEMO_IDS.koreai;
    expect(sessions).toEqual(expect.arrayContaining([sessionIds.withRecording, sessionIds.inProgress, sessionIds.mediaUnavailable]));
    expect(sessions).toHaveLength(15);
    expect(sessions).not.toContain('6627b9adb9af28711b780b01');
    const c = DEMO_IDS.cartesia.callIds;
    // The sandbox's own demo requests touch none of the subject's calls: every one of them is found.
    expect(calls).toEqual(expect.arrayContaining([c.completed, c.failed, c.endsSoon, c.onSecondAgent]));
    expect(calls).not.toContain(DEMO_IDS.cartesia.bystanderCallIds[0]);
    expect(tasks.filter((x) => x.type === 'koreai.conversations')).toHaveLength(1);
  });
});
