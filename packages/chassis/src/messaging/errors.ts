import { defineProblem } from '../errors.ts';

export const DeadLetterNotFound = defineProblem({
  code: 'DEAD_LETTER_NOT_FOUND',
  status: 404,
  title: 'Dead letter not found',
});
export const DeadLetterSettled = defineProblem({
  code: 'DEAD_LETTER_SETTLED',
  status: 409,
  title: 'Dead letter was already replayed or discarded',
});
export const ReplayFailed = defineProblem({
  code: 'REPLAY_FAILED',
  status: 409,
  title: 'The handler failed again',
});
export const UnknownConsumerGroup = defineProblem({
  code: 'UNKNOWN_CONSUMER_GROUP',
  status: 409,
  title: 'This service does not run that consumer group',
});
