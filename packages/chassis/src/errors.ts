/**
 * Domain errors with a stable code and HTTP status. The chassis turns any
 * `ProblemError` thrown from a route into an RFC 9457 `application/problem+json`
 * response; services declare theirs once, in their own `errors.ts`.
 */
export interface ProblemSpec {
  /** Stable machine-readable code, e.g. `PRODUCT_NOT_FOUND`. */
  readonly code: string;
  readonly status: number;
  /** Short human summary that does not change between occurrences. */
  readonly title: string;
}

export class ProblemError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    spec: ProblemSpec,
    detail?: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail ?? spec.title, { cause: options.cause });
    this.name = 'ProblemError';
    this.code = spec.code;
    this.status = spec.status;
    this.title = spec.title;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** Declares a problem kind once; `new Kind(detail)` throws an instance of it. */
export function defineProblem(spec: ProblemSpec) {
  // The static members make the class itself a ProblemSpec, so a route can list it
  // in `config.errors` for its OpenAPI document.
  return class extends ProblemError {
    static readonly code = spec.code;
    static readonly status = spec.status;
    static readonly title = spec.title;
    constructor(
      detail?: string,
      options?: { extensions?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown },
    ) {
      super(spec, detail, options);
    }
  };
}

/** `urn:problem:product-not-found` for `PRODUCT_NOT_FOUND`. */
export function problemType(code: string): string {
  return `urn:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

// The chassis's own problems, raised for requests no route accepted.
export const ValidationFailed = defineProblem({
  code: 'VALIDATION_FAILED',
  status: 400,
  title: 'Request is invalid',
});
export const MalformedBody = defineProblem({
  code: 'MALFORMED_BODY',
  status: 400,
  title: 'Request body is malformed',
});
export const RouteNotFound = defineProblem({ code: 'NOT_FOUND', status: 404, title: 'Resource not found' });
export const MethodNotAllowed = defineProblem({
  code: 'METHOD_NOT_ALLOWED',
  status: 405,
  title: 'Method not allowed',
});
export const PreconditionFailed = defineProblem({
  code: 'PRECONDITION_FAILED',
  status: 412,
  title: 'Precondition failed',
});
export const PreconditionRequired = defineProblem({
  code: 'PRECONDITION_REQUIRED',
  status: 428,
  title: 'Send If-Match with the ETag you last read',
});
export const PayloadTooLarge = defineProblem({
  code: 'PAYLOAD_TOO_LARGE',
  status: 413,
  title: 'Request body is too large',
});
export const UnsupportedMediaType = defineProblem({
  code: 'UNSUPPORTED_MEDIA_TYPE',
  status: 415,
  title: 'Unsupported media type',
});
export const InternalError = defineProblem({ code: 'INTERNAL', status: 500, title: 'Internal server error' });
export const BadGateway = defineProblem({ code: 'BAD_GATEWAY', status: 502, title: 'Upstream unavailable' });
export const ServiceUnavailable = defineProblem({
  code: 'UNAVAILABLE',
  status: 503,
  title: 'Service unavailable',
});
export const GatewayTimeout = defineProblem({
  code: 'GATEWAY_TIMEOUT',
  status: 504,
  title: 'Upstream timed out',
});
export const DeadlineExceeded = defineProblem({
  code: 'DEADLINE_EXCEEDED',
  status: 504,
  title: "The caller's deadline has passed",
});

// Problems of requests that are not well-formed HTTP, answered before any route runs
// (server-errors.ts), and of methods this server implements nowhere.
export const MalformedRequest = defineProblem({
  code: 'MALFORMED_REQUEST',
  status: 400,
  title: 'Request is not well-formed HTTP',
});
export const RequestTimeout = defineProblem({
  code: 'REQUEST_TIMEOUT',
  status: 408,
  title: 'The request was not received in time',
});
export const UriTooLong = defineProblem({
  code: 'URI_TOO_LONG',
  status: 414,
  title: 'Request target is too long',
});
export const ExpectationFailed = defineProblem({
  code: 'EXPECTATION_FAILED',
  status: 417,
  title: 'Expectation not supported',
});
export const HeadersTooLarge = defineProblem({
  code: 'HEADERS_TOO_LARGE',
  status: 431,
  title: 'Request line or headers are too large',
});
export const NotImplemented = defineProblem({
  code: 'NOT_IMPLEMENTED',
  status: 501,
  title: 'Method not implemented',
});
