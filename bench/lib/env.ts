// Where things are and how the bench is run: paths, the Postgres admin URL, quick mode.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Node 24 from the project (system node cannot run our .ts). */
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');
/** Scratch files: configs, logs, CPU profiles. Ignored by git. */
export const TMP = join(ROOT, 'bench', '.tmp');
mkdirSync(TMP, { recursive: true });

/** A Postgres server where the bench may create and drop `eg_bench_*` databases. */
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** BENCH_QUICK=1: small sizes and short durations, for smoke runs (figures are indicative only). */
export const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';

/** BENCH_CPU_PROF=1: gateway and worker processes run with --cpu-prof (profiles under bench/.tmp/prof). */
export const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
export const PROF_DIR = join(TMP, 'prof');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
