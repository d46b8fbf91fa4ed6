import SwaggerParser from '@apidevtools/swagger-parser';

/**
 * The answers a service gave whose status its OpenAPI document does not list for the
 * route, as its `/metrics` counts them (`method route status: count`). A test file
 * that ends with `assert.deepEqual(await undocumentedAnswers(url), [])` proves every
 * answer it saw is documented.
 */
export async function undocumentedAnswers(serviceUrl: string): Promise<string[]> {
  const response = await fetch(`${serviceUrl}/metrics`);
  if (response.status !== 200) throw new Error(`${serviceUrl}/metrics answered ${response.status}`);
  const found: string[] = [];
  for (const line of (await response.text()).split('\n')) {
    const match = /^http_undocumented_responses_total\{(.*)\} (\d+)$/.exec(line);
    if (!match?.[1] || match[2] === '0') continue;
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    found.push(`${labels.method} ${labels.route} ${labels.status}: ${match[2]}`);
  }
  return found;
}

interface Document {
  components?: { securitySchemes?: Record<string, unknown> };
  security?: Array<Record<string, unknown>>;
  paths?: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
}

/**
 * Rejects unless `document` is valid OpenAPI: its schema, every `$ref` resolving, and
 * (which the parser does not check) every security requirement naming a declared scheme.
 */
export async function validateOpenApi(document: unknown): Promise<void> {
  // The parser dereferences in place: give it a copy.
  await SwaggerParser.validate(structuredClone(document) as SwaggerParser['api']);
  const { components, security = [], paths = {} } = document as Document;
  const requirements = [
    ...security,
    ...Object.values(paths).flatMap((path) => Object.values(path).flatMap((op) => op.security ?? [])),
  ];
  for (const name of requirements.flatMap((requirement) => Object.keys(requirement))) {
    if (!components?.securitySchemes?.[name]) throw new Error(`security scheme ${name} is not declared`);
  }
}
