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
