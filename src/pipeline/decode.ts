// Backend `encoding`: turns an upstream body into the data map the merger works on.
import type { Encoding } from '../config/types.js';
import type { Data } from '../core/backend-result.js';

export type Decoder = (text: string) => Data;

// XML support is loaded only by configs that use it (start-up time).
export async function compileDecoder(encoding: Encoding, isCollection: boolean): Promise<Decoder> {
  switch (encoding) {
    case 'string':
      return (text) => ({ content: text });
    case 'xml': {
      const { decodeXml } = await import('../encoding/xml.js');
      return (text) => decodeXml(text);
    }
    case 'rss': {
      const { decodeFeed } = await import('../encoding/rss.js');
      return (text) => decodeFeed(text);
    }
    case 'yaml': {
      const { decodeYaml } = await import('../encoding/yaml-decode.js');
      return (text) => decodeYaml(text);
    }
    case 'safejson':
      return (text) => {
        const v = JSON.parse(text);
        if (Array.isArray(v)) return { collection: v };
        if (v !== null && typeof v === 'object') return v as Data;
        return { content: v };
      };
    default:
      if (isCollection) {
        return (text) => {
          const v = JSON.parse(text);
          if (!Array.isArray(v)) throw new Error('is_collection: the backend did not return a JSON array');
          return { collection: v };
        };
      }
      return (text) => {
        const v = JSON.parse(text);
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the backend did not return a JSON object');
        return v as Data;
      };
  }
}
