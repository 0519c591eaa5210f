// Plugs evidence into the worker's settle transaction: when requests become final, their evidence is
// signed and stored in that same transaction, so a final request never lacks it, whoever dies when. One
// batch per transaction: a few statements, however many requests it made final.
import type { SettleHooks } from '../db/sql/settle-tasks.ts';
import { storeEvidenceOfFinalRequests, type EvidenceSigner } from './store-evidence.ts';

export function evidenceSettleHooks(signer: EvidenceSigner): SettleHooks {
  return {
    async requestsBecameFinal(trx, finals, now) {
      await storeEvidenceOfFinalRequests(
        trx,
        finals.map((f) => f.requestId),
        signer,
        now,
      );
    },
  };
}
