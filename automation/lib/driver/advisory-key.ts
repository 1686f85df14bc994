/**
 * The PostgreSQL advisory-lock key of a stack's driver lock (pure): 64 bits of a SHA-256 over
 * the state table, the project and the stack, so every glidepath on any machine pointing at
 * the same database computes the same key. `pg_locks` shows a bigint key as two unsigned
 * 32-bit halves (`classid` high, `objid` low, `objsubid` 1); both forms are given.
 */
import * as crypto from "node:crypto";

/** A stack's advisory-lock key. */
export interface AdvisoryKey {
  /** The signed 64-bit key, as the decimal text PostgreSQL takes for a bigint. */
  key: string;
  /** The high 32 bits, unsigned (`pg_locks.classid`). */
  classid: number;
  /** The low 32 bits, unsigned (`pg_locks.objid`). */
  objid: number;
}

/**
 * The key of a stack's driver lock.
 *
 * @param table - Pulumi's state table
 * @param project - the Pulumi project name
 * @param stack - the stack name
 */
export function advisoryKey(table: string, project: string, stack: string): AdvisoryKey {
  const digest = crypto
    .createHash("sha256")
    .update(`glidepath-driver\0${table}\0${project}\0${stack}`)
    .digest();
  return {
    key: digest.readBigInt64BE(0).toString(),
    classid: digest.readUInt32BE(0),
    objid: digest.readUInt32BE(4),
  };
}
