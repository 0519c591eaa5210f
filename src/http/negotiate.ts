// Accept-header negotiation (RFC 9110 §12.5.1) between the few media types a route offers. The first
// offered type is the default: it wins ties, a missing Accept and `*/*`.

type Range = { type: string; subtype: string; q: number };

function parseAccept(accept: string): Range[] {
  return accept.split(',').flatMap((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (type === undefined || subtype === undefined || type === '') return [];
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return [{ type, subtype, q: Number.isFinite(q) ? q : 0 }];
  });
}

/** The quality the Accept ranges give one media type: the most specific matching range decides. */
function quality(ranges: readonly Range[], mediaType: string): number {
  const [type, subtype] = mediaType.toLowerCase().split('/');
  let best: { specificity: number; q: number } | null = null;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity >= 0 && (best === null || specificity > best.specificity)) best = { specificity, q: r.q };
  }
  return best?.q ?? 0;
}

/** The offered media type the caller prefers; the first offered when it accepts none of them. */
export function negotiate<T extends string>(accept: string | undefined, offered: readonly [T, ...T[]]): T {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const ranges = parseAccept(accept);
  let choice = offered[0];
  let bestQ = quality(ranges, offered[0]);
  for (const candidate of offered.slice(1)) {
    const q = quality(ranges, candidate);
    if (q > bestQ) {
      choice = candidate;
      bestQ = q;
    }
  }
  return choice;
}

/** For GET /v1/erasure-requests: whether the caller prefers `text/csv` to JSON. */
export function wantsCsv(accept: string | undefined): boolean {
  return negotiate(accept, ['application/json', 'text/csv']) === 'text/csv';
}
