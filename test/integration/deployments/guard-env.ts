import { SCHEDULE_GROUP_NAME } from '../../../infra/constructs/names';

/**
 * Scheduler settings the CDK stack gives the deployment guard: its own group, the only one its
 * role may write. (The Scheduler role's ARN comes from the synthesized stack.)
 */
export const GUARD_ENV = {
  MESHWARDEN_SCHEDULE_GROUP: SCHEDULE_GROUP_NAME,
};
