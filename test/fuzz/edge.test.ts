import { request } from 'node:http';
import {
  DescribeRouteCommand,
  ListVirtualNodesCommand,
  ListVirtualServicesCommand,
} from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../infra/local/demo/seed';
import { createAppMeshClient } from '../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../support/local-aws';
import { CREDENTIALS } from '../support/local-edge';
import { assertNoPollution, RUN_BUDGET_MS, RunTally } from './support/harness';
import { anyJson, fuzzParameters } from './support/mutations';

/**
 * Fuzzing of the local AWS edge endpoint and its `/_local/` admin routes: requests with no,
 * malformed, unknown, wrong or stale SigV4 signatures, and validly signed requests whose bodies
 * are truncated, malformed, huge or of the wrong content type, for every wire protocol the edge
 * speaks (REST-JSON, JSON 1.0, JSON 1.1, query). The edge answers each with a 4xx in the
 * request's protocol (never a 5xx, a hang or a dropped connection), and a refused request
 * changes nothing in the mesh or the alarms.
 */

const RUNS = 150;
const ADMIN_RUNS = 40;

interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One call on the wire, with nothing the SDK would smooth over. */
function send(endpoint: string, req: RawRequest, opts: { truncateBy?: number } = {}): Promise<RawResponse> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, 'content-length': String(req.body.length + (opts.truncateBy ?? 0)) },
        timeout: RUN_BUDGET_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${RUN_BUDGET_MS} ms`)));
    outgoing.on('error', reject);
    if (opts.truncateBy !== undefined) {
      // The body ends early: the client promised more bytes than it sends, then goes away.
      outgoing.write(req.body);
      outgoing.destroy();
      resolve({ status: 0, headers: {}, body: '' });
      return;
    }
    outgoing.end(req.body);
  });
}

type Protocol = 'rest-json' | 'json-1.0' | 'json-1.1' | 'query';

interface Target {
  readonly service: string;
  readonly protocol: Protocol;
  readonly method: string;
  readonly path: string;
  readonly target?: string;
  /** A well-formed body for the operation, which the body mutations bend. */
  readonly valid: string;
}

const ROUTE_PATH = `/v20190125/meshes/${DEMO.mesh}/virtualRouter/${DEMO.router}/routes/${DEMO.route}`;

const TARGETS: readonly Target[] = [
  {
    service: 'appmesh',
    protocol: 'rest-json',
    method: 'PUT',
    path: ROUTE_PATH,
    valid: JSON.stringify({
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: [{ virtualNode: 'web-v1', weight: 1 }] },
        },
      },
    }),
  },
  { service: 'appmesh', protocol: 'rest-json', method: 'GET', path: ROUTE_PATH, valid: '' },
  {
    service: 'appmesh',
    protocol: 'rest-json',
    method: 'DELETE',
    path: `/v20190125/meshes/${DEMO.mesh}/virtualNodes/nope`,
    valid: '',
  },
  {
    service: 'appmesh',
    protocol: 'rest-json',
    method: 'PUT',
    path: `/v20190125/meshes/${DEMO.mesh}/virtualNodes`,
    valid: JSON.stringify({ virtualNodeName: 'fuzz', spec: {} }),
  },
  {
    service: 'appmesh',
    protocol: 'rest-json',
    method: 'POST',
    path: '/v20190125/tag?resourceArn=arn%3Aaws%3Aappmesh%3Aus-east-1%3A000000000000%3Amesh%2Fprod',
    valid: JSON.stringify({ tags: [{ key: 'a', value: 'b' }] }),
  },
  {
    service: 'dynamodb',
    protocol: 'json-1.0',
    method: 'POST',
    path: '/',
    target: 'DynamoDB_20120810.PutItem',
    valid: JSON.stringify({ TableName: 'meshwarden-state', Item: { pk: { S: 'FUZZ' }, sk: { S: 'x' } } }),
  },
  {
    service: 'dynamodb',
    protocol: 'json-1.0',
    method: 'POST',
    path: '/',
    target: 'DynamoDB_20120810.Query',
    valid: JSON.stringify({
      TableName: 'meshwarden-state',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'x' } },
    }),
  },
  {
    service: 'monitoring',
    protocol: 'json-1.0',
    method: 'POST',
    path: '/',
    target: 'GraniteServiceVersion20100801.SetAlarmState',
    valid: JSON.stringify({ AlarmName: 'web-5xx-rate', StateValue: 'ALARM', StateReason: 'fuzz' }),
  },
  {
    service: 'monitoring',
    protocol: 'query',
    method: 'POST',
    path: '/',
    valid: 'Action=SetAlarmState&Version=2010-08-01&AlarmName=web-5xx-rate&StateValue=ALARM&StateReason=fuzz',
  },
  {
    service: 'monitoring',
    protocol: 'query',
    method: 'POST',
    path: '/',
    valid: 'Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=web-5xx-rate',
  },
  {
    service: 'sts',
    protocol: 'query',
    method: 'POST',
    path: '/',
    valid: 'Action=GetCallerIdentity&Version=2011-06-15',
  },
  {
    service: 'acm',
    protocol: 'json-1.1',
    method: 'POST',
    path: '/',
    target: 'CertificateManager.DescribeCertificate',
    valid: JSON.stringify({ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/x' }),
  },
  {
    service: 'acm-pca',
    protocol: 'json-1.1',
    method: 'POST',
    path: '/',
    target: 'ACMPrivateCA.IssueCertificate',
    valid: JSON.stringify({
      CertificateAuthorityArn: 'x',
      Csr: 'x',
      SigningAlgorithm: 'SHA256WITHRSA',
      Validity: { Value: 1, Type: 'DAYS' },
    }),
  },
  {
    service: 'secretsmanager',
    protocol: 'json-1.1',
    method: 'POST',
    path: '/',
    target: 'secretsmanager.PutSecretValue',
    valid: JSON.stringify({ SecretId: 'meshwarden/slack', SecretString: '{}' }),
  },
  {
    service: 'events',
    protocol: 'json-1.1',
    method: 'POST',
    path: '/',
    target: 'AWSEvents.PutEvents',
    valid: JSON.stringify({ Entries: [{ Source: 'fuzz', DetailType: 'x', Detail: '{}' }] }),
  },
  {
    service: 'scheduler',
    protocol: 'rest-json',
    method: 'POST',
    path: '/schedules/fuzz',
    valid: JSON.stringify({
      ScheduleExpression: 'at(2030-01-01T00:00:00)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: 'x', RoleArn: 'y' },
    }),
  },
];

const CONTENT_TYPE: Record<Protocol, string> = {
  'rest-json': 'application/json',
  'json-1.0': 'application/x-amz-json-1.0',
  'json-1.1': 'application/x-amz-json-1.1',
  query: 'application/x-www-form-urlencoded; charset=utf-8',
};

/** Bodies that are not what the operation takes. */
function badBody(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(valid.length - 1, 0) }).map((keep) => valid.slice(0, keep)),
    anyJson.map((json) => JSON.stringify(json)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      '<a><b>',
      '<?xml version="1.0"?><Action>DescribeAlarms</Action>',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      'Action=DescribeAlarms&AlarmNames.member.0=x',
      'Action=SetAlarmState&__proto__.polluted=1',
      'Action=DescribeAlarms&AlarmNames.member.1=a&AlarmNames=b',
      'Action=&Version=',
      '%',
      '\u0000',
      `[${'['.repeat(20_000)}${']'.repeat(20_000)}]`,
      `{"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
    ),
    fc.integer({ min: 1024 * 1024, max: 3 * 1024 * 1024 }).map((n) => `{"a":"${'x'.repeat(n)}"}`),
  );
}

