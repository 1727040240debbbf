import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How the proxy treats a request: forward it to the real dynalite; answer as DynamoDB does when
 * it throttles or fails; accept it and never answer; cut the connection; let dynalite apply it
 * and then lose the answer (by cutting the connection, or by never answering); or keep it from
 * dynalite until `admit()`, so requests sent after it are applied first.
 */
export type FaultMode =
  | 'pass'
  | 'late'
  | 'throttle'
  | 'server-error'
  | 'hang'
  | 'drop'
  | 'apply-then-drop'
  | 'apply-then-hang';

export interface FaultProxy {
  readonly endpoint: string;
  /** What every request meets once `next` is empty. */
  mode: FaultMode;
  /** What the next requests meet, one each, before `mode` applies again. */
  next: FaultMode[];
  /** Requests that reached the proxy (that `only` picked, when set), whatever their fate. */
  requests: number;
  /**
   * When set, only requests whose body it accepts meet `next` and `mode`; every other request
   * passes, uncounted. Picks one call out of the several a POST makes.
   */
  only: ((body: string) => boolean) | undefined;
  /**
   * While true, the answers of passed requests are kept (the request has reached dynalite and
   * been applied) until `release()`: a test sees which requests a client sends before it waits.
   */
  hold: boolean;
  /** Answers kept by `hold`, not yet released. */
  readonly held: number;
  /** Sends every kept answer; returns how many. */
  release(): number;
  /** Requests kept from dynalite by `late`, not yet admitted. */
  readonly late: number;
  /** Sends every request kept by `late` on to dynalite; returns how many. */
  admit(): number;
  /** Every request that reached the proxy: its operation (`UpdateItem`, …) and body. */
  readonly seen: { readonly operation: string; readonly body: string }[];
  /** Connections clients opened to the proxy so far. */
  readonly connections: number;
  /** Connections open now (kept alive between requests, or carrying one). */
  readonly open: number;
  close(): Promise<void>;
}

const dynamodbError = (type: string, message: string) =>
  JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

/** An HTTP proxy in front of dynalite that injects DynamoDB's real failure modes on the wire. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const upstream = new URL(target);

  /** Sends the request to dynalite; `deliver` decides what the client gets. */
  const forward = (
    req: IncomingMessage,
    deliver: (answer: IncomingMessage) => void,
    body: Buffer,
  ) => {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      deliver,
    );
    outgoing.on('error', () => req.socket.destroy());
    outgoing.end(body);
  };
  const relay = (res: ServerResponse) => (answer: IncomingMessage) => {
    if (!proxy.hold) {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    answer.on('end', () =>
      kept.push(() => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      }),
    );
  };
  const kept: (() => void)[] = [];
  const waiting: (() => void)[] = [];
  // Wait for dynalite's whole answer (the write is done), then throw it away.
  const swallow = (then: () => void) => (answer: IncomingMessage) => {
    answer.resume();
    answer.on('end', then);
  };

  const proxy: FaultProxy = {
    endpoint: '',
    mode: 'pass',
    next: [],
    requests: 0,
    only: undefined,
    hold: false,
    get held() {
      return kept.length;
    },
    release: () => {
      const answers = kept.splice(0);
      for (const answer of answers) answer();
      return answers.length;
    },
    get late() {
      return waiting.length;
    },
    admit: () => {
      const requests = waiting.splice(0);
      for (const send of requests) send();
      return requests.length;
    },
    seen: [],
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^.*\./, '');
    (proxy.seen as { operation: string; body: string }[]).push({
      operation,
      body: body.toString(),
    });
    if (proxy.only && !proxy.only(body.toString())) return forward(req, relay(res), body);
    proxy.requests++;
    const mode = proxy.next.shift() ?? proxy.mode;
    switch (mode) {
      case 'pass':
        return forward(req, relay(res), body);
      case 'late':
        waiting.push(() => forward(req, relay(res), body));
        return;
      case 'throttle':
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(
          dynamodbError(
            'ProvisionedThroughputExceededException',
            'The level of configured provisioned throughput for the table was exceeded.',
          ),
        );
      case 'server-error':
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        return res.end(dynamodbError('InternalServerError', 'Internal server error'));
      case 'hang':
        return;
      case 'drop':
        return req.socket.destroy();
      case 'apply-then-drop':
        return forward(
          req,
          swallow(() => req.socket.destroy()),
          body,
        );
      case 'apply-then-hang':
        return forward(
          req,
          swallow(() => {}),
          body,
        );
    }
  });
  // A kept-alive connection stays open however long a loaded machine takes to send the next
  // request (Node's own default closes it after 5 s idle).
  server.keepAliveTimeout = 0;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, { endpoint: `http://127.0.0.1:${port}` });
}

/** An address where nothing listens: connections are refused at once. */
export async function refusingEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
