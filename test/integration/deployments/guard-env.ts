/** Scheduler settings the CDK stack gives the deployment guard; local AWS has the `default` group. */
export const GUARD_ENV = {
  MESHWARDEN_SCHEDULE_GROUP: 'default',
  MESHWARDEN_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/meshwarden-scheduler',
};
