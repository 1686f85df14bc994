// Types of sync-signature.js for the project's TypeScript tests (not copied into the site).

export declare const HEADERS: Readonly<{ key: string; timestamp: string; nonce: string; signature: string }>;
export declare const SCHEME: string;
export declare const NONCE: RegExp;
export declare const TIMESTAMP: RegExp;
export declare const SIGNATURE: RegExp;
export declare function signedPath(pathname: string): string | null;
export declare function bodyDigest(body: string): string;
export declare function canonicalString(r: {
  method: string;
  path: string;
  timestamp: string;
  nonce: string;
  keyId: string;
  body: string;
}): string;
export declare function signatureOf(canonical: string, secret: string): string;
export declare function sameSignature(given: string, expected: string): boolean;
