// The report's building blocks: goals with their verdicts, section results, Markdown helpers.

export type Goal = {
  /** e.g. "Intake p99 latency at 50 clients". */
  name: string;
  /** e.g. "< 100 ms". */
  target: string;
  /** e.g. "41.2 ms". */
  figure: string;
  met: boolean;
  /** When not met: the gap in figures, e.g. "+12.0 ms over (112 %)". */
  gap?: string;
};

export type SectionResult = {
  id: SectionId;
  title: string;
  goals: Goal[];
  /** The section's Markdown body (after its heading). */
  body: string;
  seconds: number;
  /** Figures other sections may read (memory reads the intake's and fan-out's peaks). */
  data?: Record<string, unknown>;
};

export const SECTION_IDS = ['intake', 'fanout', 'wakeup', 'scale', 'memory', 'pacing', 'discovery', 'export'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${head.map(esc).join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function codeBlock(text: string, lang = ''): string {
  return `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
}

export function details(summary: string, inner: string): string {
  return `<details><summary>${summary}</summary>\n\n${inner}\n\n</details>`;
}

export const ms = (v: number, digits = 1) => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : 'n/a');
export const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
export const pct = (v: number, digits = 1) => (Number.isFinite(v) ? `${(v * 100).toFixed(digits)} %` : 'n/a');

/** "at most" goal: figure must stay below the limit. */
export function belowGoal(name: string, value: number, limit: number, unit: string, digits = 1): Goal {
  const met = Number.isFinite(value) && value < limit;
  return {
    name,
    target: `< ${num(limit, 0)} ${unit}`,
    figure: `${num(value, digits)} ${unit}`,
    met,
    gap: met ? undefined : Number.isFinite(value) ? `${num(value - limit, digits)} ${unit} over (${pct(value / limit, 0)} of the limit)` : 'no figure',
  };
}

/** "at least" goal. */
export function atLeastGoal(name: string, value: number, floor: number, unit: string, digits = 0, floorLabel?: string): Goal {
  const met = Number.isFinite(value) && value >= floor;
  return {
    name,
    target: `≥ ${floorLabel ?? `${num(floor, digits)} ${unit}`}`,
    figure: `${num(value, digits)} ${unit}`,
    met,
    gap: met ? undefined : Number.isFinite(value) ? `${num(floor - value, digits)} ${unit} short (${pct(value / floor, 0)} of the target)` : 'no figure',
  };
}

export function goalTable(goals: readonly Goal[]): string {
  return table(
    ['goal', 'target', 'figure', 'verdict', 'gap'],
    goals.map((g) => [g.name, g.target, g.figure, g.met ? '**met**' : '**NOT met**', g.gap ?? '']),
  );
}
