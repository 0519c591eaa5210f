// Checks erasure evidence offline: node verify-evidence.mjs evidence.jws jwks.json
// Needs only the two files from the console (or the API) and the `jose` package (npm install jose).
// Exits 0 when the signature verifies against a key of the JWKS, 1 otherwise.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';

const [jwsFile, jwksFile] = process.argv.slice(2);
if (jwsFile === undefined || jwksFile === undefined) {
  console.error('usage: node verify-evidence.mjs <evidence.jws> <jwks.json>');
  process.exit(2);
}
const jws = readFileSync(jwsFile, 'utf8').trim();
const keys = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
try {
  const { payload, protectedHeader } = await jwtVerify(jws, keys, { algorithms: ['EdDSA'], typ: 'erasure-evidence+jwt' });
  console.log(`signature valid (kid ${protectedHeader.kid}): request ${payload.sub} is ${payload.request.status}, final=${payload.final}`);
  for (const t of payload.tasks) console.log(`  ${t.type} @ ${t.connection}: ${t.state}`, JSON.stringify(t.upstream));
  console.log(`audit chain: events 1..${payload.chain.throughSeq}, head ${payload.chain.headHash}`);
} catch (error) {
  console.error(`NOT VALID: ${error.message}`);
  process.exit(1);
}
