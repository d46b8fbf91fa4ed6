import { defineProblem } from '@platform/chassis';

/** The platform answered a page's essential call with a failure of its own. */
export const PlatformTrouble = defineProblem({
  code: 'PLATFORM_TROUBLE',
  status: 503,
  title: 'The shop cannot show this page just now',
});
/**
 * The platform no longer takes the shopper's sign-in (their session was revoked, or
 * identity's keys changed): they are asked to sign in again, not told the shop is down.
 */
export const SignInAgain = defineProblem({
  code: 'SIGN_IN_AGAIN',
  status: 401,
  title: 'Please sign in again',
});
/** No such page, product, category or order (or not the shopper's). */
export const PageNotFound = defineProblem({ code: 'PAGE_NOT_FOUND', status: 404, title: 'Page not found' });
/** A form posted from elsewhere, or with a token of another session. */
export const FormRefused = defineProblem({
  code: 'FORM_REFUSED',
  status: 403,
  title: 'This form was not sent from this shop',
});
