import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
  /** `http://127.0.0.1:PORT`: use it as the DynamoDB endpoint. */
  readonly endpoint: string;
  /** Requests passed on so far. */
  readonly requests: number;
  /**
   * Round trips so far: times a request arrived while none was in flight. Requests sent together
   * (in parallel) are one round trip; one sent after the last answer is another.
   */
  readonly roundTrips: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on loopback that holds every request for `delayMs` before passing it to
 * `target`: a local DynamoDB (dynalite) as far away as the real one is from a Lambda.
 */
export async function startLatencyProxy(target: string, delayMs: number): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  let requests = 0;
  let roundTrips = 0;
  let inFlight = 0;
  const server = createServer((req, res) => {
    requests++;
    if (inFlight++ === 0) roundTrips++;
    res.once('close', () => {
      inFlight--;
    });
    setTimeout(() => {
      const outgoing = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      outgoing.on('error', () => res.destroy());
      req.pipe(outgoing);
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get roundTrips() {
      return roundTrips;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
