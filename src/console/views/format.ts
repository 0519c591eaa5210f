// How values read on the console's pages: instants in UTC, durations in words, states as labels.
import { html, type Html } from '../html.ts';

/** An ISO instant as `2026-03-10 12:00 UTC`, machine-readable in <time>. */
export function instant(iso: string | null | undefined): Html {
  if (iso === null || iso === undefined) return html`<span class="none">—</span>`;
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return html`<time datetime="${iso}" title="${iso}">${text}</time>`;
}

export function stateLabel(state: string): string {
  return state.replaceAll('_', ' ');
}

/** A request status or task state as a badge; the class only colours it, the text says it. */
export function badge(state: string): Html {
  return html`<span class="badge badge-${state.replace(/[^a-z_]/g, '')}">${stateLabel(state)}</span>`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.floor(hours)} h ${Math.round(minutes % 60)} min`;
  return `${(hours / 24).toFixed(1)} days`;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** A small JSON object as `key: value` pairs, e.g. an upstream reference or an event's data. */
export function keyValues(value: Record<string, unknown> | null | undefined): Html {
  if (value === null || value === undefined || Object.keys(value).length === 0) return html`<span class="none">—</span>`;
  return html`<dl class="kv">${Object.entries(value).map(
    ([k, v]) => html`<div><dt>${k}</dt><dd>${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}</dd></div>`,
  )}</dl>`;
}

/** The host of a URL, for showing where a callback goes without its path or query (they may hold a token). */
export function hostOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).host;
  } catch {
    return '(not a URL)';
  }
}
