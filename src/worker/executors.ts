// Builds the executors for the configured connections: one client (one undici Pool) per connection.
// The `callback` executor is added by whoever builds callbacks: pass it in `extra`.
import type { GatewayConfig } from '../config.ts';
import { cartesiaDeleteCall } from '../upstreams/cartesia/delete-call.ts';
import { cartesiaDiscoverCalls } from '../upstreams/cartesia/discover-calls.ts';
import { createCartesiaClient, type CartesiaClient } from '../upstreams/cartesia/client.ts';
import { createKoreaiClient, type KoreaiClient } from '../upstreams/koreai/client.ts';
import { koreaiDeleteConversations } from '../upstreams/koreai/delete-conversations.ts';
import { koreaiDeleteRecording } from '../upstreams/koreai/delete-recording.ts';
import { koreaiDiscoverSessions } from '../upstreams/koreai/discover-sessions.ts';
import type { Executors } from '../domain/task-execution.ts';

export type UpstreamExecutors = { executors: Executors; close(): Promise<void> };

export function createUpstreamExecutors(config: Pick<GatewayConfig, 'file' | 'secrets'>, extra: Executors = {}): UpstreamExecutors {
  const kore = new Map<string, KoreaiClient>();
  const cartesia = new Map<string, CartesiaClient>();
  for (const c of config.file.connections) {
    if (c.type === 'koreai') kore.set(c.name, createKoreaiClient(config, c));
    else cartesia.set(c.name, createCartesiaClient(config, c));
  }
  const executors: Executors = { ...extra };
  if (kore.size > 0) {
    executors['koreai.conversations'] = koreaiDeleteConversations(kore, 'koreai.conversations');
    executors['koreai.channel_user'] = koreaiDeleteConversations(kore, 'koreai.channel_user');
    executors['koreai.recording'] = koreaiDeleteRecording(kore);
    executors['koreai.discovery'] = koreaiDiscoverSessions(kore);
  }
  if (cartesia.size > 0) {
    executors['cartesia.call'] = cartesiaDeleteCall(cartesia);
    executors['cartesia.discovery'] = cartesiaDiscoverCalls(cartesia);
  }
  return {
    executors,
    async close() {
      await Promise.all([...kore.values(), ...cartesia.values()].map((c) => c.close()));
    },
  };
}
