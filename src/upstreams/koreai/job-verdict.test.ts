import { describe, expect, it } from 'vitest';
import { deletedConversations, jobVerdict, readJobCounts, type JobCounts } from './job-verdict.ts';

const counts = (over: Partial<JobCounts> = {}): JobCounts => ({
  totalConversations: 3,
  processedCount: 3,
  deletedCount: 3,
  failedCount: 0,
  skippedCount: 0,
  retriesRemaining: 3,
  ...over,
});
const ids = (n: number, deletedByEarlierJobs = 0) => ({ idsSent: n, deletedByEarlierJobs });
const cId = { idsSent: null, deletedByEarlierJobs: 0 };

describe('the verdict of a completed Kore.ai deletion job', () => {
  it('succeeded only when every id sent is counted as deleted (deletedCount may count messages)', () => {
    expect(jobVerdict(counts(), ids(3))).toEqual({ kind: 'succeeded' });
    expect(jobVerdict(counts({ deletedCount: 89 }), ids(3))).toEqual({ kind: 'succeeded' });
    expect(jobVerdict(counts(), cId)).toEqual({ kind: 'succeeded' });
  });

  it('skipped, unprocessed, or failed with no retries left: incomplete, with how many are accounted for', () => {
    expect(jobVerdict(counts({ skippedCount: 3, deletedCount: 0 }), ids(3))).toEqual({ kind: 'incomplete', accounted: 0, expected: 3 });
    expect(jobVerdict(counts({ skippedCount: 1, deletedCount: 2 }), ids(3))).toEqual({ kind: 'incomplete', accounted: 2, expected: 3 });
    expect(jobVerdict(counts({ processedCount: 2, deletedCount: 2 }), ids(3))).toEqual({ kind: 'incomplete', accounted: 2, expected: 3 });
    expect(jobVerdict(counts({ failedCount: 1, deletedCount: 2, retriesRemaining: 0 }), ids(3))).toEqual({ kind: 'incomplete', accounted: 2, expected: 3 });
    expect(jobVerdict(counts({ totalConversations: 2, processedCount: 2, deletedCount: 2 }), ids(3))).toMatchObject({ kind: 'incomplete' });
    // "processed" but nothing deleted: the counts do not say the conversations are gone.
    expect(jobVerdict(counts({ deletedCount: 0 }), ids(3))).toMatchObject({ kind: 'incomplete', accounted: 0 });
    expect(jobVerdict(counts({ processedCount: 1, deletedCount: 1 }), cId)).toEqual({ kind: 'incomplete', accounted: 1, expected: 3 });
  });

  it('failures with retries left: Kore.ai will try again', () => {
    expect(jobVerdict(counts({ failedCount: 1, deletedCount: 2, retriesRemaining: 2 }), ids(3))).toEqual({ kind: 'retrying' });
  });

  it('nothing found at all: not_found — or succeeded when an earlier job of the task deleted some', () => {
    const zero = counts({ totalConversations: 0, processedCount: 0, deletedCount: 0 });
    expect(jobVerdict(zero, cId)).toEqual({ kind: 'not_found' });
    expect(jobVerdict(zero, ids(3))).toEqual({ kind: 'not_found' });
    expect(jobVerdict(zero, { idsSent: null, deletedByEarlierJobs: 2 })).toEqual({ kind: 'succeeded' });
  });

  it('a re-drive: ids skipped now count as deleted only when exactly the earlier jobs’ deletions', () => {
    const redrive = counts({ skippedCount: 2, deletedCount: 1 });
    expect(jobVerdict(redrive, ids(3, 2))).toEqual({ kind: 'succeeded' });
    expect(jobVerdict(redrive, ids(3, 1))).toMatchObject({ kind: 'incomplete' });
    expect(jobVerdict(redrive, ids(3, 0))).toMatchObject({ kind: 'incomplete', accounted: 1 });
  });

  it('counts that contradict the request or each other are not a verdict', () => {
    expect(jobVerdict(counts({ totalConversations: 4, processedCount: 4, deletedCount: 4 }), ids(3))).toMatchObject({ kind: 'unrecognised' });
    expect(jobVerdict(counts({ processedCount: 5 }), cId)).toMatchObject({ kind: 'unrecognised' });
  });

  it('reads the six counts, or nothing', () => {
    expect(readJobCounts({ ...counts(), extra: 'x' })).toEqual(counts());
    expect(readJobCounts({ ...counts(), retriesRemaining: undefined })).toEqual(counts({ retriesRemaining: 0 }));
    expect(readJobCounts({ ...counts(), failedCount: '0' })).toBeNull();
    expect(readJobCounts({ ...counts(), deletedCount: -1 })).toBeNull();
    expect(readJobCounts(null)).toBeNull();
    expect(deletedConversations(counts({ deletedCount: 1 }))).toBe(1);
  });
});
