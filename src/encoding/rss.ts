// Backend `encoding: "rss"`: an RSS (0.9x, 1.0, 2.0) or Atom feed decoded into the map KrakenD CE
// returns (krakend-rss over gofeed 1.1.3): top-level `items`, `author`, `categories`, `custom`,
// `copyright`, `description`, `type` ("rss" | "atom"), `language`, `title`, `published`,
// `updated` and, when the feed has an image, `img_url`. Each item is gofeed's universal Item as
// Go's JSON encoder writes it (empty fields left out): title, description, content, link, links,
// updated(Parsed), published(Parsed), author, authors, guid, image, categories, enclosures.
// Deviations (README "Backend encodings"): gofeed's `extensions`, `dcExt`, `itunesExt` and
// `custom` maps of each item are not produced, JSON Feed documents are not read, and the XML
// rules of decodeXml apply (no DOCTYPE, bounded nesting), which gofeed does not enforce.
import { decodeXml } from './xml-decode.js';
import { goTime } from './feed-dates.js';

type Node = unknown;
type Obj = Record<string, unknown>;
interface Person {
  name?: string;
  email?: string;
}

function list(v: Node): Node[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of an element in decodeXml's shape ("" for none). */
function text(v: Node): string {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === 'string') return x;
  if (x !== null && typeof x === 'object' && typeof (x as Obj)['#text'] === 'string') return (x as Obj)['#text'] as string;
  return '';
}

/** The first element among repeated ones that is plain text (RSS `link` beside `atom:link`). */
function firstText(v: Node): string {
  for (const x of list(v)) {
    const t = text(x);
    if (t !== '') return t;
  }
  return '';
}

function attr(v: Node, name: string): string {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Obj)[`-${name}`] === 'string' ? ((v as Obj)[`-${name}`] as string) : '';
}

function obj(v: Node): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

/** gofeed's ParseNameAddress: "mail@x (Name)", "Name <mail@x>", a bare address or a name. */
export function nameAddress(s: string): Person {
  const t = s.trim();
  let m = /^(\S+@\S+)\s*\((.*)\)$/.exec(t);
  if (m) return person(m[2].trim(), m[1]);
  m = /^(.*?)\s*<([^<>]+)>$/.exec(t);
  if (m) return person(m[1].trim(), m[2].trim());
  if (/^\S+@\S+$/.test(t)) return person('', t);
  return person(t, '');
}

function person(name: string, email: string): Person {
  const p: Person = {};
  if (name) p.name = name;
  if (email) p.email = email;
  return p;
}

/** Sets `key` only for a non-empty value, as Go's `omitempty` does. */
function put(out: Obj, key: string, v: unknown): void {
  if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return;
  out[key] = v;
}

function rssItem(i: Obj): Obj {
  const out: Obj = {};
  put(out, 'title', text(i.title));
  put(out, 'description', text(i.description));
  put(out, 'content', text(i.encoded)); // content:encoded
  const link = firstText(i.link);
  put(out, 'link', link);
  put(out, 'links', link ? [link] : undefined);
  const dcDate = text(i.date); // dc:date
  put(out, 'updated', dcDate);
  put(out, 'updatedParsed', goTime(dcDate));
  const published = text(i.pubDate) || dcDate;
  put(out, 'published', published);
  put(out, 'publishedParsed', goTime(published));
  const who = text(i.author) || text(i.creator); // dc:creator
  if (who) {
    out.author = nameAddress(who);
    out.authors = [nameAddress(who)];
  }
  put(out, 'guid', text(i.guid));
  const image = list(i.image)
    .map((x) => attr(x, 'href'))
    .find((h) => h !== ''); // itunes:image
  if (image) out.image = { url: image };
  put(
    out,
    'categories',
    [...list(i.category), ...list(i.subject)].map(text).filter((c) => c !== ''),
  );
  const enclosures = list(i.enclosure).map((e) => {
    const o: Obj = {};
    put(o, 'url', attr(e, 'url'));
    put(o, 'length', attr(e, 'length'));
    put(o, 'type', attr(e, 'type'));
    return o;
  });
  put(out, 'enclosures', enclosures.slice(0, 1)); // gofeed keeps the first enclosure
  return out;
}

