// fast-gateway 3.4.7 as the Node peer: one route, GET /plain -> origin /plain, single process.
// Usage: node fast-gateway.js --port 8081 --origin http://127.0.0.1:9000
import { parseArgs } from 'node:util';
import gateway from 'fast-gateway';

const { values } = parseArgs({ options: { port: { type: 'string' }, origin: { type: 'string' } } });

const server = gateway({
  // pathRegex '' = exact match on the prefix; the path is forwarded unchanged (as nginx and the minimal proxy do).
  routes: [{ prefix: '/plain', pathRegex: '', prefixRewrite: '/plain', target: values.origin! }],
});
await server.start(Number(values.port), '127.0.0.1');
process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
