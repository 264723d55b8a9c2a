/**
 * The one place state keys get their account. meshwarden governs meshes in several accounts
 * (the central one and member accounts), and a mesh is known by (account, name): `prod` in one
 * account is not `prod` in another. So every partition key of per-mesh state (last known good,
 * judged versions, audit, the mesh state cache) begins with the account it is about, and two
 * accounts' state can never meet in one item.
 */

/** A 12-digit account id; anything else would make keys ambiguous. */
const ACCOUNT_ID = /^\d{12}$/;

/** `key` within `account`'s part of the table: `<account>#<key>`. */
export function accountKey(account: string, key: string): string {
  if (!ACCOUNT_ID.test(account)) throw new Error(`state key for "${key}": "${account}" is not an account id`);
  return `${account}#${key}`;
}
