import { describe, expect, it } from 'vitest';
import { policyForAccount } from '../../../shared/policy/account-view';
import { policy } from './fixtures';

const CENTRAL = '111111111111';
const MEMBER = '222222222222';

const twoAccounts = () =>
  policy(`
version: 1
meshes:
  - mesh: prod
    changeControl: { default: allow, onViolation: report }
  - mesh: prod
    account: "${MEMBER}"
    changeControl: { default: deny, onViolation: revert }
  - mesh: "*"
    account: "${MEMBER}"
    changeControl: { default: deny, onViolation: hold }
`);

describe('the policy as one account sees it', () => {
  it("governs a member account's prod by the entry naming that account, never the central one's", () => {
    const member = policyForAccount(twoAccounts(), MEMBER, CENTRAL);
    expect(member.forMesh('prod')?.document.changeControl.onViolation).toBe('revert');
    expect(member.forMesh('edge')?.document.changeControl.onViolation).toBe('hold');
  });

  it('gives an entry without an account to the central account only', () => {
    const central = policyForAccount(twoAccounts(), CENTRAL, CENTRAL);
    expect(central.forMesh('prod')?.document.changeControl.onViolation).toBe('report');
    expect(central.forMesh('edge')).toBeUndefined();
  });

  it('governs nothing in an account no entry names', () => {
    expect(policyForAccount(twoAccounts(), '333333333333', CENTRAL).forMesh('prod')).toBeUndefined();
  });

  it('refuses an account that is not 12 digits', () => {
    expect(() =>
      policy(`
version: 1
meshes:
  - mesh: prod
    account: "22"
    changeControl: { default: allow, onViolation: report }
`),
    ).toThrow(/account: must be a 12-digit account id/);
  });
});
