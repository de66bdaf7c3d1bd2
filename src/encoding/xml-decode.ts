// XML -> map decoding with the conventions of Go's mxj library, which
// KrakenD's `xml` backend encoding uses (mxj.NewMapXmlReader, no casting):
//   - the root element is the single top-level key;
//   - attributes become keys prefixed with "-" ("-type");
//   - repeated child elements become arrays, in document order;
//   - element text is always a string, trimmed of spaces, tabs, CR and LF;
//   - text of an element that also has attributes or children goes under
//     "#text"; an element with neither text, attributes nor children is "";
//   - names lose their namespace prefix ("soap:Body" -> "Body",
//     xmlns:a="..." -> "-a"), as Go's xml.Decoder reports Name.Local;
//   - the prolog, comments and processing instructions are ignored.
// Deliberate differences from mxj: text split by CDATA sections, comments or
// child elements is concatenated (mxj keeps only the last piece), and a
// document with anything after the root element is rejected (mxj silently
// ignores it).
//
// Security: DOCTYPE and every other "<!" declaration are refused outright
// (no entity expansion, so no XXE or billion laughs), nesting is bounded,
// and only the five predefined entities and character references decode;
// any other entity is an error, as in Go's strict decoder.

import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Maximum element nesting depth accepted (the root element is depth 1). */
export const MAX_XML_DEPTH = 100;

// One parser for the process: options are fixed and the parser keeps no
// state between parse() calls. preserveOrder gives us the raw node list, so
// the mxj shaping below is in our hands, and processEntities/trimValues are
// off because entity decoding and trimming must happen in mxj's order.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** A node of fast-xml-parser's preserveOrder output. */
type FxpNode = Record<string, unknown>;

// Characters XML 1.0 forbids even as character data (Go rejects them too).
const ILLEGAL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Parses an XML document into a map shaped like mxj's NewMapXml output. */
export function decodeXml(text: string): Record<string, unknown> {
  if (typeof text !== 'string') throw new TypeError('xml: input must be a string');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte order mark
  if (ILLEGAL_CHARS.test(text)) throw new Error('xml: illegal character in document');
  prescan(text);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new Error(`xml: ${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`);
  }
  return convertDocument(parser.parse(text) as FxpNode[]);
}

/**
 * Linear pre-pass over the markup: refuses declarations (DOCTYPE, ENTITY...)
 * and excessive nesting before any expensive parsing happens, and text
 * outside the root element (which fast-xml-parser would silently drop). It
 * only tracks structure; well-formedness is the validator's job.
 */
function prescan(xml: string): void {
  let depth = 0;
  let i = xml.indexOf('<');
  assertBlank(xml, 0, i === -1 ? xml.length : i);
  while (i !== -1) {
    const c = xml.charCodeAt(i + 1);
    let end: number;
    if (c === 0x3f /* ? */) {
      end = closeOf(xml, '?>', i + 2);
    } else if (c === 0x21 /* ! */) {
      if (xml.startsWith('--', i + 2)) end = closeOf(xml, '-->', i + 4);
      else if (xml.startsWith('[CDATA[', i + 2)) end = closeOf(xml, ']]>', i + 9);
      else throw new Error('xml: DOCTYPE and markup declarations are not allowed');
    } else if (c === 0x2f /* / */) {
      end = closeOf(xml, '>', i + 2);
      depth--;
    } else {
      // Start tag: find its '>' while skipping quoted attribute values.
      let j = i + 1;
      let quote = 0;
      for (; j < xml.length; j++) {
        const ch = xml.charCodeAt(j);
        if (quote !== 0) {
          if (ch === quote) quote = 0;
        } else if (ch === 0x22 || ch === 0x27) quote = ch;
        else if (ch === 0x3e) break;
      }
      if (j >= xml.length) throw new Error('xml: unterminated start tag');
      if (xml.charCodeAt(j - 1) !== 0x2f /* not self-closing */ && ++depth > MAX_XML_DEPTH) {
        throw new Error(`xml: elements nested deeper than ${MAX_XML_DEPTH} levels`);
      }
      end = j + 1;
    }
    i = xml.indexOf('<', end);
    if (depth <= 0) assertBlank(xml, end, i === -1 ? xml.length : i);
  }
}

/** Only whitespace may appear outside the root element. */
function assertBlank(xml: string, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    if (!isXmlSpace(xml.charCodeAt(k))) throw new Error('xml: text outside the root element');
  }
}

/** Index just past `token` searched from `from`; throws when it is missing. */
function closeOf(xml: string, token: string, from: number): number {
  const at = xml.indexOf(token, from);
  if (at === -1) throw new Error(`xml: missing "${token}"`);
  return at + token.length;
}

