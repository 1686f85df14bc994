/**
 * PLACEHOLDER holding only the frozen interface of the sync client, so the code calling it
 * type-checks before the real module (the signing client) is merged; that merge replaces this
 * file whole.
 */
import type { RetryPolicy } from "../../../providers/targets/http-retry";

export interface SyncKey {
  id: string;
  secret: string;
}
export interface SyncClientOptions {
  url: string;
  key: SyncKey;
  timeoutMs?: number;
  retry?: RetryPolicy;
  now?: () => number;
}
export interface SyncItem {
  _id: string;
  [field: string]: unknown;
}
export type UpsertOutcome = "created" | "updated" | "unchanged";
export interface SyncClient {
  check(collection: string): Promise<void>;
  upsert(
    collection: string,
    items: SyncItem[],
  ): Promise<{ _id: string; outcome: UpsertOutcome; lastSync: string }[]>;
  mirror(collection: string, present: string[]): Promise<{ archived: string[] }>;
}
export function syncClient(_opts: SyncClientOptions): SyncClient {
  throw new Error("the sync client is not merged yet");
}
