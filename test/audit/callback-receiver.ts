// A callback receiver for tests: records every delivery and answers from a script (default 204).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedCallback = { method: string; path: string; headers: IncomingHttpHeaders; body: string };
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; delayMs?: number };

export type CallbackReceiver = {
  url: string;
  port: number;
  received: ReceivedCallback[];
  /** Answers for the next deliveries, in order; afterwards 204. */
  answers: ReceiverAnswer[];
  close(): Promise<void>;
};

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const answers: ReceiverAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.shift() ?? { status: 204 };
      const send = () => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.status === 204 ? undefined : '{"ok":false}');
      };
      if (answer.delayMs === undefined) send();
      else setTimeout(send, answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/erasure`,
    port,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
