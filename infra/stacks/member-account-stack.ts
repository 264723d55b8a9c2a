import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { alarmStateChangesPattern, type NamedPattern } from '../../shared/events/patterns';
import { appMeshMutationsPattern } from '../../shared/providers/appmesh/patterns';
import {
  APPMESH_READ_ACTIONS,
  APPMESH_WRITE_ACTIONS,
  MESH_WILDCARD_REASON,
  meshResources,
} from '../constructs/capabilities';
import { applyRuleState, toCdkEventPattern } from '../constructs/event-pattern';
import { FailureQueue } from '../constructs/failure-queue';
import { acknowledgeWildcardResource } from '../constructs/nag';
import { EVENT_BUS_NAME, MEMBER_ACCOUNT_ROLE_NAME, pascalCase } from '../constructs/names';
import { withRetryPolicy } from '../constructs/retrying-target';
import { RULE_TARGET_MAX_EVENT_AGE, RULE_TARGET_RETRY_ATTEMPTS } from './meshwarden-stack';

/** What a member account always forwards: its mesh changes and its alarms. */
export const MEMBER_BASELINE_PATTERNS: readonly NamedPattern[] = [
  appMeshMutationsPattern,
  alarmStateChangesPattern,
];

export interface MemberAccountStackProps extends StackProps {
  readonly centralAccount: string;
  readonly centralRegion: string;
  /** The meshes in this account that meshwarden governs. */
  readonly meshes: readonly string[];
  /** Names of the central function roles allowed to assume the member role (those that read or write meshes). */
  readonly trustedRoleNames: readonly string[];
  /** AWS service event patterns the central functions listen to; forwarded with the baseline. */
  readonly patterns?: readonly NamedPattern[];
}

/**
 * Deployed in each member account: forwards the account's App Mesh CloudTrail events and
 * alarm state changes (and whatever else the central functions listen to on a default bus)
 * to meshwarden's bus, and creates the role meshwarden assumes to read and write the
 * governed meshes there.
 */
export class MemberAccountStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    super(scope, id, props);
    const centralBus = events.EventBus.fromEventBusArn(
      this,
      'CentralBus',
      this.formatArn({
        service: 'events',
        region: props.centralRegion,
        account: props.centralAccount,
        resource: 'event-bus',
        resourceName: EVENT_BUS_NAME,
      }),
    );
    const failures = new FailureQueue(this, 'ForwardingFailures');
    const byName = new Map<string, NamedPattern>();
    for (const pattern of [...MEMBER_BASELINE_PATTERNS, ...(props.patterns ?? [])])
      byName.set(pattern.name, pattern);
    for (const pattern of byName.values()) {
      const rule = new events.Rule(this, `Forward${pascalCase(pattern.name)}`, {
        description: `Forward to meshwarden: ${pattern.description}`,
        eventPattern: toCdkEventPattern(pattern.pattern),
        targets: [
          withRetryPolicy(new targets.EventBus(centralBus, { deadLetterQueue: failures }), {
            retryAttempts: RULE_TARGET_RETRY_ATTEMPTS,
            maxEventAge: RULE_TARGET_MAX_EVENT_AGE,
          }),
        ],
      });
      applyRuleState(rule, pattern);
    }

    this.role = new iam.Role(this, 'MeshwardenAccess', {
      roleName: MEMBER_ACCOUNT_ROLE_NAME,
      description: 'meshwarden (central account) reads and reverts the governed meshes of this account',
      // The account principal with an exact-ARN condition, not the role ARNs as principals: a
      // trust policy naming a role breaks silently when that role is re-created.
      assumedBy: new iam.AccountPrincipal(props.centralAccount).withConditions({
        ArnEquals: {
          'aws:PrincipalArn': props.trustedRoleNames.map((name) =>
            this.formatArn({
              service: 'iam',
              region: '',
              account: props.centralAccount,
              resource: 'role',
              resourceName: name,
            }),
          ),
        },
      }),
    });
    const meshArns = props.meshes.map((mesh) =>
      this.formatArn({ service: 'appmesh', resource: 'mesh', resourceName: mesh }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...APPMESH_READ_ACTIONS, ...APPMESH_WRITE_ACTIONS],
        resources: meshResources(meshArns),
      }),
    );
    for (const arn of meshArns) {
      acknowledgeWildcardResource(this.role, `${arn}/*`, MESH_WILDCARD_REASON);
    }
    // The deployment guard reads this account's alarms (state, tags binding them to a route)
    // when one of them changes state, as it reads the central account's.
    const alarms = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
        resources: [alarms],
      }),
    );
    acknowledgeWildcardResource(
      this.role,
      alarms,
      'Alarms bind themselves to a route with the meshwarden:route tag after deploy, so their names are not known at synth. Read-only, this account and region.',
    );
    // The daily audit judges this account's listener certificates by their issuer, as it judges
    // the central account's: reads only (certificate rotation acts in the central account only).
    const certificates = this.formatArn({ service: 'acm', resource: 'certificate', resourceName: '*' });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'],
        resources: [certificates],
      }),
    );
    acknowledgeWildcardResource(
      this.role,
      certificates,
      'Listeners name their certificates in the mesh, which changes after deploy, so their ARNs are not known at synth. Read-only, this account and region.',
    );
  }
}
