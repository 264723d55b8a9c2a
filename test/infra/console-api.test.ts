import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionRoleName } from '../../infra/constructs/names';
import { FUNCTIONS } from '../../infra/function-catalog';
import { buildMeshwardenApp } from '../../infra/stacks/build-app';
import { parseConfig } from '../../infra/stacks/meshwarden-config';
import { CONSOLE_API_ROUTE_KEYS, CONSOLE_PAGE_ROUTE_KEYS } from '../../shared/console-api/route-keys';
import { ConfigError } from '../../shared/errors';
import { asArray, type CfnResource, statementsOfRole, testApp } from './support';

const BASE = {
  account: '111111111111',
  region: 'eu-west-1',
  meshes: ['prod'],
  policyFile: 'infra/local/demo/meshwarden.policy.yaml',
};
const ISSUER = 'https://token.actions.githubusercontent.com';

function synth(config: Record<string, unknown>) {
  const app = testApp({}, { bundle: false });
  const built = buildMeshwardenApp(app, { config: parseConfig(config), functions: FUNCTIONS });
  app.synth();
  return built.central;
}

describe('the HTTP API behind the JWT authorizer', () => {
  let template: Template;
  let resources: Record<string, CfnResource>;

  beforeAll(() => {
    template = Template.fromStack(synth({ ...BASE, oidcIssuer: ISSUER, oidcAudience: ['meshwarden'] }));
    resources = template.toJSON().Resources as Record<string, CfnResource>;
  });

  it('creates a JWT authorizer with the configured issuer and audience', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: ['meshwarden'] },
    });
  });

  it('puts every /api/* route behind it, and leaves the Slack callback to its signature', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const api = routes.filter((r) => String(r.Properties?.RouteKey).includes(' /api/'));
    expect(api.map((r) => r.Properties?.RouteKey).sort()).toEqual([...CONSOLE_API_ROUTE_KEYS].sort());
    for (const route of api) {
      expect(route.Properties?.AuthorizationType).toBe('JWT');
      expect(route.Properties?.AuthorizerId).toBeDefined();
    }
    const slack = routes.find((r) => r.Properties?.RouteKey === 'POST /slack/interactions');
    expect(slack?.Properties?.AuthorizationType).toBe('NONE');
  });

  it('serves the console page without the authorizer, and tells the function the issuer and client id', () => {
    const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    const page = routes.filter((r) => !String(r.Properties?.RouteKey).includes(' /api/'));
    expect(page.map((r) => r.Properties?.RouteKey).sort()).toEqual(
      [...CONSOLE_PAGE_ROUTE_KEYS, 'POST /slack/interactions'].sort(),
    );
    for (const route of page) {
      expect(route.Properties?.AuthorizationType).toBe('NONE');
      expect(route.Properties?.AuthorizerId).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.stringLikeRegexp('console-api'),
      Environment: {
        Variables: Match.objectLike({
          MESHWARDEN_OIDC_ISSUER: ISSUER,
          MESHWARDEN_OIDC_CLIENT_ID: 'meshwarden',
          MESHWARDEN_ASSETS_DIR: 'page',
        }),
      },
    });
  });

  it('lets the function query only the audit index, besides the table', () => {
    const ids = Object.keys(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: functionRoleName('console-api') } }),
    );
    expect(ids).toHaveLength(1);
    const statements = statementsOfRole(resources, ids[0] ?? '');
    const onIndex = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/'));
    expect(onIndex).toHaveLength(1);
    expect(asArray(onIndex[0]?.Action)).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(onIndex[0]?.Resource)).toContain('/index/audit-by-time');
    expect(statements.flatMap((s) => asArray(s.Action))).not.toContain('secretsmanager:GetSecretValue');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'audit-by-time',
          KeySchema: [
            { AttributeName: 'auditPk', KeyType: 'HASH' },
            { AttributeName: 'auditSk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });
});

describe('without an OIDC issuer', () => {
  it('leaves out the /api/* routes and the function, and says why at synth', () => {
    // Act
    const stack = synth(BASE);
    const template = Template.fromStack(stack);
    // Assess
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) =>
      String((r as CfnResource).Properties?.RouteKey),
    );
    expect(keys).toEqual(['POST /slack/interactions']);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    expect(
      Object.keys(
        template.findResources('AWS::IAM::Role', {
          Properties: { RoleName: functionRoleName('console-api') },
        }),
      ),
    ).toEqual([]);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('oidcIssuer'));
    expect(warnings.map((w) => String(w.entry.data))).toEqual([
      expect.stringContaining(
        'its /api/* routes and the console page are left out because no OIDC issuer is configured',
      ),
    ]);
  });

  it('refuses an issuer without an audience, and a plain-http issuer', () => {
    expect(() => parseConfig({ ...BASE, oidcIssuer: ISSUER })).toThrow(ConfigError);
    expect(() => parseConfig({ ...BASE, oidcIssuer: ISSUER })).toThrow(
      /oidcAudience: oidcIssuer and oidcAudience go together/,
    );
    expect(() => parseConfig({ ...BASE, oidcIssuer: 'http://idp.example', oidcAudience: ['x'] })).toThrow(
      /oidcIssuer: expected the https URL/,
    );
  });
});

describe('the console-api bundle', () => {
  it('carries the console page next to the handler, where MESHWARDEN_ASSETS_DIR points', () => {
    // Act: a bundled synth of the function alone
    const app = testApp({}, { bundle: true });
    const built = buildMeshwardenApp(app, {
      config: parseConfig({ ...BASE, oidcIssuer: ISSUER, oidcAudience: ['meshwarden'] }),
      functions: FUNCTIONS.filter((f) => f.name === 'console-api'),
    });
    const assembly = app.synth();
    // Assess
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, `${built.central.artifactId}.assets.json`), 'utf8'),
    ) as { files: Record<string, { source: { path: string } }> };
    const bundle = Object.values(manifest.files)
      .map((asset) => join(assembly.directory, asset.source.path))
      .find((dir) => existsSync(join(dir, 'index.mjs')));
    expect(bundle).toBeDefined();
    for (const file of ['index.html', 'console.js', 'console.css']) {
      expect(readFileSync(join(bundle ?? '', 'page', file), 'utf8')).toBe(
        readFileSync(join('functions/console-api/page', file), 'utf8'),
      );
    }
  }, 120_000);
});
