// Things to undo whatever happens (processes we started, databases we created), newest first.
type Cleanup = { what: string; run: () => Promise<unknown> };

const pending: Cleanup[] = [];

/** Registers an undo step; returns a function that runs it now (and only once). */
export function onCleanup(what: string, run: () => Promise<unknown>): () => Promise<void> {
  const entry: Cleanup = { what, run };
  pending.push(entry);
  return async () => {
    const i = pending.indexOf(entry);
    if (i < 0) return;
    pending.splice(i, 1);
    await entry.run();
  };
}

export async function runCleanups(): Promise<void> {
  while (pending.length > 0) {
    const entry = pending.pop()!;
    try {
      await entry.run();
    } catch (err) {
      process.stderr.write(`cleanup (${entry.what}) failed: ${(err as Error).message}\n`);
    }
  }
}
