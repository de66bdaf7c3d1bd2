// The reference JMESPath parser (CommonJS, no bundled types). The gateway uses compile(): it
// returns the AST the Rampart interpreter runs (search() is the tests' reference oracle).
declare module 'jmespath' {
  const jmespath: { compile(expression: string): unknown; search(data: unknown, expression: string): unknown };
  export default jmespath;
}
