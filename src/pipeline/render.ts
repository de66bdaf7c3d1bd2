// Output encodings: the merged data rendered once, with its Content-Type.
import type { OutputEncoding } from '../config/types.js';
import { encodeGoBytes } from '../encoding/json-go-bytes.js';
import type { Data } from '../core/backend-result.js';

export interface Rendered {
  contentType: string;
  /** JSON as UTF-8 bytes (its length is the Content-Length), other encodings as text. */
  body: string | Buffer;
}

/** The Content-Type of `json` output. */
export const JSON_TYPE = 'application/json; charset=utf-8';
const renderJson = (d: Data): Rendered => ({ contentType: JSON_TYPE, body: encodeGoBytes(d) });
// XML and YAML encoders are loaded only by configs that use them (start-up time).
async function xmlRenderer(): Promise<(d: Data) => Rendered> {
  const { encodeXml } = await import('../encoding/xml.js');
  return (d) => ({ contentType: 'application/xml', body: encodeXml(d) });
}
async function yamlRenderer(): Promise<(d: Data) => Rendered> {
  const { encodeYaml } = await import('../encoding/yaml.js');
  return (d) => ({ contentType: 'application/yaml; charset=utf-8', body: encodeYaml(d) });
}

export type Renderer = (data: Data, accept: string | undefined) => Rendered;

/** `negotiate`: XML for application/xml, YAML for text/plain or YAML types, JSON otherwise. */
async function negotiator(): Promise<Renderer> {
  const renderXml = await xmlRenderer();
  const renderYaml = await yamlRenderer();
  return (data, accept) => {
    if (accept) {
      const first = accept.toLowerCase().split(',')[0].trim();
      if (first.startsWith('application/xml') || first.startsWith('text/xml')) return renderXml(data);
      if (first.startsWith('text/plain') || first.includes('yaml')) return renderYaml(data);
    }
    return renderJson(data);
  };
}

export async function compileRenderer(encoding: OutputEncoding): Promise<Renderer> {
  switch (encoding) {
    case 'json-collection':
      return (d) => ({ contentType: JSON_TYPE, body: encodeGoBytes(Array.isArray(d.collection) ? d.collection : []) });
    case 'string':
      return (d) => ({ contentType: 'text/plain; charset=utf-8', body: typeof d.content === 'string' ? d.content : '' });
    case 'xml':
      return xmlRenderer();
    case 'yaml':
      return yamlRenderer();
    case 'negotiate':
      return negotiator();
    default:
      return renderJson;
  }
}
