// npm run verify-evidence -- evidence.json jwks.json: checks evidence offline, against a saved JWKS, with
// no database and no network. Prints what the evidence states and exits 0 when it is valid; prints what
// is wrong and exits 1 when it is not; 2 for a usage error or a file that cannot be read.
import { readFileSync } from 'node:fs';
import { describeEvidence, verifyEvidenceOffline } from '../evidence/verify-evidence-offline.ts';

const USAGE = 'usage: verify-evidence <evidence.json | evidence.jws> <jwks.json>';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const args = process.argv.slice(2);
if (args.length !== 2) {
  console.error(USAGE);
  process.exit(2);
}
const [evidencePath, jwksPath] = args as [string, string];
const evidence = read(evidencePath);
const jwks = read(jwksPath);
if (evidence === null || jwks === null) {
  console.error(`cannot read ${evidence === null ? evidencePath : jwksPath}\n${USAGE}`);
  process.exit(2);
}
const verdict = verifyEvidenceOffline(evidence, jwks);
if (!verdict.valid) {
  console.log(`INVALID: ${verdict.problem}`);
  process.exit(1);
}
for (const line of describeEvidence(verdict)) console.log(line);
