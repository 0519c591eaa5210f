// The CSV export renders what an auditor opens in a spreadsheet: RFC 4180, and formulas never run.
import { describe, expect, it } from 'vitest';
import { csvField, renderRequestsCsv } from '../../src/reports/requests-csv.ts';
import type { RequestCsvRow } from '../../src/db/sql/list-request-csv-rows.ts';

const base: RequestCsvRow = {
  id: '6f1c1c7e-8f43-4c2b-9a55-1f0d2b9b7a11',
  tenant: 'privacy-portal',
  externalRef: 'DSAR-7',
  regulation: 'gdpr',
  status: 'completed',
  overdue: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T06:30:00.000Z',
  dueAt: '2026-02-01T00:00:00.000Z',
  completedAt: '2026-01-01T06:30:00.000Z',
  cancelledAt: null,
  targets: 'cartesia.calls@cartesia-prod koreai.recordings@kore-support',
  // pending, running, waiting, succeeded, not_found, failed, cancelled, skipped
  tasksByState: [0, 0, 0, 2, 1, 0, 0, 0],
  skipReasons: null,
};

describe('renderRequestsCsv', () => {
  it('writes a header and one CRLF-terminated line per request', () => {
    const csv = renderRequestsCsv([base]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'id,tenant,externalRef,regulation,status,overdue,createdAt,updatedAt,dueAt,completedAt,cancelledAt,targets,tasks,' +
        'tasks_pending,tasks_running,tasks_waiting,tasks_succeeded,tasks_not_found,tasks_failed,tasks_cancelled,tasks_skipped,skipReasons',
    );
    expect(lines[1]).toBe(
      '6f1c1c7e-8f43-4c2b-9a55-1f0d2b9b7a11,privacy-portal,DSAR-7,gdpr,completed,false,2026-01-01T00:00:00.000Z,2026-01-01T06:30:00.000Z,' +
        '2026-02-01T00:00:00.000Z,2026-01-01T06:30:00.000Z,,cartesia.calls@cartesia-prod koreai.recordings@kore-support,3,0,0,0,2,1,0,0,0,',
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(renderRequestsCsv([{ ...base, externalRef: 'T-1, "urgent"' }]).split('\r\n')[1]).toContain(',"T-1, ""urgent""",');
  });

  it('neutralises cells a spreadsheet would evaluate', () => {
    for (const attack of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '\n=1', ' =1+1', '\u00a0 @SUM(A1)', '  -2+3']) {
      expect(csvField(attack).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(renderRequestsCsv([{ ...base, externalRef: '=cmd|calc' }])).toContain(",'=cmd|calc,");
    expect(csvField('plain-ref')).toBe('plain-ref');
  });

  it('keeps a cell whole in locales that separate cells with ";"', () => {
    // Opened where `;` separates cells, `T-1;=1+2` would become a second cell holding a formula.
    expect(csvField('T-1;=1+2')).toBe("\"T-1;'=1+2\"");
    expect(csvField('T-1; @SUM(A1)')).toBe("\"T-1;' @SUM(A1)\"");
    expect(csvField('a,-1')).toBe("\"a,'-1\"");
    expect(csvField('a\tb')).toBe('"a\tb"');
    const line = renderRequestsCsv([{ ...base, externalRef: 'T-1;=HYPERLINK("http://x")' }]).split('\r\n')[1]!;
    // Such a spreadsheet splits the line at every `;` (the comma-quoting starts no cell of its own).
    expect(line.split(';').slice(1).some((cell) => /^\s*[=+\-@]/.test(cell))).toBe(false);
    expect(line).toContain(`,"T-1;'=HYPERLINK(""http://x"")",`);
  });

  it('renders only the header for an empty list, and pages without it', () => {
    expect(renderRequestsCsv([])).toMatch(/^id,.*\r\n$/);
    expect(renderRequestsCsv([base], { header: false }).startsWith('6f1c1c7e')).toBe(true);
  });
});
