// The part of an OpenAPI 3.1 document the fuzzer reads: operations, their
// parameters, request bodies and responses, with every local `$ref` resolved so that
// generators and the response validator see plain JSON Schemas.

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), the keywords the fuzzer reads. */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  maxProperties?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
  $ref?: string;
}

export const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
export type Method = Uppercase<(typeof METHODS)[number]>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

export interface DocumentedResponse {
  /** Schemas by media type; absent when the response documents no body. */
  content?: Record<string, Schema>;
}

export interface Operation {
  /** `GET /api/v1/products/{id}`: how reports name it. */
  id: string;
  method: Method;
  /** The path template, `{name}` for each path parameter. */
  path: string;
  parameters: Parameter[];
  body?: { required: boolean; content: Record<string, Schema> };
  /** By status code, `1XX`..`5XX` ranges and `default`, as documented. */
  responses: Record<string, DocumentedResponse>;
}

export interface OpenApiDocument {
  info?: { description?: string };
  paths?: Record<string, Record<string, RawOperation>>;
  components?: Record<string, Record<string, unknown>>;
}

interface RawMedia {
  schema?: Schema;
}
interface RawOperation {
  parameters?: Array<Parameter & { $ref?: string }>;
  requestBody?: { required?: boolean; content?: Record<string, RawMedia>; $ref?: string };
  responses?: Record<string, { content?: Record<string, RawMedia>; $ref?: string }>;
}

/** Follows a local JSON pointer (`#/components/schemas/Money`) inside `document`. */
function pointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported, not ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  if (node === undefined) throw new Error(`unresolvable reference ${ref}`);
  return node;
}

/**
 * A copy of `node` with every `$ref` replaced by what it points to. A reference that
 * leads back into itself (a recursive schema) becomes `{}`, which accepts anything:
 * the fuzzer then does not generate below that depth, and the validator does not check it.
 */
export function dereference<T>(document: unknown, node: T, seen: string[] = []): T {
  if (Array.isArray(node)) return node.map((item) => dereference(document, item, seen)) as T;
  if (node === null || typeof node !== 'object') return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    if (seen.includes(ref)) return {} as T;
    return dereference(document, pointer(document, ref), [...seen, ref]) as T;
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, dereference(document, value, seen)]),
  ) as T;
}

function schemasOf(content: Record<string, RawMedia> | undefined): Record<string, Schema> {
  return Object.fromEntries(Object.entries(content ?? {}).map(([type, media]) => [type, media.schema ?? {}]));
}

/** Every operation of the document, in document order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const resolved = dereference(document, raw);
      const responses: Record<string, DocumentedResponse> = {};
      for (const [status, response] of Object.entries(resolved.responses ?? {})) {
        responses[status] = response.content ? { content: schemasOf(response.content) } : {};
      }
      const upper = method.toUpperCase() as Method;
      operations.push({
        id: `${upper} ${path}`,
        method: upper,
        path,
        parameters: (resolved.parameters ?? []).map((parameter) => ({
          name: parameter.name,
          in: parameter.in,
          required: parameter.required ?? parameter.in === 'path',
          schema: parameter.schema ?? {},
        })),
        ...(resolved.requestBody
          ? {
              body: {
                required: resolved.requestBody.required ?? false,
                content: schemasOf(resolved.requestBody.content),
              },
            }
          : {}),
        responses,
      });
    }
  }
  return operations;
}

/** The documented response for `status`: exact code first, then its range (`4XX`), then `default`. */
export function documentedResponse(operation: Operation, status: number): DocumentedResponse | undefined {
  const { responses } = operation;
  return (
    responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses.default ?? undefined
  );
}
