// Build step (npm run build / prepare): compiles every config schema into standalone validator
// code with ajv, so `rampart run` does not pay for schema compilation at start-up.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, exportName, schemaHash, schemaTable } from '../src/config/validate.js';

const Ajv = AjvModule.default ?? AjvModule;
type Standalone = (ajv: InstanceType<typeof Ajv>, refs: Record<string, string>) => string;
const standaloneCode = ((standaloneModule as unknown as { default?: Standalone }).default ?? standaloneModule) as unknown as Standalone;
const table = schemaTable();
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
const refs: Record<string, string> = {};
for (const [key, schema] of table) {
  const id = `rampart:${key}`;
  ajv.addSchema(schema, id);
  refs[exportName(key)] = id;
}
let code = standaloneCode(ajv, refs);
code += `\nexport const SCHEMA_HASH = ${JSON.stringify(schemaHash(table))};\n`;
const out = fileURLToPath(new URL('../dist/config/validators.generated.js', import.meta.url));
mkdirSync(fileURLToPath(new URL('../dist/config/', import.meta.url)), { recursive: true });
writeFileSync(out, code);
process.stdout.write(`wrote ${table.length} validators to dist/config/validators.generated.js\n`);
