// Types of glidepath-release.js for the project's TypeScript tests (not copied into the site).

/** The part of the `wix-data` API the reader uses. */
export interface WixDataLike {
  get(collection: string, id: string): Promise<Record<string, unknown> | null>;
  query(collection: string): {
    eq(
      field: string,
      value: unknown,
    ): {
      limit(n: number): { find(): Promise<WixQueryResult> };
    };
  };
}

/** A page of a `wix-data` query. */
export interface WixQueryResult {
  items: Record<string, unknown>[];
  hasNext(): boolean;
  next(): Promise<WixQueryResult>;
}

/** Query parameters as `wix-location-frontend` gives them. */
export type PageQuery = Record<string, string | string[] | undefined>;

export interface Collections {
  releases: string;
  routes: string;
  flags: string;
}

export interface ReleaseRef {
  version: string;
  digest: string;
  origin?: string;
}

export const COLLECTIONS: Readonly<Collections>;
export function releaseRecordId(app: string, version: string, digest: string): Promise<string>;
export function routeRecordId(app: string): string;
export function flagRecordId(app: string, key: string): string;
export function requestedRelease(query: PageQuery): { version: string; digest16: string } | undefined;
export function chooseRelease(
  route: { stable: ReleaseRef; canary: ReleaseRef | null },
  query: PageQuery,
): { side: "stable" | "canary"; ref: ReleaseRef; fallback: boolean };
export function readRelease(
  wixData: WixDataLike,
  app: string,
  query: PageQuery,
  collections?: Pick<Collections, "releases" | "routes">,
): Promise<{ side: "stable" | "canary"; fallback: boolean; release: Record<string, unknown> } | undefined>;
export function readFlags(
  wixData: WixDataLike,
  app: string,
  collections?: Pick<Collections, "flags">,
): Promise<Record<string, unknown>>;
export function readGlidepath(deps: {
  wixData: WixDataLike;
  location: { query: PageQuery };
  app: string;
  collections?: Collections;
}): Promise<{
  release: { side: "stable" | "canary"; fallback: boolean; release: Record<string, unknown> } | undefined;
  flags: Record<string, unknown>;
}>;
