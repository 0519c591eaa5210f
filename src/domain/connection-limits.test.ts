import { describe, expect, it } from 'vitest';
import { withReserve } from './connection-limits.ts';

describe('a connection’s reserve for the upstream account’s other clients', () => {
  it('Kore.ai’s documented 60/min and 1,800/h with the default 10 % reserve pace at 54/min and 1,620/h', () => {
    const limits = { windows: [{ max: 60, seconds: 60 }, { max: 1800, seconds: 3600 }], concurrency: 4, reserve: 0.1 };
    expect(withReserve(limits)).toEqual({ windows: [{ max: 54, seconds: 60 }, { max: 1620, seconds: 3600 }], concurrency: 4 });
  });
  it('no reserve keeps the windows; a window always keeps at least one call', () => {
    expect(withReserve({ windows: [{ max: 20, seconds: 2 }], reserve: 0 })).toEqual({ windows: [{ max: 20, seconds: 2 }], concurrency: undefined });
    expect(withReserve({ windows: [{ max: 1, seconds: 1 }], reserve: 0.5 }).windows).toEqual([{ max: 1, seconds: 1 }]);
    expect(withReserve({ windows: [{ max: 3, seconds: 60 }], concurrency: 2 })).toEqual({ windows: [{ max: 3, seconds: 60 }], concurrency: 2 });
  });
});
