// Types of sync-endpoint.js for the project's TypeScript tests (not copied into the site).
import type { SyncConfig } from "./sync-config.js";

/** What a `wix-http-functions` helper returns. */
export interface VeloResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The response helpers of `wix-http-functions` the endpoint uses. */
export interface VeloHttp {
  ok(options: { headers?: Record<string, string>; body?: unknown }): VeloResponse;
  badRequest(options: { headers?: Record<string, string>; body?: unknown }): VeloResponse;
  forbidden(options: { headers?: Record<string, string>; body?: unknown }): VeloResponse;
  serverError(options: { headers?: Record<string, string>; body?: unknown }): VeloResponse;
  response(options: { status: number; headers?: Record<string, string>; body?: unknown }): VeloResponse;
}

/** An HTTP function's request, as Velo gives it. */
export interface VeloRequest {
  method: string;
  url: string;
  baseUrl?: string;
  functionName?: string;
  path?: string[];
  query?: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: { text(): Promise<string>; json(): Promise<unknown> } | null;
}

/** wix-data's per-call options the endpoint passes. */
export interface WixDataOptions {
  suppressAuth?: boolean;
  consistentRead?: boolean;
}

/** A page of a wix-data query. */
export interface WixDataResult {
  items: Record<string, unknown>[];
  totalCount?: number;
  hasNext(): boolean;
  next(): Promise<WixDataResult>;
}

/** A wix-data query (each refinement returns a new query). */
export interface WixDataQuery {
  eq(field: string, value: unknown): WixDataQuery;
  ne(field: string, value: unknown): WixDataQuery;
  lt(field: string, value: unknown): WixDataQuery;
  gt(field: string, value: unknown): WixDataQuery;
  hasSome(field: string, values: unknown[]): WixDataQuery;
  limit(n: number): WixDataQuery;
  skip(n: number): WixDataQuery;
  ascending(field: string): WixDataQuery;
  find(options?: WixDataOptions): Promise<WixDataResult>;
}

/** The part of `wix-data` the endpoint uses, with wix-data's semantics. */
export interface WixDataLike {
  get(collection: string, id: string, options?: WixDataOptions): Promise<Record<string, unknown> | null>;
  /** Rejects when an item with the `_id` exists (WDE0074). */
  insert(
    collection: string,
    item: Record<string, unknown>,
    options?: WixDataOptions,
  ): Promise<Record<string, unknown>>;
  /** Replaces the item; rejects when it does not exist (WDE0073). */
  update(
    collection: string,
    item: Record<string, unknown>,
    options?: WixDataOptions,
  ): Promise<Record<string, unknown>>;
  save(
    collection: string,
    item: Record<string, unknown>,
    options?: WixDataOptions,
  ): Promise<Record<string, unknown>>;
  remove(collection: string, id: string, options?: WixDataOptions): Promise<Record<string, unknown> | null>;
  query(collection: string): WixDataQuery;
}

export interface SyncHandlerDeps {
  http: VeloHttp;
  data: WixDataLike;
  getSecret(name: string): Promise<string>;
  now?: () => number;
  config: SyncConfig;
}

export declare const NEXT_SUFFIX: string;
export declare const OWNED_FIELDS: readonly string[];
export declare const OPS: readonly string[];
export declare function createSyncHandler(
  deps: SyncHandlerDeps,
): (request: VeloRequest) => Promise<VeloResponse>;
