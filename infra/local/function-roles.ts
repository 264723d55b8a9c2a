import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployedFunctionName, functionRoleName } from '../constructs/names';
import type { FunctionDefinition } from '../function-catalog';
import { type LocalPlacement, resolveIntrinsics, type TemplateResource } from './iam/intrinsics';
import { LOCAL_AUDIENCE } from './oidc/issuer';

/**
 * Each function's IAM role as the CDK stack deploys it: the stack is synthesized in this
 * process with the local configuration, each function role's policies are read from the
 * template and their intrinsics resolved to local ARNs. Local functions then sign as these
 * roles, so a grant the stack lacks fails locally exactly as it would in AWS.
 */

export interface FunctionRole {
  /** The catalog name, e.g. `deployment-guard`. */
  readonly functionName: string;
  /** `meshwarden-fn-<function>`, as the stack names it. */
  readonly roleName: string;
  /** Lambda's session name for the role: the deployed function's name. */
  readonly sessionName: string;
  /** The role's policy documents, resolved to plain JSON. */
  readonly policies: readonly unknown[];
}

/** What the stack is synthesized with, locally. */
export interface LocalStackInputs {
  readonly region: string;
  readonly account: string;
  readonly meshes: readonly string[];
  readonly policyFile: string;
  readonly functions: readonly FunctionDefinition[];
  readonly certificateAuthorityArns: readonly string[];
  /** The state table's local name (the stack lets CloudFormation name it). */
  readonly tableName: string;
  /** Member accounts and the meshes governed there (`meshwarden:memberAccounts`). */
  readonly memberAccounts?: readonly { readonly account: string; readonly meshes: readonly string[] }[];
}

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** What the roles are built from: the stack, its constructs, the catalog, and the shared code they import. */
const SOURCES = [
  'infra/stacks',
  'infra/constructs',
  'infra/function-catalog.ts',
  'infra/bundling.ts',
  // How the stack is synthesized here (the configuration it is given) shapes its roles too.
  'infra/local/function-roles.ts',
  'shared',
];
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'meshwarden-function-roles');

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  try {
    return readdirSync(full, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => relative(ROOT, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [path];
  }
}

/** A key that changes whenever the sources, the CDK version or the inputs change. */
function cacheKey(inputs: LocalStackInputs): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap(filesUnder)) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  }
  hash.update(readFileSync(join(ROOT, 'package-lock.json')));
  hash.update(readFileSync(inputs.policyFile));
  hash.update(JSON.stringify(inputs));
  return hash.digest('hex').slice(0, 32);
}

/** The roles, and the environment the stack gives the functions where local AWS must agree with it. */
export interface LocalStack {
  readonly roles: readonly FunctionRole[];
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Function environment variables that name a stack resource the functions hand to AWS (the
 * Scheduler's role, which the guard passes with iam:PassRole): locally they take the value
 * the template gives them, resolved, so the role a function passes is the one it may pass.
 */
const STACK_ENVIRONMENT = [
  'MESHWARDEN_SCHEDULE_GROUP',
  'MESHWARDEN_SCHEDULER_ROLE_ARN',
  'MESHWARDEN_SCHEDULER_DLQ_ARN',
] as const;

const LOCAL_ISSUER_STAND_IN = 'https://oidc.meshwarden.local';

const memory = new Map<string, Promise<LocalStack>>();

/**
 * The function roles (and stack-named environment) of the stack synthesized with `inputs`. Synthesis takes a few seconds,
 * so the result is kept in memory and on disk (`node_modules/.cache`), keyed by a hash of
 * the infrastructure sources and the inputs.
 */
export async function localStackOf(inputs: LocalStackInputs): Promise<LocalStack> {
  // The stack copies each configured CA ARN verbatim into policies and environment, and local
  // CAs get a fresh id every run: synthesize with stand-ins (one per CA, so the cache is hit
  // whatever the ids) and put the real ARNs in their place.
  const standIns = inputs.certificateAuthorityArns.map(
    (_, i) =>
      `arn:aws:acm-pca:${inputs.region}:${inputs.account}:certificate-authority/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
  const synthInputs = { ...inputs, certificateAuthorityArns: standIns };
  const key = cacheKey(synthInputs);
  let stack = memory.get(key);
  if (stack === undefined) {
    stack = loadOrSynthesize(key, synthInputs);
    memory.set(key, stack);
    stack.catch(() => memory.delete(key));
  }
  let json = JSON.stringify(await stack);
  standIns.forEach((standIn, i) => {
    json = json.replaceAll(standIn, inputs.certificateAuthorityArns[i] as string);
  });
  return JSON.parse(json) as LocalStack;
}

async function loadOrSynthesize(key: string, inputs: LocalStackInputs): Promise<LocalStack> {
  const file = join(CACHE_DIR, `${key}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalStack;
  } catch {
    // Not cached yet (or unreadable): synthesize.
  }
  const template = await synthesize(inputs);
  const stack: LocalStack = {
    roles: rolesFromTemplate(template, inputs),
    environment: stackEnvironmentOf(template, inputs),
  };
  mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(stack));
  renameSync(partial, file);
  return stack;
}

/** The values the template gives the functions for the variables local AWS takes from it. */
export function stackEnvironmentOf(
  template: { Resources: Record<string, TemplateResource> },
  inputs: Pick<LocalStackInputs, 'region' | 'account' | 'tableName'>,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const fn of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
    const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    for (const name of STACK_ENVIRONMENT) {
      if (variables?.[name] === undefined) continue;
      environment[name] = String(resolveIntrinsics(variables[name], template.Resources, placementOf(inputs)));
    }
  }
  return environment;
}

