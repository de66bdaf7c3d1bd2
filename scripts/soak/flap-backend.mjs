// The soak's killed-and-restarted backend: a healthy JSON server in its own process, so that the
// soak can SIGKILL it (connections die mid-flight, as in a crash) and start it again.
// Usage: node flap-backend.mjs PORT
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"flap":true,"pid":' + process.pid + '}');
  });
}).listen(port, '127.0.0.1', () => process.send?.('ready'));
