// Types of sync-config.js for the project's TypeScript tests (not copied into the site).

export interface SyncKeyConfig {
  /** The Secrets Manager name of the key's secret (`<secret>_NEXT` is accepted too while it exists). */
  secret: string;
  /** The collections this key may write. */
  collections: readonly string[];
}

export interface SyncConfig {
  keys: Readonly<Record<string, SyncKeyConfig>>;
  nonceCollection: string;
  windowSeconds: number;
  maxBodyBytes: number;
  maxItems: number;
  minSecretLength: number;
}

export declare const SYNC_CONFIG: Readonly<SyncConfig>;
