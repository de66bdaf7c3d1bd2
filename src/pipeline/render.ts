// Output encodings: the merged data rendered once, with its Content-Type.
import type { OutputEncoding } from '../config/types.js';
import { stringifyGo } from '../encoding/json-go.js';
import { encodeXml } from '../encoding/xml.js';
import { encodeYaml } from '../encoding/yaml.js';
import type { Data } from './types.js';

export interface Rendered {
  contentType: string;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const renderJson = (d: Data): Rendered => ({ contentType: JSON_TYPE, body: stringifyGo(d) });
const renderXml = (d: Data): Rendered => ({ contentType: 'application/xml', body: encodeXml(d) });
const renderYaml = (d: Data): Rendered => ({ contentType: 'application/yaml; charset=utf-8', body: encodeYaml(d) });

export type Renderer = (data: Data, accept: string | undefined) => Rendered;

/** `negotiate`: XML for application/xml, YAML for text/plain or YAML types, JSON otherwise. */
function negotiate(data: Data, accept: string | undefined): Rendered {
  if (accept) {
    const a = accept.toLowerCase();
    const first = a.split(',')[0].trim();
    if (first.startsWith('application/xml') || first.startsWith('text/xml')) return renderXml(data);
    if (first.startsWith('text/plain') || first.includes('yaml')) return renderYaml(data);
  }
  return renderJson(data);
}

export function compileRenderer(encoding: OutputEncoding): Renderer {
  switch (encoding) {
    case 'json-collection':
      return (d) => ({ contentType: JSON_TYPE, body: stringifyGo(Array.isArray(d.collection) ? d.collection : []) });
    case 'string':
      return (d) => ({ contentType: 'text/plain; charset=utf-8', body: typeof d.content === 'string' ? d.content : '' });
    case 'xml':
      return renderXml;
    case 'yaml':
      return renderYaml;
    case 'negotiate':
      return negotiate;
    default:
      return renderJson;
  }
}
