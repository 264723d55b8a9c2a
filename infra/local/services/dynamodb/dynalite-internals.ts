import { createRequire } from 'node:module';

/**
 * dynalite's own request validation and condition evaluation, for the operations local AWS
 * builds on top of it (transactions): each action of a transaction is checked and its
 * condition judged exactly as dynalite checks and judges the single-item call it stands for.
 * dynalite is CommonJS without types; this is the typed slice of it that is used.
 */

/** An item or key in DynamoDB's wire form (`{ attr: { S: 'x' } }`). */
export type WireItem = Record<string, Record<string, unknown>>;

/** A single-item request after validation; dynalite adds the parsed expressions (`_condition`). */
export type CheckedRequest = Record<string, unknown>;

/** The refusal dynalite throws or returns: an HTTP status and the wire error body. */
export interface DynaliteRefusal {
  readonly statusCode: number;
  readonly body: { readonly __type: string; readonly message?: string };
}

interface ActionValidation {
  readonly types: unknown;
  readonly custom?: unknown;
}

interface Validations {
  checkTypes(data: unknown, types: unknown): CheckedRequest;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: unknown): void;
}

interface Db {
  checkConditional(data: CheckedRequest, existing: WireItem | undefined): DynaliteRefusal | null | undefined;
  itemSize(item: WireItem): number;
}

const require = createRequire(import.meta.url);
const validations = require('dynalite/validations/index.js') as Validations;
const db = require('dynalite/db/index.js') as Db;
const byOperation: Record<SingleItemOperation, ActionValidation> = {
  PutItem: require('dynalite/validations/putItem.js') as ActionValidation,
  UpdateItem: require('dynalite/validations/updateItem.js') as ActionValidation,
  DeleteItem: require('dynalite/validations/deleteItem.js') as ActionValidation,
  GetItem: require('dynalite/validations/getItem.js') as ActionValidation,
};

export type SingleItemOperation = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'GetItem';

/** DynamoDB's item size limit, which dynalite's validations read from its store's options. */
export const MAX_ITEM_BYTES = 400 * 1024;
const STORE = { options: { maxItemSize: MAX_ITEM_BYTES } };

export function isRefusal(error: unknown): error is DynaliteRefusal {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (error as { body?: unknown }).body === 'object'
  );
}

/** Validate `data` as dynalite validates `operation`; throws a {@link DynaliteRefusal}. */
export function checkRequest(operation: SingleItemOperation, data: Record<string, unknown>): CheckedRequest {
  const rules = byOperation[operation];
  const checked = validations.checkTypes(structuredClone(data), rules.types);
  validations.checkValidations(checked, rules.types, rules.custom, STORE);
  return checked;
}

/** True when the checked request's condition (if any) holds for the item as it is now. */
export function conditionHolds(checked: CheckedRequest, existing: WireItem | undefined): boolean {
  return db.checkConditional(checked, existing) == null;
}

/** An item's size as DynamoDB counts it (names plus values). */
export function itemSize(item: WireItem): number {
  return db.itemSize(item);
}
