// Issue #18 over real sockets: backend encodings KrakenD accepts (rss over an RSS 2.0 and an Atom
// feed served by a loopback backend, yaml, fast-json, "JSON" in capitals), `"url_pattern": ""`
// cleaned to "/", weakly typed values, and plugin/req-resp-modifier (ip-filter) at backend level.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

const RSS = `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>W3Schools Home Page</title>
  <link>https://www.w3schools.com</link>
  <atom:link href="https://example.com/feed.rss" rel="self" type="application/rss+xml"/>
  <description>Free web building tutorials</description>
  <image><url>https://www.w3schools.com/pretty_image.png</url><title>logo</title></image>
  <language>en_us</language>
  <managingEditor>editor@example.com (Ed Itor)</managingEditor>
  <pubDate>Mon, 06 Sep 2009 16:20:00 +0100</pubDate>
  <item>
    <title>RSS Tutorial</title>
    <link>https://www.w3schools.com/xml/xml_rss.asp</link>
    <description>New RSS tutorial on W3Schools</description>
    <content:encoded><![CDATA[<p>full text</p>]]></content:encoded>
    <guid isPermaLink="false">id-1</guid>
    <category>xml</category>
    <pubDate>Sun, 06 Sep 2009 16:20:00 GMT</pubDate>
    <enclosure url="https://example.com/a.mp3" length="123" type="audio/mpeg"/>
  </item>
  <item>
    <title>XML Tutorial</title>
    <link>https://www.w3schools.com/xml</link>
    <description>New XML tutorial on W3Schools</description>
  </item>
</channel>
</rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Example Feed</title>
  <subtitle>A subtitle.</subtitle>
  <link href="http://example.org/feed/" rel="self"/>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name><email>johndoe@example.com</email></author>
  <logo>http://example.org/logo.png</logo>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02+01:00</updated>
    <summary>Some text.</summary>
    <category term="robots"/>
  </entry>
</feed>`;

let up: TestBackend;
let gw: RunningGateway;
const hits: string[] = [];

