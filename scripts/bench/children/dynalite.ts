// Child process: dynalite in its own process, like a remote DynamoDB (it does not share the
// benchmark's event loop). Prints {"port":N} once listening; stops when its parent kills it.
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
