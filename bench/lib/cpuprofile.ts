// Summarises a V8 .cpuprofile (from --cpu-prof): self time by function and by where the code lives
// (our src/ files, each node_modules package, Node internals, GC), for the report's evidence.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { table } from './report.ts';

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] };

function where(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)' || fn === '(program)' || fn === '(root)') return fn;
  if (url === '') return 'V8/native';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const src = /\/(src|bench|migrations)\/(.+)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

export type ProfileSummary = {
  totalMs: number;
  byPlace: Array<[string, number]>;
  byFunction: Array<[string, number]>;
  /** Self time charged to the nearest caller in our code or a package (native and Node-internal frames go to whoever called them). */
  byOwner: Array<[string, number]>;
};

export function summariseProfile(file: string): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  if (p.samples !== undefined && p.timeDeltas !== undefined) {
    for (let i = 0; i < p.samples.length; i += 1) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  } else {
    const interval = (p.endTime - p.startTime) / 1000 / Math.max(1, p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0));
    for (const n of p.nodes) self.set(n.id, (n.hitCount ?? 0) * interval);
  }
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerCache = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached !== undefined) return cached;
    let cur: number | undefined = id;
    let owner = 'Node/V8 (no JS caller)';
    while (cur !== undefined) {
      const n = byId.get(cur)!;
      const w = where(n.callFrame.url, n.callFrame.functionName);
      if (w === 'GC' || w === '(program)') {
        owner = w;
        break;
      }
      if (w.startsWith('npm:') || w.startsWith('src/') || w.startsWith('bench/')) {
        owner = w.startsWith('src/') ? w.replace(/\/[^/]+$/, '/') : w;
        break;
      }
      cur = parent.get(cur);
    }
    ownerCache.set(id, owner);
    return owner;
  };
  const owners = new Map<string, number>();
  const places = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (n === undefined) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    total += t;
    const place = where(url, functionName);
    places.set(place, (places.get(place) ?? 0) + t);
    const owner = ownerOf(id);
    owners.set(owner, (owners.get(owner) ?? 0) + t);
    const fn = `${functionName || '(anonymous)'} ${place}${url !== '' ? `:${lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + t);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, byPlace: sorted(places), byFunction: sorted(fns), byOwner: sorted(owners) };
}

/** The newest .cpuprofile under dir, if any. */
export function newestProfile(dir: string): string | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  } catch {
    return undefined;
  }
}

export function profileMarkdown(s: ProfileSummary, top = 12): string {
  const share = (t: number) => `${((t / s.totalMs) * 100).toFixed(1)} %`;
  return [
    `Busy (non-idle) CPU time sampled: ${(s.totalMs / 1000).toFixed(1)} s.`,
    '',
    table(['charged to (self time, native frames to their nearest JS caller)', 'share'], s.byOwner.slice(0, top).map(([k, t]) => [k, share(t)])),
    '',
    table(['where (self time)', 'share'], s.byPlace.slice(0, top).map(([k, t]) => [k, share(t)])),
    '',
    table(['function (self time)', 'share'], s.byFunction.slice(0, top).map(([k, t]) => [k, share(t)])),
  ].join('\n');
}
