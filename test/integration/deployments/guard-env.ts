import { SCHEDULE_GROUP_NAME } from '../../../infra/constructs/names';

/** Scheduler settings the CDK stack gives the deployment guard: its own group, the only one its role may write. */
export const GUARD_ENV = {
  MESHWARDEN_SCHEDULE_GROUP: SCHEDULE_GROUP_NAME,
  MESHWARDEN_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/meshwarden-scheduler',
};
