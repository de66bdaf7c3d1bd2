// Build step (CommonJS output: ajv's standalone code requires its runtime helpers)
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
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const refs: Record<string, string> = {};
for (const [key, schema] of table) {
  const id = `rampart:${key}`;
  // A deep copy per key: ajv's standalone output declares a shared sub-schema object's function
  // twice when it is reached from two top-level schemas (a SyntaxError at import).
  ajv.addSchema(JSON.parse(JSON.stringify(schema)) as object, id);
  refs[exportName(key)] = id;
}
let code = standaloneCode(ajv, refs);
code += `\nexports.SCHEMA_HASH = ${JSON.stringify(schemaHash(table))};\n`;
const out = fileURLToPath(new URL('../dist/config/validators.generated.cjs', import.meta.url));
mkdirSync(fileURLToPath(new URL('../dist/config/', import.meta.url)), { recursive: true });
writeFileSync(out, code);
// Fail the build, not the start-up, if the generated module does not load.
await import(new URL(`file://${out}?check=${Date.now()}`).href);
process.stdout.write(`wrote ${table.length} validators to dist/config/validators.generated.cjs\n`);
