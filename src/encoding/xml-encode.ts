// Map -> XML encoding following Go's mxj `Map.Xml()` as KrakenD's xml
// output encoding calls it (mxj v2 with XMLEscapeChars(true)):
//   - root: a map with exactly one key uses that key as the root element
//     (`{"a":"x"}` -> `<a>x</a>`); anything else is wrapped in `<doc>`;
//   - child elements are written in sorted key order (Go byte order);
//   - "-name" keys become attributes of the enclosing element (sorted),
//     "#text" becomes its text, written before any child element;
//   - arrays repeat the element once per item (nested arrays flatten);
//     an empty array, an empty map, null and "" give a self-closed `<x/>`;
//   - numbers and booleans are written with String(); text and attribute
//     values escape & < > " ' as entities;
//   - no prolog, no whitespace.
// Where mxj would emit broken XML we do not:
//   - a single top-level key holding an array of two or more items would
//     make several root elements, so it is wrapped in `<doc>` instead;
//   - keys that are not XML names have each offending character replaced
//     by "_" ("1st item" -> "_st_item", "" -> "_"); a colon is kept only as
//     a single "prefix:local" separator; if that makes two attributes of one
//     element share a name, the first in key order is kept;
//   - characters XML cannot carry at all (most C0 controls, lone
//     surrogates, U+FFFE/U+FFFF) become U+FFFD, like Go's xml.EscapeText.
// Like mxj, an attribute value that is not a string, number or boolean is an
// error (thrown as TypeError), and so is a non-scalar "#text".

import { sortGoKeys } from './go-order.js';

/** Nesting bound: protects the stack from cyclic or absurdly deep values. */
const MAX_DEPTH = 1000;

const ROOT = 'doc';

/** Encodes a map as an XML document string, mxj style. */
export function encodeXml(data: Record<string, unknown>): string {
  const keys = presentKeys(data);
  if (keys.length === 1) {
    const key = keys[0];
    const value = data[key];
    if (!isAttrKey(key) && key !== '#text' && !(Array.isArray(value) && rootNeedsDoc(value))) {
      return element(key, value, 0);
    }
  }
  return element(ROOT, data, 0);
}

/** mxj falls back to <doc> for lists holding non-maps; we also do so for lists that would make several roots. */
function rootNeedsDoc(list: unknown[]): boolean {
  return list.length > 1 || (list.length === 1 && !isMap(list[0]));
}

function element(name: string, value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) {
    throw new TypeError(`xml: value nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
  }
  const tag = xmlName(name);
  switch (typeof value) {
    case 'string':
      return value === '' ? '<' + tag + '/>' : '<' + tag + '>' + escapeXml(value) + '</' + tag + '>';
    case 'number':
    case 'boolean':
    case 'bigint':
      return '<' + tag + '>' + scalarText(value) + '</' + tag + '>';
    case 'object':
      if (value === null) return '<' + tag + '/>';
      if (Array.isArray(value)) {
        if (value.length === 0) return '<' + tag + '/>';
        let out = '';
        for (const item of value) out += element(name, item, depth + 1);
        return out;
      }
      return mapElement(tag, toPlain(value), depth);
    default:
      // undefined and friends: no value, like null.
      return '<' + tag + '/>';
  }
}

function mapElement(tag: string, map: Record<string, unknown>, depth: number): string {
  const keys = sortGoKeys(presentKeys(map));
  let open = '<' + tag;
  let children = '';
  let hasText = false;
  let text = '';
  let renamed = false; // once a name was sanitized, duplicates become possible
  for (const key of keys) {
    const v = map[key];
    if (isAttrKey(key)) {
      const raw = key.slice(1);
      const name = xmlName(raw);
      if (name !== raw) renamed = true;
      // A repeated attribute is a well-formedness error: first one wins.
      // Values are escaped, so ` name="` can only be an attribute start.
      if (renamed && open.includes(' ' + name + '="')) continue;
      open += ' ' + name + '="' + attrValue(key, v) + '"';
    } else if (key === '#text') {
      hasText = true;
      text = textValue(v);
    } else {
      children += element(key, v, depth + 1);
    }
  }
  // Only attributes (or nothing at all): mxj self-closes the element. Every
  // child key yields output (even `<x/>`), so empty `children` means none.
  if (!hasText && children === '') return open + '/>';
  return open + '>' + text + children + '</' + tag + '>';
}

/** Keys whose value is present; undefined values are skipped like in JSON. */
function presentKeys(map: Record<string, unknown>): string[] {
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    if (map[keys[i]] === undefined) return keys.filter((k) => map[k] !== undefined);
  }
  return keys;
}

/** mxj: a key is an attribute when it starts with "-" and has a name after it. */
function isAttrKey(key: string): boolean {
  return key.length > 1 && key.charCodeAt(0) === 0x2d;
}

function attrValue(key: string, v: unknown): string {
  switch (typeof v) {
    case 'string':
      return escapeXml(v);
    case 'number':
    case 'boolean':
    case 'bigint':
      return scalarText(v);
    default:
      throw new TypeError(`xml: invalid attribute value for ${JSON.stringify(key)}: must be a string, number or boolean`);
  }
}

function textValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return escapeXml(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return scalarText(v);
  throw new TypeError('xml: "#text" must be a string, number or boolean');
}

/** Go's %v for numbers and booleans (json.Number values print verbatim). */
function scalarText(v: number | boolean | bigint): string {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return v !== v ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  }
  return String(v);
}

function isMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects with toJSON (Date...) are encoded as what they serialize to in JSON. */
function toPlain(o: object): Record<string, unknown> {
  const toJSON = (o as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return o as Record<string, unknown>;
  const v: unknown = toJSON.call(o);
  return isMap(v) ? (v as Record<string, unknown>) : { '#text': v };
}

// ---------------------------------------------------------------- escaping

// Characters that need work: the five markup characters plus characters not
// allowed in XML 1.0 at all. With the `u` flag the surrogate class only
// matches unpaired surrogates.
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/u;
const ESCAPE_ALL = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udfff]/gu;

function escapeChar(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    case "'":
      return '&apos;';
    default:
      return '\ufffd';
  }
}

/** Escapes text or attribute content (same entities mxj's escapeChars uses). */
export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, escapeChar) : s;
}

// ------------------------------------------------------------------- names

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Returns `key` as a usable XML element/attribute name: characters that are
 * not allowed (per the XML 1.0 Name production) become "_". A colon is a
 * legal name character but means "namespace prefix" to every namespace-aware
 * parser, so it survives only as one "prefix:local" separator.
 */
export function xmlName(key: string): string {
  if (SIMPLE_NAME.test(key)) return key;
  if (key === '') return '_';
  const colon = key.indexOf(':');
  const keepColon = colon > 0 && colon < key.length - 1 && key.indexOf(':', colon + 1) === -1;
  let out = '';
  let first = true;
  let afterColon = false;
  for (const ch of key) {
    const cp = ch.codePointAt(0) as number;
    if (ch === ':') {
      out += keepColon ? ':' : '_';
      afterColon = keepColon;
      continue;
    }
    // The first character of the name, and of the local part after a kept
    // colon, must be a NameStartChar.
    const ok = first || afterColon ? isNameStartChar(cp) : isNameChar(cp);
    out += ok ? ch : '_';
    first = false;
    afterColon = false;
  }
  return out;
}

function isNameStartChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    c === 0x5f ||
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

function isNameChar(c: number): boolean {
  return isNameStartChar(c) || c === 0x2d || c === 0x2e || (c >= 0x30 && c <= 0x39) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}
