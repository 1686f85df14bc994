/**
 * Awaiting Pulumi outputs in program tests, with a deadline: an output that never resolves
 * fails the test in seconds instead of hanging it.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Resolves an output's value.
 *
 * @param o - the output
 * @param ms - how long to wait @default 10000
 */
export function resolved<T>(o: pulumi.Output<T>, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`output did not resolve within ${ms} ms`)), ms);
    o.apply((v) => {
      clearTimeout(timer);
      resolve(v);
      return v;
    });
  });
}
