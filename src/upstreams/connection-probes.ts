// The connection check's call for every configured connection, by name (domain/connection-check.ts):
// Kore.ai and Cartesia each read their own answer (koreai/check-connection.ts, cartesia/check-connection.ts).
// A client (one undici Pool) per connection, made at its first check.
import type { GatewayConfig } from '../config.ts';
import type { ConnectionCheckAnswer, ConnectionProbe, ProbeContext } from '../domain/connection-check.ts';
import { checkCartesiaConnection } from './cartesia/check-connection.ts';
import { createCartesiaClient, type CartesiaClient } from './cartesia/client.ts';
import { checkKoreaiConnection } from './koreai/check-connection.ts';
import { createKoreaiClient, type KoreaiClient } from './koreai/client.ts';

type Client = { type: 'koreai'; client: KoreaiClient } | { type: 'cartesia'; client: CartesiaClient };

export function createConnectionProbes(config: Pick<GatewayConfig, 'file' | 'secrets'>): ConnectionProbe {
  const clients = new Map<string, Client>();
  const clientFor = (name: string): Client => {
    const known = clients.get(name);
    if (known !== undefined) return known;
    const connection = config.file.connections.find((c) => c.name === name);
    if (connection === undefined) throw new Error(`connection ${JSON.stringify(name)} is not configured`);
    const made: Client =
      connection.type === 'koreai' ? { type: 'koreai', client: createKoreaiClient(config, connection) } : { type: 'cartesia', client: createCartesiaClient(config, connection) };
    clients.set(name, made);
    return made;
  };
  return {
    async probe(name: string, ctx: ProbeContext): Promise<ConnectionCheckAnswer> {
      const c = clientFor(name);
      return c.type === 'koreai' ? checkKoreaiConnection(c.client, ctx) : checkCartesiaConnection(c.client, ctx);
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.client.close()));
      clients.clear();
    },
  };
}
