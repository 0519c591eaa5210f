// Plugs evidence into the worker's settle transaction: when a request becomes final, its evidence is
// signed and stored in that same transaction, so a final request never lacks it, whoever dies when.
import type { SettleHooks } from '../db/sql/settle-tasks.ts';
import { storeEvidenceIfFinal, type EvidenceSigner } from './store-evidence.ts';

export function evidenceSettleHooks(signer: EvidenceSigner): SettleHooks {
  return {
    async requestBecameFinal(trx, requestId, _change, now) {
      // A chain that does not verify gets no evidence: GET …/evidence answers 409 and says why.
      await storeEvidenceIfFinal(trx, requestId, signer, now);
    },
  };
}
