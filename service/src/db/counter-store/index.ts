/**
 * The CounterStore on DynamoDB: the store's flows (`store.ts`), its count writes
 * (`count-writes.ts`) and a visitor's records and quotas (`visit-records.ts`).
 * @module
 */
export { type CounterStoreOptions, createCounterStore } from './store.js';
export { type CountingLimits, MAX_PAGES_PER_VISITOR } from './visit-records.js';
