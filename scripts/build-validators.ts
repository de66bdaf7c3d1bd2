// Build step (npm run build / prepare): compiles every config schema into standalone validator
// code with ajv, so `rampart run` does not pay for schema compilation at start-up. One file per
// schema (dist/config/validators/), so a start also parses only the validators its config uses.
// CommonJS output: ajv's standalone code requires its runtime helpers.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, schemaHash, validatorFile } from '../src/config/validate.js';
import { schemaTable } from '../src/components/load-config.js';

const Ajv = AjvModule.default ?? AjvModule;
type Standalone = (ajv: InstanceType<typeof Ajv>, refs: Record<string, string>) => string;
const standaloneCode = ((standaloneModule as unknown as { default?: Standalone }).default ?? standaloneModule) as unknown as Standalone;
const table = schemaTable();
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
for (const [key, schema] of table) {
  // A deep copy per key: ajv's standalone output declares a shared sub-schema object's function
  // twice when it is reached from two top-level schemas (a SyntaxError at load).
  ajv.addSchema(JSON.parse(JSON.stringify(schema)) as object, `rampart:${key}`);
}
const configDir = fileURLToPath(new URL('../dist/config/', import.meta.url));
// The single file earlier builds wrote, and validators of schemas that no longer exist.
rmSync(configDir + 'validators.generated.cjs', { force: true });
rmSync(configDir + 'validators', { recursive: true, force: true });
mkdirSync(configDir + 'validators', { recursive: true });
const requireBuilt = createRequire(configDir);
for (const [key, schema] of table) {
  let code = standaloneCode(ajv, { validate: `rampart:${key}` });
  code += `\nexports.SCHEMA_HASH = ${JSON.stringify(schemaHash(schema))};\n`;
  writeFileSync(configDir + validatorFile(key), code);
  // Fail the build, not the start-up, if a generated module does not load.
  requireBuilt(configDir + validatorFile(key));
}
process.stdout.write(`wrote ${table.length} validators to dist/config/validators/\n`);
