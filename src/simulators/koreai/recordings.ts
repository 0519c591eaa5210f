export const RECORDING_STATUSES = ['success', 'media_unavailable', 'call_in_progress', 'media_in_progress', 'failed'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/** A session's recording over time: a status now, planned transitions ("calls that end later"), a deletion. */
export type RecordingTimeline = {
  initial: RecordingStatus;
  transitions: { at: number; status: RecordingStatus }[];
  deletedAt: number | null;
  /** When the deletion shows (`recordingDeleteVisibleAfterMs` after it); until then the media still appears. */
  goneAt: number | null;
  /** Size of the inline audio in v1 answers; null: the simulator-wide setting. */
  audioBytes: number | null;
};

/**
 * A deletion removes the media that exists at that moment; a transition planned after it (media generated
 * once a call ends) brings a recording back — which only happens if in-progress deletes are accepted.
 */
export function recordingStatusAt(recording: RecordingTimeline, nowMs: number): RecordingStatus {
  const { status, deleted } = recordingStateAt(recording, nowMs);
  return deleted && nowMs >= (recording.goneAt ?? recording.deletedAt ?? nowMs) ? 'media_unavailable' : status;
}

/** The status the media would have without a deletion, and whether a deletion covers that media. */
export function recordingStateAt(recording: RecordingTimeline, nowMs: number): { status: RecordingStatus; deleted: boolean } {
  let status = recording.initial;
  let since = Number.NEGATIVE_INFINITY;
  for (const transition of recording.transitions) {
    if (transition.at > nowMs) break;
    status = transition.status;
    since = transition.at;
  }
  return { status, deleted: recording.deletedAt !== null && recording.deletedAt >= since };
}

export const isInProgress = (status: RecordingStatus): boolean => status === 'call_in_progress' || status === 'media_in_progress';

/** A valid mono 8 kHz 16-bit WAV of exactly `totalBytes` bytes (a quiet tone), as a data URI. */
export function wavDataUri(totalBytes: number): string {
  const size = Math.max(44, totalBytes - (totalBytes % 2));
  const wav = Buffer.alloc(size);
  const dataBytes = size - 44;
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(size - 8, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(8000, 24);
  wav.writeUInt32LE(16000, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  for (let offset = 44, sample = 0; offset < size; offset += 2, sample++) {
    wav.writeInt16LE(Math.round(1000 * Math.sin((2 * Math.PI * 440 * sample) / 8000)), offset);
  }
  return `data:audio/wav;base64,${wav.toString('base64')}`;
}
