#!/usr/bin/env node
// `npm start`: the demo backend on 127.0.0.1:18081 and Rampart on :8080 with examples/demo.json.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDemoBackend } from './demo-backend.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const backend = await startDemoBackend(18081);
const gw = spawn(process.execPath, [`${root}/bin/rampart`, 'run', '-c', `${root}/examples/demo.json`, '--workers', '1'], { stdio: 'inherit' });
process.stdout.write('demo backend on 127.0.0.1:18081; try: curl -i localhost:8080/demo\n');
const stop = () => gw.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
gw.on('exit', (code) => {
  backend.close();
  process.exit(code ?? 0);
});
