// The layers of src/, bottom first: a folder may import only folders of a lower layer.
// Read by eslint.config.mjs (no-restricted-imports per folder) and test/unit/layering.test.ts
// (which also catches type-only and dynamic imports, and new folders without a layer).
export const LAYERS = [
  ['core'],
  ['tls', 'shaping', 'encoding', 'net', 'template'],
  ['config'],
  ['observability'],
  ['router', 'proxy', 'data-protection', 'modifiers', 'scripting'],
  ['ratelimit'],
  ['components'],
  ['pipeline'],
  ['server'],
  ['audit', 'surface', 'release', 'openapi-export', 'migrate'],
  ['cli.ts', 'undici-pool.d.ts'],
];

/** ESLint blocks: in each folder, importing a folder of the same or a higher layer is an error. */
export function layerRules() {
  const blocks = [];
  LAYERS.forEach((names, i) => {
    const above = LAYERS.slice(i)
      .flat()
      .filter((n) => !n.endsWith('.ts'));
    for (const folder of names) {
      if (folder.endsWith('.ts')) continue;
      const banned = above.filter((n) => n !== folder);
      if (banned.length === 0) continue;
      blocks.push({
        files: [`src/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  group: banned.map((n) => `**/${n}/*`),
                  message: `src/${folder} may only import lower layers (scripts/layers.mjs, README "Architecture as built")`,
                },
              ],
            },
          ],
        },
      });
    }
  });
  return blocks;
}