type Auth = 'none' | 'garbage' | 'unknown-key' | 'bad-signature' | 'stale' | 'valid' | 'body-changed';

const authKind = fc.constantFrom<Auth>(
  'none',
  'garbage',
  'unknown-key',
  'bad-signature',
  'stale',
  'valid',
  'valid',
  'valid',
  'body-changed',
);

async function signed(
  endpoint: string,
  t: Target,
  body: string,
  contentType: string | undefined,
  auth: Auth,
  garbage: string,
): Promise<RawRequest> {
  const url = new URL(endpoint);
  const [path, query] = t.path.split('?') as [string, string | undefined];
  const headers: Record<string, string> = { host: url.host };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (t.target !== undefined) headers['x-amz-target'] = t.target;
  const base = { method: t.method, path: t.path, headers, body: Buffer.from(body, 'utf8') };
  if (auth === 'none') return base;
  if (auth === 'garbage') return { ...base, headers: { ...headers, authorization: garbage } };
  const credentials =
    auth === 'unknown-key' ? { accessKeyId: 'nobody', secretAccessKey: 'x' } : { ...CREDENTIALS.admin };
  const signer = new SignatureV4({
    service: t.service,
    region: 'us-east-1',
    credentials,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const queryObject = Object.fromEntries(new URLSearchParams(query ?? ''));
  const request = new HttpRequest({
    method: t.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: queryObject,
    headers,
    body: body === '' ? undefined : body,
  });
  const signingDate = auth === 'stale' ? new Date(Date.now() - 3600_000) : new Date();
  const out = await signer.sign(request, { signingDate });
  const signedHeaders = Object.fromEntries(
    Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  if (auth === 'bad-signature') {
    signedHeaders.authorization = (signedHeaders.authorization ?? '').replace(
      /Signature=[0-9a-f]{64}/,
      `Signature=${'0'.repeat(64)}`,
    );
  }
  return {
    ...base,
    headers: signedHeaders,
    body: auth === 'body-changed' ? Buffer.from(`${body} `, 'utf8') : base.body,
  };
}

describe('fuzzing the local AWS edge', () => {
  let local: TestLocalAws;
  const tally = new RunTally();

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: [] });
  });
  afterAll(async () => {
    tally.print();
    await local.aws.close();
  });

  /** What a refused request must not change: the demo route, nodes, services and alarm states. */
  async function snapshot(): Promise<string> {
    const mesh = createAppMeshClient(local.clientConfig());
    const cloudwatch = new CloudWatchClient(local.clientConfig());
    const [route, nodes, services, alarms] = await Promise.all([
      mesh.send(
        new DescribeRouteCommand({
          meshName: DEMO.mesh,
          virtualRouterName: DEMO.router,
          routeName: DEMO.route,
        }),
      ),
      mesh.send(new ListVirtualNodesCommand({ meshName: DEMO.mesh })),
      mesh.send(new ListVirtualServicesCommand({ meshName: DEMO.mesh })),
      cloudwatch.send(new DescribeAlarmsCommand({})),
    ]);
    return JSON.stringify([
      route.route?.spec,
      route.route?.metadata?.version,
      nodes.virtualNodes?.map((n) => [n.virtualNodeName, n.version]),
      services.virtualServices?.map((s) => [s.virtualServiceName, s.version]),
      alarms.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.StateReason]),
    ]);
  }

  /** The edge still answers: a request that broke it would leave the next one unanswered. */
  async function healthy(): Promise<boolean> {
    const res = await send(local.aws.endpoint, {
      method: 'GET',
      path: '/_local/health',
      headers: {},
      body: Buffer.alloc(0),
    });
    return res.status === 200;
  }

  it('answers every malformed, mis-signed or mis-typed request with a 4xx and changes nothing', async () => {
    let before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat({ max: TARGETS.length - 1 })
          .chain((which) =>
            fc.tuple(
              fc.constant(TARGETS[which] as Target),
              fc.oneof(
                { weight: 4, arbitrary: badBody((TARGETS[which] as Target).valid) },
                { weight: 1, arbitrary: fc.constant((TARGETS[which] as Target).valid) },
              ),
            ),
          ),
        authKind,
        fc.string({ maxLength: 120 }),
        fc.oneof(
          { weight: 3, arbitrary: fc.constant('keep' as const) },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              'text/plain',
              'application/xml',
              'multipart/form-data',
              'application/json',
              'application/x-www-form-urlencoded',
            ),
          },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        async ([t, body], auth, garbage, contentTypeChoice) => {
          // Prepare
          const contentType = contentTypeChoice === 'keep' ? CONTENT_TYPE[t.protocol] : contentTypeChoice;
          const req = await signed(local.aws.endpoint, t, body, contentType, auth, garbage);

          // Act
          const res = await send(local.aws.endpoint, req);
          tally.add(`edge ${t.service} ${t.protocol}`, String(res.status));

          // Assess
          assertNoPollution();
          if (res.status < 200 || res.status >= 500)
            throw new Error(
              `${t.service} ${t.method} ${t.path} (${auth}, ${contentType}) answered ${res.status}: ${res.body.slice(0, 300)}`,
            );
          if (res.status >= 400) {
            const after = await snapshot();
            if (after !== before)
              throw new Error(`refused with ${res.status} but local AWS changed: ${res.body.slice(0, 200)}`);
          } else {
            before = await snapshot();
          }
        },
      ),
      fuzzParameters(RUNS),
    );
  }, 180_000);

  it('survives requests whose body ends before its Content-Length, and keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: TARGETS.length - 1 }),
        fc.integer({ min: 1, max: 100_000 }),
        async (which, missing) => {
          // Prepare
          const t = TARGETS[which] as Target;
          const req = await signed(local.aws.endpoint, t, t.valid, CONTENT_TYPE[t.protocol], 'valid', '');

          // Act
          await send(local.aws.endpoint, req, { truncateBy: missing });

          // Assess
          if (!(await healthy())) throw new Error('the edge stopped answering');
        },
      ),
      fuzzParameters(10),
    );
  }, 60_000);

  it('refuses a JSON body nested 20,000 deep with a 400 SerializationException, for every JSON protocol (was a 500)', async () => {
    // Prepare: shrunk counterexample [acm DescribeCertificate, {"a":{"a":… 20,000 deep}].
    const deepBody = `{"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    const targets = TARGETS.filter((t) => t.protocol !== 'query' && t.method !== 'GET');

    for (const t of targets) {
      const req = await signed(local.aws.endpoint, t, deepBody, CONTENT_TYPE[t.protocol], 'valid', '');

      // Act
      const res = await send(local.aws.endpoint, req);

      // Assess
      expect(res.status, `${t.service} ${t.target ?? t.path}`).toBe(400);
      expect(res.body).toMatch(/SerializationException|nested/);
    }
  });

  it('answers a DynamoDB call whose body is JSON but not an object with a 400 (dynalite never answered)', async () => {
    // Prepare: shrunk counterexample [dynamodb Query, body "null", valid signature].
    const t = TARGETS.find((x) => x.target === 'DynamoDB_20120810.Query') as Target;
    for (const body of ['null', '[]', '1', '"x"', 'true']) {
      const req = await signed(local.aws.endpoint, t, body, CONTENT_TYPE[t.protocol], 'valid', '');

      // Act
      const res = await send(local.aws.endpoint, req);

      // Assess
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body), body).toMatchObject({
        __type: expect.stringContaining('SerializationException'),
      });
    }
  });

  it('refuses a body over 16 MB with 413 in the request’s protocol', async () => {
    // Prepare
    const t = TARGETS.find((x) => x.target === 'AWSEvents.PutEvents') as Target;
    const req = await signed(
      local.aws.endpoint,
      t,
      'x'.repeat(16 * 1024 * 1024 + 1),
      CONTENT_TYPE[t.protocol],
      'valid',
      '',
    );

    // Act
    const res = await send(local.aws.endpoint, req);

    // Assess
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toMatchObject({ __type: 'RequestEntityTooLarge' });
  });

  it('answers random admin routes with 200, 400 or 404, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'GET', 'PUT', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              '/_local/health',
              '/_local/dead-letters',
              '/_local/timeline',
              '/_local/faults',
              '/_local/faults?x=1',
            ),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              '/_local/',
              '/_local/faults/x',
              '/_local/%',
              '/_local/..%2F..',
              '/_local/%00',
            ),
          },
          {
            weight: 1,
            arbitrary: fc.string({ maxLength: 30 }).map((s) => `/_local/${encodeURIComponent(s)}`),
          },
        ),
        fc.oneof(
          anyJson.map((j) => JSON.stringify(j)),
          fc.string({ maxLength: 200 }),
          fc.constantFrom(
            '[{"service":"appmesh","throttleRate":2}]',
            '[{"service":""}]',
            '[{"service":"nope","latencyMs":-1}]',
            '{"__proto__":[]}',
            '[',
            '',
          ),
        ),
        async (method, path, body) => {
          // Act
          const res = await send(local.aws.endpoint, {
            method,
            path,
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(body),
          });
          tally.add('admin routes', String(res.status));
          // Whatever valid rules a run set, the next run starts without faults.
          local.aws.faults.set([]);

          // Assess
          assertNoPollution();
          if (![200, 400, 404].includes(res.status))
            throw new Error(`${method} ${path} answered ${res.status}: ${res.body.slice(0, 200)}`);
          JSON.parse(res.body);
        },
      ),
      fuzzParameters(ADMIN_RUNS),
    );
  }, 60_000);
});
