// XML encoding entry point: mxj-compatible decoding (backend `encoding: xml`)
// and encoding (`output_encoding: xml`). Each direction lives in its own
// module; see them for the exact conventions.

export { decodeXml, MAX_XML_DEPTH } from './xml-decode.js';
export { encodeXml, escapeXml, xmlName } from './xml-encode.js';
