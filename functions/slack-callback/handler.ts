import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { createSlackApprovals, slackSecretSource } from '../../shared/adapters/slack';
import { type HttpResult, handleSlackCallback } from '../../shared/approvals/decide';
import { baseConfig, readConfig } from '../../shared/config';
import { policyForAccount } from '../../shared/policy/account-view';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { CORRELATION_PATHS, logger, tracer } from '../../shared/powertools';
import * as z from '../../shared/schema';

const config = readConfig(
  z.pick(baseConfig, {
    AWS_REGION: true,
    MESHWARDEN_EVENT_BUS: true,
    MESHWARDEN_TABLE: true,
    MESHWARDEN_POLICY_FILE: true,
    MESHWARDEN_SLACK_SECRET: true,
    MESHWARDEN_ACCOUNT_ID: true,
  }),
);
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
const documents = createDocumentClient();
tracer.captureAWSv3Client(documents);
const secret = slackSecretSource(
  config.MESHWARDEN_SLACK_SECRET,
  tracer.captureAWSv3Client(new SecretsManagerClient({})),
);
const deps = {
  store: new DynamoDbApprovalStore(documents, config.MESHWARDEN_TABLE),
  chat: createSlackApprovals({ secretName: config.MESHWARDEN_SLACK_SECRET, secret }),
  publisher: new EventBridgePublisher(
    tracer.captureAWSv3Client(new EventBridgeClient({})),
    config.MESHWARDEN_EVENT_BUS,
  ),
  policy,
  policyIn: (account: string) => policyForAccount(policy, account, config.MESHWARDEN_ACCOUNT_ID),
  signingSecrets: secret,
  now: () => new Date(),
  log: logger,
};

/**
 * Slack's interaction callback (API Gateway HTTP API, payload 2.0): verify, authorize, record
 * the first decision, publish ApprovalDecided, answer within 3 seconds. Synchronous: the
 * answer is the HTTP response, so failures map to status codes in the use case.
 */
export const handler = middy<unknown, HttpResult, Error, Context>()
  .use(injectLambdaContext(logger, { correlationIdPath: CORRELATION_PATHS.apiGatewayV2, resetKeys: true }))
  .handler(async (event) => handleSlackCallback(deps, event));
