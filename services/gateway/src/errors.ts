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
