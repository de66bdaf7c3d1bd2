// A tiny demo backend for `npm start` (loopback only).
import { createServer } from 'node:http';

export function startDemoBackend(port = 18081) {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body;
    if (path === '/hello') body = { message: 'Hello from the demo backend', time: new Date().toISOString(), internal_note: 'filtered by the gateway' };
    else if (/^\/users\/[^/]+$/.test(path)) body = { id: decodeURIComponent(path.slice(7)), name: 'Ada', password_hash: 'never-leaves-the-gateway' };
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend-secret': 'dropped-by-gateway' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
