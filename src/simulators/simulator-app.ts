import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';

export type VendorErrorSender = (reply: FastifyReply, status: number, message: string) => FastifyReply;

export type SimulatorAppOptions = {
  logger?: boolean;
  /** Answers parse errors, unknown routes and unexpected failures in the vendor's error shape. */
  sendVendorError: VendorErrorSender;
  /** Answers requests that match no route; default: `sendVendorError(reply, 404, 'Not Found')`. */
  sendNotFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
};

/** What every simulator returns: the fastify app plus its own listen/close. */
export type SimulatorServer = {
  app: FastifyInstance;
  /** Starts listening (port 0 = any free port) and answers the base URL, e.g. `http://127.0.0.1:4010`. */
  listen(port?: number, host?: string): Promise<string>;
  /** The base URL once listening. */
  baseUrl(): string | null;
  /** Closes the server, cutting hung and kept-alive connections. */
  close(): Promise<void>;
};

export function buildSimulatorApp(options: SimulatorAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    // Hung requests (a fault) must not keep close() waiting.
    forceCloseConnections: true,
  });

  // Vendors built on Express accept an empty body whatever the Content-Type (e.g. a DELETE sent with
  // `Content-Type: application/json`, or the seed's `curl --data ''`), so the simulators do too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.includes('json')) return done(null, text);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('Invalid JSON body'), { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    return options.sendVendorError(reply, status, status === 500 ? 'Internal Server Error' : (error.message ?? 'Bad request'));
  });
  app.setNotFoundHandler((request, reply) =>
    options.sendNotFound === undefined ? options.sendVendorError(reply, 404, 'Not Found') : options.sendNotFound(request, reply),
  );
  return app;
}

/** The control API is meant for loopback callers only; anything else gets 403. */
export function isLoopback(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress ?? '';
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || address.startsWith('127.');
}

export function serverLifecycle(app: FastifyInstance): Omit<SimulatorServer, 'app'> {
  let baseUrl: string | null = null;
  return {
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      baseUrl = `http://${shownHost}:${address.port}`;
      return baseUrl;
    },
    baseUrl: () => baseUrl,
    async close() {
      await app.close();
      baseUrl = null;
    },
  };
}