before(async () => {
  up = await startBackend((req, res) => {
    const u = req.url ?? '';
    hits.push(u);
    if (u.startsWith('/feed.rss')) return void (res.writeHead(200, { 'content-type': 'application/rss+xml' }), res.end(RSS));
    if (u.startsWith('/feed.atom')) return void (res.writeHead(200, { 'content-type': 'application/atom+xml' }), res.end(ATOM));
    if (u.startsWith('/not-a-feed')) return void (res.writeHead(200, { 'content-type': 'application/xml' }), res.end('<html><body>x</body></html>'));
    if (u.startsWith('/doc.yaml'))
      return void (res.writeHead(200, { 'content-type': 'application/yaml' }), res.end('name: Ada\nlangs:\n  - en\n  - fr\nage: 36\n'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: u, ok: true }));
  });
  gw = await startGateway({
    version: 3,
    port: '8080', // weakly typed: read as 8080 (the test overrides the port anyway)
    timeout: '2s',
    endpoints: [
      { endpoint: '/rss', backend: [{ host: [up.origin], url_pattern: '/feed.rss', encoding: 'rss' }] },
      { endpoint: '/atom', backend: [{ host: [up.origin], url_pattern: '/feed.atom', encoding: 'RSS' }] },
      {
        endpoint: '/show',
        backend: [
          { host: [up.origin], url_pattern: '/feed.rss', encoding: 'rss', group: 'schedule', allow: ['title'] },
          { host: [up.origin], url_pattern: '/feed.atom', encoding: 'rss', group: 'available', allow: ['title'] },
        ],
      },
      { endpoint: '/bad-feed', backend: [{ host: [up.origin], url_pattern: '/not-a-feed', encoding: 'rss' }] },
      { endpoint: '/yaml', backend: [{ host: [up.origin], url_pattern: '/doc.yaml', encoding: 'yaml' }] },
      { endpoint: '/fast', concurrent_calls: '1', backend: [{ host: up.origin, url_pattern: '/j', encoding: 'fast-json' }] },
      { endpoint: '/upper', backend: [{ host: [up.origin], url_pattern: '/j', encoding: 'JSON' }] },
      { endpoint: '/root', backend: [{ host: [up.origin], url_pattern: '' }] },
      {
        endpoint: '/blocked-backend',
        backend: [
          {
            host: [up.origin],
            url_pattern: '/never',
            extra_config: { 'plugin/req-resp-modifier': { name: ['ip-filter'], 'ip-filter': { CIDR: ['127.0.0.0/8', '::1/128'], allow: false } } },
          },
        ],
      },
      {
        endpoint: '/partly-blocked',
        backend: [
          { host: [up.origin], url_pattern: '/open', group: 'open' },
          {
            host: [up.origin],
            url_pattern: '/never2',
            group: 'closed',
            extra_config: { 'plugin/req-resp-modifier': { name: ['ip-filter'], 'ip-filter': { CIDR: ['127.0.0.0/8', '::1/128'], allow: false } } },
          },
        ],
      },
      {
        endpoint: '/allowed-backend',
        backend: [
          {
            host: [up.origin],
            url_pattern: '/allowed',
            extra_config: { 'plugin/req-resp-modifier': { name: ['ip-filter'], 'ip-filter': { CIDR: ['127.0.0.0/8', '::1/128'], allow: true } } },
          },
        ],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await up?.close();
});

test('rss: an RSS 2.0 feed becomes krakend-rss shape (gofeed universal items)', async () => {
  const r = await http(gw.port, 'GET', '/rss');
  assert.equal(r.status, 200, r.body);
  const d = JSON.parse(r.body);
  assert.equal(d.type, 'rss');
  assert.equal(d.title, 'W3Schools Home Page');
  assert.equal(d.description, 'Free web building tutorials');
  assert.equal(d.language, 'en_us');
  assert.equal(d.img_url, 'https://www.w3schools.com/pretty_image.png');
  assert.deepEqual(d.author, { name: 'Ed Itor', email: 'editor@example.com' });
  assert.equal(d.published, 'Mon, 06 Sep 2009 16:20:00 +0100');
  assert.equal(d.updated, '');
  assert.equal(d.copyright, '');
  assert.equal(d.categories, null);
  assert.equal(d.custom, null);
  assert.equal(d.items.length, 2);
  assert.deepEqual(d.items[0], {
    title: 'RSS Tutorial',
    description: 'New RSS tutorial on W3Schools',
    content: '<p>full text</p>',
    link: 'https://www.w3schools.com/xml/xml_rss.asp',
    links: ['https://www.w3schools.com/xml/xml_rss.asp'],
    published: 'Sun, 06 Sep 2009 16:20:00 GMT',
    publishedParsed: '2009-09-06T16:20:00Z',
    guid: 'id-1',
    categories: ['xml'],
    enclosures: [{ url: 'https://example.com/a.mp3', length: '123', type: 'audio/mpeg' }],
  });
  assert.deepEqual(d.items[1], {
    title: 'XML Tutorial',
    description: 'New XML tutorial on W3Schools',
    link: 'https://www.w3schools.com/xml',
    links: ['https://www.w3schools.com/xml'],
  });
});

test('rss: an Atom feed (encoding written "RSS") becomes the same shape with type "atom"', async () => {
  const r = await http(gw.port, 'GET', '/atom');
  assert.equal(r.status, 200, r.body);
  const d = JSON.parse(r.body);
  assert.equal(d.type, 'atom');
  assert.equal(d.title, 'Example Feed');
  assert.equal(d.description, 'A subtitle.');
  assert.equal(d.language, 'en');
  assert.equal(d.updated, '2003-12-13T18:30:02Z');
  assert.equal(d.img_url, 'http://example.org/logo.png');
  assert.deepEqual(d.author, { name: 'John Doe', email: 'johndoe@example.com' });
  assert.deepEqual(d.items[0], {
    title: 'Atom-Powered Robots Run Amok',
    description: 'Some text.',
    link: 'http://example.org/2003/12/13/atom03',
    links: ['http://example.org/2003/12/13/atom03'],
    updated: '2003-12-13T18:30:02+01:00',
    updatedParsed: '2003-12-13T18:30:02+01:00',
    published: '2003-12-13T18:30:02+01:00',
    publishedParsed: '2003-12-13T18:30:02+01:00',
    guid: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a',
    categories: ['robots'],
  });
});

test('rss: the conformance spec `rss` shape (group + allow title) against local feeds', async () => {
  const r = await http(gw.port, 'GET', '/show');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { available: { title: 'Example Feed' }, schedule: { title: 'W3Schools Home Page' } });
  assert.equal(r.headers['x-rampart-completed'], 'true');
});

test('rss: a document that is no feed fails the backend (500), never a crash', async () => {
  const r = await http(gw.port, 'GET', '/bad-feed');
  assert.equal(r.status, 500);
  assert.equal((await http(gw.port, 'GET', '/rss')).status, 200);
});

test('yaml (EE) decodes a mapping; fast-json reads as json; "JSON" is json', async () => {
  assert.deepEqual(JSON.parse((await http(gw.port, 'GET', '/yaml')).body), { name: 'Ada', langs: ['en', 'fr'], age: 36 });
  assert.deepEqual(JSON.parse((await http(gw.port, 'GET', '/fast')).body), { path: '/j', ok: true });
  assert.deepEqual(JSON.parse((await http(gw.port, 'GET', '/upper')).body), { path: '/j', ok: true });
});

test('"url_pattern": "" calls the backend at "/"', async () => {
  const r = await http(gw.port, 'GET', '/root');
  assert.equal(r.status, 200, r.body);
  assert.equal(JSON.parse(r.body).path, '/');
});

test('plugin/req-resp-modifier ip-filter at backend level: a blocked client never reaches that backend', async () => {
  const before = hits.length;
  const r = await http(gw.port, 'GET', '/blocked-backend');
  assert.equal(r.status, 403, r.body);
  assert.ok(!hits.slice(before).some((h) => h.startsWith('/never')), 'the blocked backend was called');
  const p = await http(gw.port, 'GET', '/partly-blocked');
  assert.equal(p.status, 200, p.body);
  assert.deepEqual(JSON.parse(p.body), { open: { path: '/open', ok: true } });
  assert.equal(p.headers['x-rampart-completed'], 'false');
  assert.ok(!hits.slice(before).some((h) => h.startsWith('/never2')));
  const ok = await http(gw.port, 'GET', '/allowed-backend');
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).path, '/allowed');
});

test('the weakly typed values and the case of encodings were reported as warnings with pointers', () => {
  const out = gw.output();
  assert.match(out, /\/port: "8080" read as 8080/);
  assert.match(out, /\/endpoints\/5\/concurrent_calls: "1" read as 1/);
  assert.match(out, /\/endpoints\/5\/backend\/0\/host: a single value read as a list of one/);
  assert.match(out, /\/endpoints\/1\/backend\/0\/encoding: "RSS" read as "rss"/);
});
