import { describe, expect, it } from 'vitest';
import {
  accessTo,
  accountDirectory,
  accountOfEvent,
  governedMeshesIn,
  PerAccount,
  requireCentral,
  UnknownAccountError,
} from '../../../shared/accounts/accounts';
import { accountKey } from '../../../shared/adapters/dynamodb/account-keys';
import { changeControlKeys } from '../../../shared/adapters/dynamodb/change-control-keys';
import { BadRequestError, ValidationError } from '../../../shared/errors';

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const ROLE = `arn:aws:iam::${MEMBER}:role/meshwarden-member-access`;

describe('the account directory', () => {
  const directory = accountDirectory(CENTRAL, [ROLE]);

  it('reaches the central account with its own credentials and a member through its role', () => {
    expect(accessTo(directory, CENTRAL)).toEqual({ account: CENTRAL, kind: 'central' });
    expect(accessTo(directory, MEMBER)).toEqual({ account: MEMBER, kind: 'member', roleArn: ROLE });
  });

  it('refuses an account neither central nor configured, naming it', () => {
    expect(() => accessTo(directory, '333333333333')).toThrow(UnknownAccountError);
    expect(() => accessTo(directory, '333333333333')).toThrow(
      /account 333333333333 is not one meshwarden governs/,
    );
  });

  it('refuses a member role in the central account, or two for one account', () => {
    expect(() => accountDirectory(CENTRAL, [`arn:aws:iam::${CENTRAL}:role/x`])).toThrow(
      /meshwarden's own account/,
    );
    expect(() => accountDirectory(CENTRAL, [ROLE, `arn:aws:iam::${MEMBER}:role/y`])).toThrow(
      /configured twice/,
    );
  });

  it('builds one thing per account, once, and none for an unknown account', () => {
    let built = 0;
    const perAccount = new PerAccount(directory, (access) => ({ access, n: ++built }));
    expect(perAccount.for(MEMBER)).toBe(perAccount.for(MEMBER));
    expect(perAccount.for(CENTRAL).access.kind).toBe('central');
    expect(() => perAccount.for('333333333333')).toThrow(UnknownAccountError);
    expect(built).toBe(2);
  });

  it('lets a central-only capability refuse a member account and an unknown one', () => {
    expect(() => requireCentral(directory, CENTRAL, 'rotation')).not.toThrow();
    expect(() => requireCentral(directory, MEMBER, 'rotation')).toThrow(BadRequestError);
    expect(() => requireCentral(directory, '333333333333', 'rotation')).toThrow(UnknownAccountError);
  });

  it('names the governed meshes per account', () => {
    const member = [`${MEMBER}/prod`, `${MEMBER}/edge`, '333333333333/prod'];
    expect(governedMeshesIn(directory, CENTRAL, ['prod'], member)).toEqual(['prod']);
    expect(governedMeshesIn(directory, MEMBER, ['prod'], member)).toEqual(['prod', 'edge']);
  });
});

describe('the account of an event', () => {
  it("is the envelope's account, which a CloudTrail record's recipient must agree with", () => {
    expect(accountOfEvent({ account: MEMBER, detail: { recipientAccountId: MEMBER } })).toBe(MEMBER);
    expect(accountOfEvent({ account: MEMBER, detail: { alarmName: 'x' } })).toBe(MEMBER);
    expect(() => accountOfEvent({ account: MEMBER, detail: { recipientAccountId: CENTRAL } })).toThrow(
      ValidationError,
    );
  });

  it("refuses an event that names another account's resource, such as an alarm ARN", () => {
    const alarm = (account: string) => `arn:aws:cloudwatch:us-east-1:${account}:alarm:web-5xx-rate`;
    expect(accountOfEvent({ account: MEMBER, resources: [alarm(MEMBER)] })).toBe(MEMBER);
    expect(() => accountOfEvent({ account: MEMBER, resources: [alarm(CENTRAL)] })).toThrow(
      /names arn:aws:cloudwatch:us-east-1:\d+:alarm:web-5xx-rate of account/,
    );
  });
});

describe('state keys', () => {
  it('begin with the account, so two accounts never share an item', () => {
    expect(changeControlKeys(CENTRAL).lastKnownGood('prod/route/r/x')).toEqual({
      pk: `${CENTRAL}#LKG#prod/route/r/x`,
      sk: 'LKG',
    });
    expect(changeControlKeys(MEMBER).auditPartition('prod')).toBe(`${MEMBER}#AUDIT#prod`);
    expect(changeControlKeys(MEMBER).meshState('prod')).not.toBe(
      changeControlKeys(CENTRAL).meshState('prod'),
    );
  });

  it('refuse anything but an account id', () => {
    expect(() => accountKey('prod', 'LKG#x')).toThrow(/"prod" is not an account id/);
  });
});
