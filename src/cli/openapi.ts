// npm run openapi: writes openapi/openapi.json from the code. Commit the result; a test fails when it drifts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { OPENAPI_FILE, renderOpenApiDocument } from '../http/openapi-document.ts';

const text = await renderOpenApiDocument();
mkdirSync(dirname(OPENAPI_FILE), { recursive: true });
writeFileSync(OPENAPI_FILE, text);
console.log(`wrote ${relative(process.cwd(), OPENAPI_FILE)} (${text.length} bytes)`);
