// backend/graphql over real sockets: the real gateway in front of a real GraphQL server (the
// `graphql` reference implementation served with node:http, GET and POST as GraphQL over HTTP
// describes). Variables from URL parameters (query) and from the client's body (mutation),
// query_path, GET with query parameters, the server's errors passed through, and a client that
// tries to send its own document.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, graphql } from 'graphql';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

const schema = buildSchema(`
  type User { id: ID!, name: String! }
  type Query { user(id: ID!): User, secret: String, boom: String }
  type Mutation { addUser(name: String!, role: String): User }
`);
const users: Record<string, { id: string; name: string }> = { '1': { id: '1', name: 'ada' }, '2': { id: '2', name: 'linus' } };
const root = {
  user: ({ id }: { id: string }) => users[id] ?? null,
  secret: () => 'the secret',
  boom: () => {
    throw new Error('boom failed');
  },
  addUser: ({ name, role }: { name: string; role?: string }) => ({ id: `new-${role ?? 'none'}`, name }),
};

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}
const seen: Seen[] = [];
let server: Server;
let origin: string;
let gw: RunningGateway;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      let params: { query?: string; operationName?: string; variables?: Record<string, unknown> };
      if (req.method === 'GET') {
        const q = new URL(req.url!, 'http://x').searchParams;
        const v = q.get('variables');
        params = { query: q.get('query') ?? undefined, operationName: q.get('operationName') ?? undefined, variables: v ? JSON.parse(v) : undefined };
      } else {
        params = JSON.parse(body);
      }
      const result = await graphql({
        schema,
        source: params.query ?? '',
        rootValue: root,
        variableValues: params.variables,
        operationName: params.operationName,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'rampart-gql-'));
  writeFileSync(join(dir, 'add-user.graphql'), 'mutation AddUser($name: String!, $role: String) { addUser(name: $name, role: $role) { id name } }');
  const be = (gql: Record<string, unknown>, more: Record<string, unknown> = {}) => [
    { host: [origin], url_pattern: '/graphql', ...more, extra_config: { 'backend/graphql': gql } },
  ];
  const userQuery = 'query GetUser($id: ID!) { user(id: $id) { id name } }';
  gw = await startGateway({
    version: 3,
    timeout: '3s',
    endpoints: [
      { endpoint: '/users/{id}', backend: be({ type: 'query', query: userQuery, operationName: 'GetUser', variables: { id: '{id}' } }) },
      {
        endpoint: '/get/users/{id}',
        input_query_strings: ['query', 'x'],
        backend: be({ type: 'query', method: 'get', query: userQuery, variables: { id: '{Id}' } }),
      },
      { endpoint: '/boom', backend: be({ type: 'query', query: '{ boom }' }) },
      {
        endpoint: '/users',
        method: 'POST',
        backend: be({ type: 'mutation', query_path: join(dir, 'add-user.graphql'), variables: { role: 'guest' } }),
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test('type query: variables from the URL parameters, sent as a JSON POST', async () => {
  const r = await http(gw.port, 'GET', '/users/2');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { data: { user: { id: '2', name: 'linus' } } });
  const s = seen.at(-1)!;
  assert.equal(s.method, 'POST');
  assert.equal(s.contentType, 'application/json');
  assert.deepEqual(JSON.parse(s.body), { query: 'query GetUser($id: ID!) { user(id: $id) { id name } }', operationName: 'GetUser', variables: { id: '2' } });
});

test('method GET: the operation travels as query parameters; a client `query` parameter is dropped', async () => {
  const r = await http(gw.port, 'GET', `/get/users/1?x=keep&query=${encodeURIComponent('{ secret }')}`);
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { data: { user: { id: '1', name: 'ada' } } });
  const s = seen.at(-1)!;
  assert.equal(s.method, 'GET');
  const q = new URL(s.url, 'http://x').searchParams;
  assert.deepEqual(q.getAll('query'), ['query GetUser($id: ID!) { user(id: $id) { id name } }']);
  assert.equal(q.get('x'), 'keep');
  assert.deepEqual(JSON.parse(q.get('variables')!), { id: '1' });
  assert.ok(!r.body.includes('the secret'));
});

test('type mutation: the variables are the client body, the configured ones fill in what it lacks', async () => {
  const r = await http(gw.port, 'POST', '/users', { 'content-type': 'application/json' }, JSON.stringify({ name: 'grace' }));
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { data: { addUser: { id: 'new-guest', name: 'grace' } } });
  const r2 = await http(gw.port, 'POST', '/users', { 'content-type': 'application/json' }, JSON.stringify({ name: 'x', role: 'admin' }));
  assert.deepEqual(JSON.parse(r2.body), { data: { addUser: { id: 'new-admin', name: 'x' } } });
});

test('a client cannot send its own document: query and operationName in the body are only variables', async () => {
  const evil = { name: 'eve', query: '{ secret }', operationName: 'Other' };
  const r = await http(gw.port, 'POST', '/users', { 'content-type': 'application/json' }, JSON.stringify(evil));
  assert.equal(r.status, 200, r.body);
  assert.ok(!r.body.includes('the secret'));
  const sent = JSON.parse(seen.at(-1)!.body);
  assert.match(sent.query, /^mutation AddUser/);
  assert.equal(sent.operationName, undefined);
  assert.deepEqual(sent.variables, { name: 'eve', query: '{ secret }', operationName: 'Other', role: 'guest' });
});

test('a mutation body that is not a JSON object is refused with 400, the server is not called', async () => {
  const before = seen.length;
  for (const body of ['', 'not json', '[1,2]', '"s"']) {
    const r = await http(gw.port, 'POST', '/users', { 'content-type': 'application/json' }, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.body}`);
  }
  assert.equal(seen.length, before);
});

test("the GraphQL server's errors reach the client as KrakenD passes them (data with errors)", async () => {
  const r = await http(gw.port, 'GET', '/boom');
  assert.equal(r.status, 200, r.body);
  const body = JSON.parse(r.body);
  assert.equal(body.data.boom, null);
  assert.equal(body.errors[0].message, 'boom failed');
});

test('a query_path that does not exist stops startup with the pointer', async () => {
  await assert.rejects(
    startGateway({
      version: 3,
      endpoints: [
        {
          endpoint: '/x',
          backend: [{ host: [origin], url_pattern: '/g', extra_config: { 'backend/graphql': { type: 'query', query_path: './missing.graphql' } } }],
        },
      ],
    }),
    /extra_config\/backend~1graphql\/query_path: cannot read "\.\/missing\.graphql"/,
  );
});
