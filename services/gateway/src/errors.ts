import { defineProblem } from '@platform/chassis';

export const TooManyRequests = defineProblem({
  code: 'RATE_LIMITED',
  status: 429,
  title: 'Too many requests',
});

export const UnknownService = defineProblem({
  code: 'UNKNOWN_SERVICE',
  status: 404,
  title: 'No such service, or no instance of it is running',
});

export const PathNotCanonical = defineProblem({
  code: 'PATH_NOT_CANONICAL',
  status: 400,
  title: 'The path is not in canonical form',
});

export const CorsRefused = defineProblem({
  code: 'CORS_REFUSED',
  status: 403,
  title: 'This cross-origin request is not allowed',
});

/** The catalog's answer for a product that is not there, as the storefront's product page gives it. */
export const ProductNotFound = defineProblem({
  code: 'PRODUCT_NOT_FOUND',
  status: 404,
  title: 'Product not found',
});

export const VersionNotRunning = defineProblem({
  code: 'VERSION_NOT_RUNNING',
  status: 422,
  title: 'No instance of the service runs this version',
});

export const ReleaseInvalid = defineProblem({
  code: 'RELEASE_INVALID',
  status: 422,
  title: 'The release cannot be made as asked',
});

export const ReleaseInProgress = defineProblem({
  code: 'RELEASE_IN_PROGRESS',
  status: 409,
  title: 'A canary of this service is still running: roll it back or let it finish first',
});

export const NoRelease = defineProblem({
  code: 'NO_RELEASE',
  status: 404,
  title: 'This service has no release of that kind',
});

export const SmokeCheckFailed = defineProblem({
  code: 'SMOKE_CHECK_FAILED',
  status: 409,
  title: 'The colour did not pass its smoke check; traffic stays where it is',
});
