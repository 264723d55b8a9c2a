import { describe, expect, it } from 'vitest';
import { conditionsHold } from '../../../../infra/local/iam/conditions';
import { normaliseContext } from '../../../../infra/local/iam/request-context';

const ctx = normaliseContext({
  'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/meshwarden-fn-deployment-guard',
  'aws:RequestedRegion': 'us-east-1',
  'aws:SecureTransport': 'false',
  'aws:PrincipalTag/team': 'web',
  'events:source': 'meshwarden',
  'aws:TagKeys': ['team', 'owner'],
  'aws:EpochTime': '1700000000',
  'aws:CurrentTime': '2026-12-06T03:00:00Z',
});

describe('condition operators', () => {
  it.each([
    [{ StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }, true],
    [{ StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, true],
    [{ StringEquals: { 'aws:RequestedRegion': 'US-EAST-1' } }, false],
    [{ StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-EAST-1' } }, true],
    [{ StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-EAST-1' } }, false],
    [{ StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } }, true],
    [{ StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, false],
    [{ StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/meshwarden-fn-*' } }, true],
    [{ StringNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/meshwarden-fn-*' } }, false],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/meshwarden-*' } }, true],
    [
      { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/meshwarden-fn-deployment-guard' } },
      true,
    ],
    [{ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/other' } }, true],
    [{ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/meshwarden-*' } }, false],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, true],
    [{ Bool: { 'aws:SecureTransport': true } }, false],
    [{ Null: { 'aws:SourceIp': 'true' } }, true],
    [{ Null: { 'aws:RequestedRegion': 'true' } }, false],
    [{ Null: { 'aws:RequestedRegion': 'false' } }, true],
    [{ StringEquals: { 'aws:PrincipalTag/team': 'web' } }, true],
    [{ StringEquals: { 'AWS:principaltag/TEAM': 'web' } }, true],
    [{ StringEquals: { 'events:source': 'meshwarden', 'aws:RequestedRegion': 'eu-west-1' } }, false],
    [{ NumericGreaterThan: { 'aws:EpochTime': '1600000000' } }, true],
    [{ NumericLessThan: { 'aws:EpochTime': '1600000000' } }, false],
    [{ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, true],
    [{ DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, false],
  ])('%j holds: %s', (block, expected) => {
    const normalised = Object.fromEntries(
      Object.entries(block).map(([op, keys]) => [
        op,
        Object.fromEntries(
          Object.entries(keys as Record<string, unknown>).map(([k, v]) => [
            k,
            (Array.isArray(v) ? v : [v]).map(String),
          ]),
        ),
      ]),
    );
    expect(conditionsHold(normalised, ctx)).toBe(expected);
  });

  it('a missing key fails positive operators and satisfies negated ones and IfExists', () => {
    const missing = (op: string) => conditionsHold({ [op]: { 'aws:SourceVpc': ['vpc-1'] } }, ctx);
    expect(missing('StringEquals')).toBe(false);
    expect(missing('StringLike')).toBe(false);
    expect(missing('ArnLike')).toBe(false);
    expect(missing('Bool')).toBe(false);
    expect(missing('StringNotEquals')).toBe(true);
    expect(missing('ArnNotLike')).toBe(true);
    expect(missing('StringEqualsIfExists')).toBe(true);
    expect(conditionsHold({ StringEqualsIfExists: { 'aws:RequestedRegion': ['eu-west-1'] } }, ctx)).toBe(
      false,
    );
  });

  it('ForAnyValue and ForAllValues compare sets of values', () => {
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['owner'] } }, ctx)).toBe(true);
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['cost'] } }, ctx)).toBe(false);
    expect(
      conditionsHold({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'owner', 'x'] } }, ctx),
    ).toBe(true);
    expect(conditionsHold({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, ctx)).toBe(false);
    // An absent set: ForAllValues holds vacuously, ForAnyValue does not.
    expect(conditionsHold({ 'ForAllValues:StringEquals': { 'aws:Nothing': ['a'] } }, ctx)).toBe(true);
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:Nothing': ['a'] } }, ctx)).toBe(false);
  });

  it('substitutes policy variables in condition values', () => {
    expect(
      conditionsHold(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
        { StringLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/*-${aws:PrincipalTag/team}'] } },
        ctx,
      ),
    ).toBe(false);
    expect(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable
      conditionsHold({ StringEquals: { 'aws:PrincipalTag/team': ['${aws:PrincipalTag/team}'] } }, ctx),
    ).toBe(true);
  });
});
