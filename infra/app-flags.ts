/**
 * `AppFlags`: the feature flags of one app, one {@link FeatureFlag} child per key.
 */
import * as pulumi from "@pulumi/pulumi";
import { FeatureFlag, type FlagValue } from "../providers/feature-flag";
import type { RemoteTarget } from "../providers/targets/remote";

/** Arguments of {@link AppFlags}. */
export interface AppFlagsArgs {
  /** The app whose flags these are, e.g. `wix`. */
  app: string;
  /** Flag key → value. @default - `{}`: no flags */
  flags?: Readonly<Record<string, FlagValue>>;
  /** Absolute root directory of the `local` target. */
  root: string;
  /** The app's remote target, as a secret. @default - none: the `local` target at `root` */
  target?: pulumi.Input<RemoteTarget>;
}

/** The flags of one app on its target. */
export class AppFlags extends pulumi.ComponentResource {
  /** Flag key → value as published. */
  readonly values: pulumi.Output<Record<string, FlagValue>>;
  /** Flag key → file on the local target. */
  readonly files: pulumi.Output<Record<string, string>>;

  /**
   * @param name - logical name; children are named `<name>.<key>` (app names have no `.`, so names never collide)
   * @param args - the app and its flags
   * @param opts - Pulumi component options
   */
  constructor(name: string, args: AppFlagsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("glidepath:index:AppFlags", name, {}, opts);
    const entries = Object.entries(args.flags ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const children = entries.map(
      ([key, value]) =>
        [
          key,
          new FeatureFlag(
            `${name}.${key}`,
            args.target === undefined
              ? { app: args.app, key, value, root: args.root }
              : { app: args.app, key, value, target: args.target },
            // A flag waits for the app's route: turning CanaryEnabled off while the route still
            // points at the old stable would serve it again for a moment during a promotion.
            { parent: this, dependsOn: opts?.dependsOn },
          ),
        ] as const,
    );
    this.values = pulumi
      .all(children.map(([key, flag]) => flag.value.apply((v) => [key, v] as const)))
      .apply((pairs) => Object.fromEntries(pairs));
    this.files = pulumi
      .all(children.map(([key, flag]) => flag.path.apply((p) => [key, p] as const)))
      .apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({ values: this.values, files: this.files });
  }
}
