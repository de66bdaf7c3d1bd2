// `modifier/jmespath` engine (no pipeline dependency). The adapter:
//   startup:  const j = compileJmespath(cfg['modifier/jmespath'], '/endpoints/0/extra_config/modifier~1jmespath')
//   response: data = wrapResult(runJmespath(j, data))   // throws JmespathRunError -> 500
export { compileJmespath, type CompiledJmespath } from './compile-jmespath.js';
export { runJmespath, wrapResult, toPlainJson, JmespathRunError, type JsonObject } from './run-jmespath.js';
export { JMESPATH_SCHEMA } from './schema.js';
