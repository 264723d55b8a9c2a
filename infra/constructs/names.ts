/**
 * Physical names meshwarden gives its AWS resources, in one module: the stacks create them,
 * and functions, the CLI and member accounts find them by these names.
 */

/**
 * Every function's IAM role is named `meshwarden-fn-<function>`. The loop guard recognises
 * meshwarden's own App Mesh writes by the role behind the CloudTrail session, so the name is
 * fixed and predictable instead of CloudFormation-generated.
 */
export const MESHWARDEN_ROLE_NAME_PREFIX = 'meshwarden-fn-';

/** The role meshwarden assumes in a member account to read and write the meshes there. */
export const MEMBER_ACCOUNT_ROLE_NAME = 'meshwarden-member-access';

/** meshwarden's own event bus, where decisions are published and member accounts forward to. */
export const EVENT_BUS_NAME = 'meshwarden';

/** The EventBridge Scheduler group that holds the steps of progressive deployments. */
export const SCHEDULE_GROUP_NAME = 'meshwarden-deployments';

/** Secrets Manager names of the Slack credentials (values are set by the operator after deploy). */
/**
 * The one Slack secret: JSON `{signingSecret, botToken, previousSigningSecret?,
 * previousSigningSecretValidUntil?}`, so a signing-secret rotation is one secret version.
 * The local runtime provisions the same name.
 */
export const SLACK_SECRET_NAME = 'meshwarden/slack';

/** Secrets Manager name prefix under which rotated certificates and keys are delivered. */
export const CERTIFICATE_SECRET_PREFIX = 'meshwarden/certificates/';

/** Environment variable telling a function the role ARNs whose writes are meshwarden's own. */
export const SELF_ROLE_ARNS_ENV = 'MESHWARDEN_SELF_ROLE_ARNS';

/** Environment variables telling the console page which OIDC issuer and client id to sign in with. */
export const OIDC_ISSUER_ENV = 'MESHWARDEN_OIDC_ISSUER';
export const OIDC_CLIENT_ID_ENV = 'MESHWARDEN_OIDC_CLIENT_ID';

/** IAM role names are at most 64 characters. */
const MAX_ROLE_NAME = 64;

/** `mesh-change` -> `meshwarden-fn-mesh-change`. */
export function functionRoleName(functionName: string): string {
  const name = `${MESHWARDEN_ROLE_NAME_PREFIX}${functionName}`;
  if (name.length > MAX_ROLE_NAME) {
    throw new Error(
      `Role name ${name} is longer than ${MAX_ROLE_NAME} characters; shorten the function name`,
    );
  }
  return name;
}

/** `mesh-change` -> `meshwarden-mesh-change`, the deployed Lambda function's name. */
export function deployedFunctionName(functionName: string): string {
  return `meshwarden-${functionName}`;
}

/** `mesh-inventory` -> `MeshInventory`, for construct ids. */
export function pascalCase(kebab: string): string {
  return kebab
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => (part[0] ?? '').toUpperCase() + part.slice(1))
    .join('');
}
