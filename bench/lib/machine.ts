// What the figures were measured on: CPU, cores, memory, Node, Postgres and its key settings, load.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { adminQuery } from './db.ts';
import { NODE, ROOT } from './env.ts';
import { table } from './report.ts';

export type Machine = {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  date: string;
  commit: string;
  loadAvgStart: number[];
};

const PG_SETTINGS = ['shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'work_mem', 'effective_cache_size', 'jit'];

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const node = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const version = (await adminQuery<{ server_version: string }>('show server_version'))[0]!;
  const settings = await adminQuery<{ name: string; setting: string; unit: string | null }>(
    'select name, setting, unit from pg_settings where name = any($1) order by name',
    [PG_SETTINGS],
  );
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    if (dirty) commit += ' + uncommitted changes';
  } catch {
    // not a git checkout
  }
  return {
    cpuModel,
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    node,
    postgres: `PostgreSQL ${version.server_version}`,
    postgresSettings: Object.fromEntries(settings.map((s) => [s.name, formatSetting(s.setting, s.unit)])),
    date: new Date().toISOString(),
    commit,
    loadAvgStart: loadavg(),
  };
}

function formatSetting(setting: string, unit: string | null): string {
  if (unit === '8kB') return `${(Number(setting) * 8) / 1024} MB`;
  if (unit === 'kB') return `${Number(setting) / 1024} MB`;
  return unit === null ? setting : `${setting} ${unit}`;
}

export function machineMarkdown(m: Machine, loadAvgEnd: number[]): string {
  const la = (v: number[]) => v.map((x) => x.toFixed(2)).join(' / ');
  return table(
    ['what', 'value'],
    [
      ['CPU', m.cpuModel],
      ['cores', m.cores],
      ['memory', `${m.memoryGiB.toFixed(1)} GiB`],
      ['Node', m.node],
      ['Postgres', `${m.postgres} (local, loopback; ${Object.entries(m.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')})`],
      ['date', m.date],
      ['code', m.commit],
      ['load average 1/5/15 min at start / end', `${la(m.loadAvgStart)} — ${la(loadAvgEnd)}`],
    ],
  );
}
