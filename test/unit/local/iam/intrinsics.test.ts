// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub templates, not JavaScript ones
import { describe, expect, it } from 'vitest';
import { resolveIntrinsics, type TemplateResource } from '../../../../infra/local/iam/intrinsics';

const resources: Record<string, TemplateResource> = {
  State1: { Type: 'AWS::DynamoDB::Table', Properties: {} },
  Bus1: { Type: 'AWS::Events::EventBus', Properties: { Name: 'meshwarden' } },
  Slack1: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'meshwarden/slack' } },
  Queue1: { Type: 'AWS::SQS::Queue', Properties: {} },
  Role1: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } },
  Api1: { Type: 'AWS::ApiGatewayV2::Api', Properties: {} },
};
const placement = {
  region: 'us-east-1',
  account: '000000000000',
  physicalNames: { 'AWS::DynamoDB::Table': 'meshwarden-state' },
};

describe('CloudFormation intrinsics resolved to local ARNs', () => {
  it.each([
    [{ 'Fn::GetAtt': ['State1', 'Arn'] }, 'arn:aws:dynamodb:us-east-1:000000000000:table/meshwarden-state'],
    [{ Ref: 'State1' }, 'meshwarden-state'],
    [{ 'Fn::GetAtt': ['Bus1', 'Arn'] }, 'arn:aws:events:us-east-1:000000000000:event-bus/meshwarden'],
    [{ Ref: 'Slack1' }, 'arn:aws:secretsmanager:us-east-1:000000000000:secret:meshwarden/slack-??????'],
    [{ 'Fn::GetAtt': ['Queue1', 'Arn'] }, 'arn:aws:sqs:us-east-1:000000000000:Queue1'],
    [{ 'Fn::GetAtt': 'Role1.Arn' }, 'arn:aws:iam::000000000000:role/r'],
    [
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:*',
          ],
        ],
      },
      'arn:aws:cloudwatch:us-east-1:000000000000:alarm:*',
    ],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:appmesh:${AWS::Region}:${AWS::AccountId}:mesh/${Name}' }, undefined],
    [
      {
        'Fn::Sub': [
          'arn:${AWS::Partition}:appmesh:${AWS::Region}:${AWS::AccountId}:mesh/${Name}',
          { Name: 'prod' },
        ],
      },
      'arn:aws:appmesh:us-east-1:000000000000:mesh/prod',
    ],
    [{ 'Fn::Sub': '${Bus1.Arn}/x' }, 'arn:aws:events:us-east-1:000000000000:event-bus/meshwarden/x'],
  ])('%j -> %s', (value, expected) => {
    if (expected === undefined) {
      expect(() => resolveIntrinsics(value, resources, placement)).toThrow(/no resource Name/);
    } else {
      expect(resolveIntrinsics({ Resource: value }, resources, placement)).toEqual({ Resource: expected });
    }
  });

  it('refuses what it cannot name instead of guessing', () => {
    expect(() => resolveIntrinsics({ Ref: 'Api1' }, resources, placement)).toThrow(
      /cannot name a AWS::ApiGatewayV2::Api/,
    );
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['State1', 'StreamArn'] }, resources, placement)).toThrow(
      /not an ARN/,
    );
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, resources, placement)).toThrow(
      /not supported/,
    );
  });
});
