// The example alert rules in the README ("Watching it") load: the YAML block is a Prometheus rule file
// (parsed with `yaml`), every `expr` is PromQL (parsed with Prometheus's own grammar,
// @prometheus-io/lezer-promql, as promtool is not part of the project's tools), and every metric an
// expression names is one the gateway's /metrics serves. Where promtool is installed, `promtool check
// rules` must accept the file too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerConnectionHoldGauges, registerDatabaseGauges } from '../../src/metrics.ts';
import { registerOverdueRequestsGauge } from '../../src/reports/overdue-gauge.ts';
import { registerWatchdogGauges } from '../../src/reports/watchdog-gauges.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../http/harness.ts';

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The ```yaml block of the "Watching it" section. */
function alertRulesYaml(): string {
  const section = README.slice(README.indexOf('### Watching it'));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  if (match === null) throw new Error('no yaml block in the README\'s "Watching it" section');
  return match[1]!;
}

/** Syntax errors and the metric names of one PromQL expression. */
function readPromql(expr: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
    },
  });
  return { errors, metrics };
}

function promtool(): string | null {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    return null;
  }
}

let database: TestDatabase;
let t: TestApp;
const rules: Rule[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database);
  // The gauges main.ts registers on every process.
  registerOverdueRequestsGauge(t.deps.metrics.registry, database.db, t.clock);
  registerDatabaseGauges(t.deps.metrics, database.db);
  registerConnectionHoldGauges(t.deps.metrics, database.db);
  registerWatchdogGauges(t.deps.metrics.registry, database.db, t.clock);
  const file = parse(alertRulesYaml()) as { groups: Array<{ name: string; rules: Rule[] }> };
  for (const g of file.groups) rules.push(...g.rules);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('the README\'s alert rules', () => {
  it('are a rule file: groups of named alerts, each with an expression, durations where given', () => {
    const file = parse(alertRulesYaml()) as { groups: Array<{ name: string; rules: Rule[] }> };
    expect(file.groups.map((g) => g.name)).toEqual(['erasure-gateway']);
    expect(rules.map((r) => r.alert)).toEqual(['ErasureTasksStalled', 'ErasureOldestOpenTaskOld', 'ErasureRequestsDueThisWeek', 'ErasureRequestsOverdue', 'ErasureTasksFailing']);
    for (const r of rules) {
      expect(typeof r.expr, r.alert).toBe('string');
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(/^(\d+(ms|s|m|h|d|w|y))+$/);
      expect(Object.keys(r).every((k) => ['alert', 'expr', 'for', 'labels', 'annotations'].includes(k)), r.alert).toBe(true);
    }
  });

  it('parse as PromQL and name only metrics the gateway serves at /metrics', async () => {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const named = new Set<string>();
    for (const r of rules) {
      const { errors, metrics } = readPromql(r.expr);
      expect(errors, `${r.alert}: ${r.expr}`).toEqual([]);
      expect(metrics.length, r.alert).toBeGreaterThan(0);
      for (const m of metrics) named.add(m);
    }
    expect([...named].filter((m) => !served.has(m))).toEqual([]);
    // The watchdog's three gauges and the overdue one are all alerted on.
    for (const m of ['erasure_gateway_stalled_tasks', 'erasure_gateway_oldest_open_task_age_seconds', 'erasure_gateway_requests_due_within', 'gateway_erasure_requests_overdue']) expect(named).toContain(m);
  });

  it('a broken expression is caught (the check can fail)', () => {
    expect(readPromql('sum(rate(erasure_gateway_stalled_tasks[5m])').errors).not.toEqual([]);
  });

  it.skipIf(promtool() === null)('pass `promtool check rules` (skipped where promtool is not installed: apt-get install prometheus)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const path = join(dir, 'erasure-gateway.rules.yml');
    writeFileSync(path, alertRulesYaml());
    const out = execFileSync('promtool', ['check', 'rules', path], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 5 rules found/);
  });
});
