// The benchmark report's structure (bench/lib/render.ts, bench/lib/report.ts), from synthetic section
// results: no process is started and nothing is measured here (that is `npm run bench`).
import { describe, expect, it } from 'vitest';
import type { Machine } from '../bench/lib/machine.ts';
import { renderReport } from '../bench/lib/render.ts';
import { atLeastGoal, belowGoal, SECTION_IDS, type SectionResult } from '../bench/lib/report.ts';

const machine: Machine = {
  cpuModel: 'Test CPU',
  cores: 2,
  memoryGiB: 24,
  node: 'v24.0.0',
  postgres: 'PostgreSQL 15.0',
  postgresSettings: { synchronous_commit: 'on' },
  date: '2026-01-02T03:04:05.000Z',
  commit: 'abc1234',
  loadAvgStart: [1, 2, 3],
};

const section = (id: SectionResult['id'], title: string, goals: SectionResult['goals']): SectionResult => ({ id, title, goals, body: `body of ${id}`, seconds: 12 });

describe('benchmark report', () => {
  it('states the machine, every goal with a verdict and its gap, every section, and how to run', () => {
    const report = renderReport({
      machine,
      loadAvgEnd: [4, 5, 6],
      sections: [
        section('intake', '1. Intake throughput and latency', [
          atLeastGoal('Intake throughput vs baseline', 400, 1200, 'req/s', 0, 'baseline (1,200 req/s)'),
          belowGoal('Intake p99 latency', 42, 100, 'ms'),
        ]),
        { ...section('scale', '4. Scale', [belowGoal('GET p99', 12.5, 10, 'ms')]), data: { loadSeconds: 300 } },
      ],
      failures: [{ id: 'pacing', error: 'Error: boom' }],
      totalSeconds: 600,
      quick: false,
      command: 'npm run bench',
      postgres: 'postgres://127.0.0.1:5432/postgres',
    });
    const headings = report.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## Machine', '## Goals', '## Sections that failed', '## 1. Intake throughput and latency', '## 4. Scale', '## How to run']);
    expect(report).toContain('| CPU | Test CPU |');
    expect(report).toContain('| cores | 2 |');
    expect(report).toContain('PostgreSQL 15.0');
    expect(report).toContain('v24.0.0');
    expect(report).toContain('1 of 3 met.');
    expect(report).toContain('| Intake throughput vs baseline | ≥ baseline (1,200 req/s) | 400 req/s | **NOT met** | 800 req/s short (33 % of the target) |');
    expect(report).toContain('| Intake p99 latency | < 100 ms | 42.0 ms | **met** |  |');
    expect(report).toContain('| GET p99 | < 10 ms | 12.5 ms | **NOT met** | 2.5 ms over (125 % of the limit) |');
    expect(report).toContain('of which 300 s loading the scale database');
    expect(report).toContain('Error: boom');
    for (const id of SECTION_IDS) expect(report).toContain(id);
  });

  it('marks a quick run as a smoke run', () => {
    const report = renderReport({ machine, loadAvgEnd: [0, 0, 0], sections: [], failures: [], totalSeconds: 1, quick: true, command: 'npm run bench', postgres: 'x' });
    expect(report).toContain('BENCH_QUICK=1 (smoke run');
    expect(report).toContain('(no section produced figures)');
  });
});
