import { defineProblem } from '@platform/chassis';

export const EmailTaken = defineProblem({
  code: 'EMAIL_TAKEN',
  status: 409,
  title: 'An account with this email exists',
});
export const PasswordRejected = defineProblem({
  code: 'PASSWORD_REJECTED',
  status: 422,
  title: 'Password rejected',
});
export const InvalidCredentials = defineProblem({
  code: 'INVALID_CREDENTIALS',
  status: 401,
  title: 'Wrong email or password',
});
export const TooManyAttempts = defineProblem({
  code: 'TOO_MANY_ATTEMPTS',
  status: 429,
  title: 'Too many failed sign-ins',
});
export const InvalidRefreshToken = defineProblem({
  code: 'INVALID_REFRESH_TOKEN',
  status: 401,
  title: 'Refresh token is invalid, used or expired',
});
export const InvalidClient = defineProblem({
  code: 'INVALID_CLIENT',
  status: 401,
  title: 'Unknown client or wrong secret',
});
export const UserNotFound = defineProblem({ code: 'USER_NOT_FOUND', status: 404, title: 'User not found' });