function rssFeed(channel: Obj, itemsOutside: Node): Obj {
  const items = [...list(channel.item), ...list(itemsOutside)].map((i) => rssItem(obj(i)));
  const editor = text(channel.managingEditor) || text(channel.webMaster) || text(channel.creator);
  const image = list(channel.image).find((x) => text(obj(x).url) !== '');
  const categories = [...list(channel.category), ...list(channel.subject)].map(text).filter((c) => c !== '');
  const out: Obj = {
    items,
    author: editor ? nameAddress(editor) : null,
    categories: categories.length > 0 ? categories : null,
    custom: null,
    copyright: text(channel.copyright) || text(channel.rights),
    description: text(channel.description),
    type: 'rss',
    language: text(channel.language),
    title: text(channel.title),
    published: text(channel.pubDate),
    updated: text(channel.lastBuildDate) || text(channel.date),
  };
  if (image) out.img_url = text(obj(image).url);
  return out;
}

function atomLinks(v: Node): { rel: string; href: string; length: string; type: string }[] {
  return list(v).map((l) => ({ rel: attr(l, 'rel') || 'alternate', href: attr(l, 'href'), length: attr(l, 'length'), type: attr(l, 'type') }));
}

function atomPeople(v: Node): Person[] {
  return list(v).map((p) => person(text(obj(p).name), text(obj(p).email)));
}

function atomEntry(e: Obj): Obj {
  const out: Obj = {};
  const links = atomLinks(e.link);
  put(out, 'title', text(e.title));
  put(out, 'description', text(e.summary));
  put(out, 'content', text(e.content));
  put(out, 'link', links.find((l) => l.rel === 'alternate')?.href);
  put(
    out,
    'links',
    links.filter((l) => l.rel === 'alternate' || l.rel === 'self').map((l) => l.href),
  );
  const updated = text(e.updated);
  put(out, 'updated', updated);
  put(out, 'updatedParsed', goTime(updated));
  const published = text(e.published) || updated;
  put(out, 'published', published);
  put(out, 'publishedParsed', goTime(published));
  const authors = atomPeople(e.author);
  if (authors.length > 0) {
    out.author = authors[0];
    out.authors = authors;
  }
  put(out, 'guid', text(e.id));
  put(
    out,
    'categories',
    list(e.category).map((c) => attr(c, 'term')),
  );
  put(
    out,
    'enclosures',
    links
      .filter((l) => l.rel === 'enclosure')
      .map((l) => {
        const o: Obj = {};
        put(o, 'url', l.href);
        put(o, 'length', l.length);
        put(o, 'type', l.type);
        return o;
      }),
  );
  return out;
}

function atomFeed(f: Obj): Obj {
  const authors = atomPeople(f.author);
  const categories = list(f.category).map((c) => attr(c, 'term'));
  const out: Obj = {
    items: list(f.entry).map((e) => atomEntry(obj(e))),
    author: authors[0] ?? null,
    categories: f.category === undefined ? null : categories,
    custom: null,
    copyright: text(f.rights),
    description: text(f.subtitle),
    type: 'atom',
    language: attr(f, 'lang'),
    title: text(f.title),
    published: '',
    updated: text(f.updated),
  };
  const logo = text(f.logo);
  if (logo) out.img_url = logo;
  return out;
}

/** Decodes an RSS or Atom document; anything else is an error (the backend call fails). */
export function decodeFeed(body: string): Record<string, unknown> {
  const doc = decodeXml(body);
  if (doc.rss !== undefined) {
    const rss = obj(doc.rss);
    return rssFeed(obj(rss.channel), rss.item);
  }
  if (doc.RDF !== undefined) {
    // RSS 1.0 (rdf:RDF): items are siblings of the channel.
    const rdf = obj(doc.RDF);
    return rssFeed(obj(rdf.channel), rdf.item);
  }
  if (doc.feed !== undefined) return atomFeed(obj(doc.feed));
  throw new Error('rss: the body is neither an RSS nor an Atom feed');
}
