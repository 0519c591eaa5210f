// Console routes are pages, not API operations: none of them belongs in the OpenAPI document.
export const NOT_IN_OPENAPI = { hide: true } as const;
