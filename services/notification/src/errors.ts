import { defineProblem } from '@platform/chassis';

export const MailboxNotConfigured = defineProblem({
  code: 'MAILBOX_NOT_CONFIGURED',
  status: 404,
  title: 'There is no mailbox to read',
});
export const MailboxUnavailable = defineProblem({
  code: 'MAILBOX_UNAVAILABLE',
  status: 502,
  title: 'The mail sink did not answer',
});
