// JSON values as stored in jsonb columns and sent in events and resources.

export type JsonObject = { [key: string]: unknown };
