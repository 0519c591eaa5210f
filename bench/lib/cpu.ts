// CPU accounting from /proc: the whole machine (so the report shows how busy the shared machine was)
// and the processes of one measurement (gateway/workers, their Postgres backends, the bench itself).
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export type MachineCpu = { busy: number; total: number };

/** Jiffies since boot summed over all CPUs: busy (not idle/iowait) and total. */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** CPU seconds used so far by a live process (user + system); NaN when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

export type CpuWindow = {
  /** Machine: busy CPU-seconds over the window, and the wall seconds (cores × wall = capacity). */
  machineBusySeconds: number;
  wallSeconds: number;
  /** CPU-seconds per named group of processes. */
  groups: Record<string, number>;
};

export type CpuMeter = {
  /** Adds processes to a group; ones not seen before count from now (or from their start with `wholeLife`). */
  track(group: string, pids: readonly number[], wholeLife?: boolean): void;
  end(): CpuWindow;
};

export function startCpuMeter(initial: Record<string, readonly number[]> = {}): CpuMeter {
  const m0 = machineCpu();
  const t0 = performance.now();
  const self0 = process.cpuUsage();
  const groups = new Map<string, Map<number, number>>();
  const track = (group: string, pids: readonly number[], wholeLife = false) => {
    let g = groups.get(group);
    if (g === undefined) groups.set(group, (g = new Map()));
    for (const pid of pids) {
      if (g.has(pid)) continue;
      const now = processCpuSeconds(pid);
      if (!Number.isNaN(now)) g.set(pid, wholeLife ? 0 : now);
    }
  };
  for (const [name, pids] of Object.entries(initial)) track(name, pids);
  return {
    track,
    end() {
      const m1 = machineCpu();
      const wallSeconds = (performance.now() - t0) / 1000;
      const out: Record<string, number> = {};
      for (const [name, g] of groups) {
        let sum = 0;
        for (const [pid, base] of g) {
          const now = processCpuSeconds(pid);
          if (!Number.isNaN(now)) sum += now - base;
        }
        out[name] = sum;
      }
      const self = process.cpuUsage(self0);
      out['bench process (load client / simulators)'] = (self.user + self.system) / 1e6;
      return { machineBusySeconds: (m1.busy - m0.busy) / TICKS_PER_SECOND, wallSeconds, groups: out };
    },
  };
}

/** startCpuMeter for groups whose pids are known by a function; pids first seen at the end count from their start. */
export function startCpuWindow(groups: Record<string, () => number[]>): () => CpuWindow {
  const meter = startCpuMeter(Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, f()])));
  return () => {
    for (const [k, f] of Object.entries(groups)) meter.track(k, f(), true);
    return meter.end();
  };
}