function convertDocument(nodes: FxpNode[]): Record<string, unknown> {
  let root: Record<string, unknown> | undefined;
  for (const node of nodes) {
    const name = nodeName(node);
    if (name === '#text') {
      if (trimXmlSpace(node['#text'] as string) !== '') throw new Error('xml: text outside the root element');
      continue;
    }
    if (name === undefined || name === '#cdata') throw new Error('xml: content outside the root element');
    // fast-xml-parser's validator does not catch a second top-level element.
    if (root !== undefined) throw new Error('xml: more than one root element');
    root = {};
    setOwn(root, localName(name), convertElement(node, name, 1));
  }
  if (root === undefined) throw new Error('xml: no root element');
  return root;
}

/** Converts one element into a string (text-only) or a map. */
function convertElement(node: FxpNode, name: string, depth: number): unknown {
  // The prescan already enforces this; kept so the recursion is bounded by
  // construction rather than by a distant invariant.
  if (depth > MAX_XML_DEPTH) throw new Error(`xml: elements nested deeper than ${MAX_XML_DEPTH} levels`);
  let map: Record<string, unknown> | undefined;
  const attrs = node[':@'] as Record<string, string> | undefined;
  if (attrs !== undefined) {
    map = {};
    for (const raw in attrs) {
      map['-' + localName(raw)] = decodeEntities(attrs[raw]);
    }
  }
  let text = '';
  const children = node[name] as FxpNode[];
  for (const child of children) {
    const childName = nodeName(child);
    if (childName === undefined) continue;
    if (childName === '#text') {
      text += decodeEntities(child['#text'] as string);
    } else if (childName === '#cdata') {
      // CDATA content is literal: no entity decoding.
      const parts = child['#cdata'] as FxpNode[];
      for (const p of parts) text += p['#text'] as string;
    } else {
      const key = localName(childName);
      const value = convertElement(child, childName, depth + 1);
      if (map === undefined) map = {};
      if (!Object.hasOwn(map, key)) setOwn(map, key, value);
      else {
        // Element values are never arrays, so an array here is our list.
        const prev = map[key];
        if (Array.isArray(prev)) prev.push(value);
        else setOwn(map, key, [prev, value]);
      }
    }
  }
  text = trimXmlSpace(text);
  if (map === undefined) return text;
  if (text !== '') map['#text'] = text;
  return map;
}

/** The raw tag name of an element node, or '#text' / '#cdata' for content nodes. */
function nodeName(node: FxpNode): string | undefined {
  for (const k in node) {
    if (k !== ':@') return k;
  }
  return undefined;
}

/** Assigns an own property, even for "__proto__" (plain assignment would set the prototype). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else obj[key] = value;
}

/**
 * Go's xml.Decoder splits "prefix:local" at the colon and mxj keeps only the
 * local part; names with several colons, or an empty side, stay whole.
 */
function localName(name: string): string {
  // fast-xml-parser renames "__proto__" to protect plain objects; we store it
  // as an own property instead (see setOwn), so undo the rename.
  if (name === '#__proto__') return '__proto__';
  const colon = name.indexOf(':');
  if (colon <= 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1) return name;
  return name.slice(colon + 1);
}

/** mxj trims exactly these: tab, CR, LF and space (plus backspace, illegal in XML anyway). */
function trimXmlSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isXmlSpace(s.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Decodes the predefined entities and character references; anything else is an error. */
function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1) throw new Error('xml: unterminated entity reference');
    const ref = s.slice(amp + 1, semi);
    let rep: string;
    switch (ref) {
      case 'amp':
        rep = '&';
        break;
      case 'lt':
        rep = '<';
        break;
      case 'gt':
        rep = '>';
        break;
      case 'quot':
        rep = '"';
        break;
      case 'apos':
        rep = "'";
        break;
      default:
        rep = charReference(ref);
    }
    out += s.slice(last, amp) + rep;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

const DECIMAL_REF = /^#[0-9]{1,7}$/;
const HEX_REF = /^#x[0-9a-fA-F]{1,6}$/;

function charReference(ref: string): string {
  let code: number;
  if (DECIMAL_REF.test(ref)) code = parseInt(ref.slice(1), 10);
  else if (HEX_REF.test(ref)) code = parseInt(ref.slice(2), 16);
  else throw new Error(`xml: unknown entity "&${ref.slice(0, 32)};"`);
  const legal =
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  if (!legal) throw new Error(`xml: character reference "&${ref};" is not a legal XML character`);
  return String.fromCodePoint(code);
}
