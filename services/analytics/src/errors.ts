import { defineProblem } from '@platform/chassis';

export const RebuildInProgress = defineProblem({
  code: 'REBUILD_IN_PROGRESS',
  status: 409,
  title: 'A rebuild of the read models is already running',
});
export const InvalidRange = defineProblem({
  code: 'INVALID_RANGE',
  status: 400,
  title: 'The date range is invalid',
});
