import type { PublishContext } from '../publish/context';
import { type Step, sharedStepLogger } from '../publish/steps';
import { ensureBuilderTrust } from './builder-trust';

/** Builder trust: nothing with the `docker` driver (certs.d); the dedicated builder for `docker-container`. */
export const builderTrustStep: Step<undefined> = {
  name: 'builder trust',
  async plan(context) {
    const results = await builderTrust(context, true);
    return {
      lines: results.map((result) => ({ result })),
      work: results.some((result) => result.changed),
      data: undefined,
    };
  },
  async apply(context) {
    for (const result of await builderTrust(context, false)) {
      if (result.changed) context.report(result);
    }
  },
};

async function builderTrust(context: PublishContext, dryRun: boolean) {
  const { run } = context;
  const settings = run.registry;
  return ensureBuilderTrust({
    root: run.root,
    ...run.builder,
    registry: settings.address,
    caPath: settings.ca.certDisplayPath,
    caPem: (await context.caPem()) ?? '',
    daemonCertsDir: settings.daemonCertsDir,
    env: settings.commandEnv,
    dryRun,
    logger: sharedStepLogger(context),
  });
}
