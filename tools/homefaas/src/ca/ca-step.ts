import { type Planned, type Step, sharedStepLogger } from '../publish/steps';
import { ensureWorkspaceCa } from './ensure-workspace-ca';

/**
 * The CA: present and not expired, its registry certificate not due. The owner creates it when missing (with
 * `nx g ca`'s defaults, when a passphrase is given); a runner only reads the committed certificate.
 */
export const caStep: Step<undefined> = {
  name: 'CA',
  async plan(context) {
    const { runner, reason } = context.run.mode;
    // A runner never creates a CA: a missing certificate is an error naming the file to commit.
    const planned = await ensureWorkspaceCa(context.run.registry, {
      dryRun: true,
      allowCreate: !runner,
      logger: sharedStepLogger(context),
    });
    if (runner) {
      const detail = `${planned.detail}; runner (${reason}): no CA key, no registry to manage here`;
      return done({ name: planned.name, changed: false, detail });
    }
    context.certificateDue = planned.renewalDue;
    return { lines: [{ result: planned }], work: planned.changed, data: undefined };
  },
  async apply(context) {
    const result = await ensureWorkspaceCa(context.run.registry, { logger: sharedStepLogger(context) });
    context.certificateDue = result.renewalDue;
    context.report(result);
  },
};

function done(result: { name: string; changed: false; detail: string }): Planned<undefined> {
  return { lines: [{ result }], work: false, data: undefined };
}
