import { defineProblem } from '@platform/chassis';

export const TooManyRequests = defineProblem({
  code: 'RATE_LIMITED',
  status: 429,
  title: 'Too many requests',
});
