// The committed OpenAPI document is the code's: regenerate it with `npm run openapi` after changing routes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApiDocument } from '../../src/http/openapi-document.ts';

describe('openapi/openapi.json', () => {
  it('matches the routes and schemas in the code', async () => {
    const generated = await renderOpenApiDocument();
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    expect(committed === generated, 'openapi/openapi.json is out of date: run `npm run openapi` and commit the result').toBe(true);
  });

  it('documents bearer auth and problem+json errors', async () => {
    const doc = JSON.parse(await renderOpenApiDocument());
    expect(doc.components.securitySchemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const post = doc.paths['/v1/erasure-requests'].post;
    expect(post.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '413', '415', '422']));
    expect(post.responses['422'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
  });
});