function placementOf(inputs: Pick<LocalStackInputs, 'region' | 'account' | 'tableName'>): LocalPlacement {
  return {
    region: inputs.region,
    account: inputs.account,
    physicalNames: { 'AWS::DynamoDB::Table': inputs.tableName },
  };
}

/** Synthesize the central stack without bundling, as `cdk synth` would for these inputs. */
async function synthesize(
  inputs: LocalStackInputs,
): Promise<{ Resources: Record<string, TemplateResource> }> {
  const { App } = await import('aws-cdk-lib');
  const { MeshwardenStack } = await import('../stacks/meshwarden-stack');
  const { meshwardenConfigSchema } = await import('../stacks/meshwarden-config');
  const outdir = mkdtempSync(join(tmpdir(), 'meshwarden-local-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const config = meshwardenConfigSchema.parse({
      account: inputs.account,
      region: inputs.region,
      meshes: inputs.meshes,
      policyFile: inputs.policyFile,
      certificateAuthorityArns: inputs.certificateAuthorityArns,
      memberAccounts: inputs.memberAccounts ?? [],
      // The stack deploys the HTTP API's function (and its role) only with an OIDC issuer. Local
      // AWS verifies tokens of its own issuer, whose URL changes every run; the issuer is in no
      // role's policy, so a fixed stand-in synthesizes the same roles.
      oidcIssuer: LOCAL_ISSUER_STAND_IN,
      oidcAudience: [LOCAL_AUDIENCE],
    });
    const stack = new MeshwardenStack(app, 'Meshwarden', {
      config,
      functions: inputs.functions,
      env: { account: inputs.account, region: inputs.region },
    });
    return app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, TemplateResource>;
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Each catalog function's role and the resolved documents of every policy attached to it. */
export function rolesFromTemplate(
  template: { Resources: Record<string, TemplateResource> },
  inputs: Pick<LocalStackInputs, 'region' | 'account' | 'functions' | 'tableName'>,
): FunctionRole[] {
  const resources = template.Resources;
  const placement = placementOf(inputs);
  return inputs.functions.map((definition) => {
    const roleName = functionRoleName(definition.name);
    const roleEntry = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === roleName,
    );
    if (roleEntry === undefined) throw new Error(`The synthesized stack has no role ${roleName}`);
    const [roleId, role] = roleEntry;
    if (role.Properties?.ManagedPolicyArns !== undefined) {
      throw new Error(`${roleName} has managed policies, which local AWS cannot read`);
    }
    const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map(
      (p) => p.PolicyDocument,
    );
    const attached = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) =>
        ((r.Properties?.Roles ?? []) as unknown[]).some(
          (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
        ),
      )
      .map((r) => r.Properties?.PolicyDocument);
    return {
      functionName: definition.name,
      roleName,
      sessionName: deployedFunctionName(definition.name),
      policies: [...inline, ...attached].map((doc) => resolveIntrinsics(doc, resources, placement)),
    };
  });
}
