// The four rules every answer of the public API keeps, whatever it was sent:
// no 5xx (and an answer at all), every error is application/problem+json with a
// status the operation documents, every answer with a documented body matches its
// schema, and nothing takes longer than the route's timeout.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { documentedResponse, type Operation, type Schema } from './openapi.ts';
import type { Answer } from './send.ts';

export const PROPERTIES = [
  'no-5xx',
  'problem-json',
  'documented-status',
  'response-schema',
  'timeout',
] as const;
export type Property = (typeof PROPERTIES)[number];

export interface Violation {
  property: Property;
  /** What a reader needs: the status, the content type, the schema error. */
  message: string;
  /** Two violations with the same key (within an operation) are taken for the same bug. */
  key: string;
}

const mediaType = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

function excerpt(body: Buffer): string {
  const text = body.subarray(0, 300).toString('utf8');
  return body.length > 300 ? `${text}...` : text;
}

function parsed(body: Buffer): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Checks answers against the document their operations come from. */
export class AnswerChecker {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: false, logger: false, validateFormats: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.#ajv, { mode: 'full' });
  }

  #validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(schema);
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /** Every rule `answer` breaks, given the time its route allows. */
  check(operation: Operation, answer: Answer, allowedMs: number): Violation[] {
    const violations: Violation[] = [];
    const late = answer.ms > allowedMs || answer.error?.startsWith('no answer within');
    if (late) {
      violations.push({
        property: 'timeout',
        message: `took ${answer.ms} ms; the route allows ${allowedMs} ms`,
        key: 'late',
      });
    }
    if (answer.status === 0) {
      if (!late)
        violations.push({ property: 'no-5xx', message: `no answer: ${answer.error}`, key: 'no answer' });
      return violations;
    }
    const type = mediaType(answer.headers['content-type']);
    const body = type && isJson(type) ? parsed(answer.body) : {};
    const code = (body.value as { code?: unknown } | undefined)?.code;
    if (answer.status >= 500) {
      violations.push({
        property: 'no-5xx',
        message: `${answer.status} ${type}: ${excerpt(answer.body)}`,
        key: `${answer.status} ${typeof code === 'string' ? code : type}`,
      });
    }
    if (answer.status >= 400) violations.push(...this.#problemViolations(answer, type, body));
    const documented = documentedResponse(operation, answer.status);
    if (!documented) {
      const listed = Object.keys(operation.responses).join(', ');
      violations.push({
        property: 'documented-status',
        message: `${answer.status} is not among the documented responses (${listed})`,
        key: String(answer.status),
      });
      return violations;
    }
    if (documented.content && answer.body.length > 0) {
      violations.push(...this.#schemaViolations(operation, answer, type, body, documented.content));
    }
    return violations;
  }

  #problemViolations(answer: Answer, type: string, body: { value?: unknown; error?: string }): Violation[] {
    const problem = body.value as
      | { type?: unknown; title?: unknown; status?: unknown; code?: unknown }
      | undefined;
    const wellFormed =
      type === 'application/problem+json' &&
      typeof problem?.type === 'string' &&
      typeof problem.title === 'string' &&
      problem.status === answer.status;
    if (wellFormed) return [];
    return [
      {
        property: 'problem-json',
        message: `${answer.status} answered as ${type || 'no content type'}: ${excerpt(answer.body)}`,
        // Fastify's own errors name themselves (FST_ERR_BAD_URL): each is its own cause.
        key: `${answer.status} ${type} ${typeof problem?.code === 'string' ? problem.code : ''}`.trim(),
      },
    ];
  }

  #schemaViolations(
    operation: Operation,
    answer: Answer,
    type: string,
    body: { value?: unknown; error?: string },
    content: Record<string, Schema>,
  ): Violation[] {
    const [family] = type.split('/');
    const documentedType = [type, `${family}/*`, '*/*'].find((candidate) => content[candidate] !== undefined);
    const schema = documentedType ? content[documentedType] : undefined;
    if (!schema) {
      return [
        {
          property: 'response-schema',
          message: `${answer.status} as ${type || 'no content type'}, documented as ${Object.keys(content).join(', ')}`,
          key: `${answer.status} ${type}`,
        },
      ];
    }
    if (!isJson(type)) return [];
    if (body.error) {
      return [
        {
          property: 'response-schema',
          message: `${answer.status} body is not JSON: ${body.error}`,
          key: `${answer.status} not json`,
        },
      ];
    }
    const validate = this.#validator(`${operation.id} ${answer.status} ${documentedType}`, schema);
    if (validate(body.value)) return [];
    const first = validate.errors?.[0];
    const where = (first?.instancePath ?? '').replace(/\/\d+(?=\/|$)/g, '/*') || '(root)';
    return [
      {
        property: 'response-schema',
        message: `${answer.status} body at ${where} ${first?.message ?? 'does not match'} (${first?.keyword}): ${excerpt(answer.body)}`,
        key: `${answer.status} ${where} ${first?.keyword}`,
      },
    ];
  }
}
