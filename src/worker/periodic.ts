// A job each worker runs every interval and on demand (the abandoned-task sweep, the watchdog): one run
// at a time — a call while one runs gets that run — and stop() waits for the run in progress. `run` must
// not reject (it logs its own failure: it runs again at the next interval).
export type Periodic<T> = { runNow(): Promise<T>; stop(): Promise<void> };

export function startPeriodic<T>(intervalMs: number, run: () => Promise<T>): Periodic<T> {
  let running: Promise<T> | null = null;
  const runNow = (): Promise<T> => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void runNow(), intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
