// Body generator engine (no pipeline dependency). The adapter:
//   startup:  const g = compileBodyGenerator(cfg['modifier/request-body-generator'], pointer)
//   request:  body = g.render(requestTemplateData({...})); content-type = g.contentType
//   response: body = g.render(responseTemplateData({...}, request)); content-type = g.contentType
//   TemplateRunError from render -> 500 (nothing of the template or data reaches the client).
export { compileBodyGenerator, type CompiledBodyGenerator, type BodyGeneratorOptions } from './compile-body-generator.js';
export { requestTemplateData, responseTemplateData, canonicalHeader, type RequestTemplateInput, type ResponseTemplateInput } from './template-data.js';
export { TemplateRunError } from './template-funcs.js';
export { BODY_GENERATOR_SCHEMA } from './schema.js';
