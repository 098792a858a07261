import { errorMessage, HomefaasError, isHomefaasError } from '@homefaas/core';
import { runCommand } from '@homefaas/docker-engine';
import type { PublishContext } from '../publish/context';
import { type Step, sharedStepLogger } from '../publish/steps';
import { dockerLoginOptions, ensureDockerLogin } from './docker-login';
import { checkDaemonTrust, ensureDaemonTrust } from './docker-trust';
import { ensureRegistryReady } from './registry-setup';

/** Where a runner's CA and registry come from, for its hints. */
const RUNNER_HINT =
  'A runner uses the registry run by the machine that owns the CA: check that it is up there (npx nx run infra:doctor on that machine)';

interface RegistryProbe {
  problems: string[];
  /** What the registry itself answered, when it failed: a runner cannot fix that here. */
  registryError?: unknown;
}

/**
 * The registry answers over TLS verified with our CA and accepts our user, the daemon trusts the CA, and
 * Docker is logged in. The plan probes exactly that (one request to the registry). The owner's apply runs
 * the full registry set-up (certificate, htpasswd, container, trust, login); a runner's apply only makes
 * this machine's Docker trust the CA and log in, and never touches a registry.
 */
export const registryStep: Step<RegistryProbe> = {
  name: 'registry',
  async plan(context) {
    const settings = context.run.registry;
    const probe = await probeRegistry(context);
    if (probe.problems.length === 0) {
      const trusted = context.run.builder.driver === 'docker' ? '; the daemon trusts the CA' : '';
      const detail = `https://${settings.address}/v2/ answers over TLS with our CA and accepts user ${settings.user}${trusted}; Docker is logged in${context.run.mode.runner ? '' : ' (npx nx run infra:doctor checks the container too)'}`;
      return { lines: [{ result: { name: 'registry', changed: false, detail } }], work: false, data: probe };
    }
    const would = context.run.mode.runner
      ? 'would make Docker trust the CA and log in'
      : `would ensure the registry (certificate, htpasswd, container ${settings.container}, daemon trust, login)`;
    return {
      lines: [
        { result: { name: 'registry', changed: true, detail: `${would}: ${probe.problems.join('; ')}` } },
      ],
      work: true,
      data: probe,
    };
  },
  async apply(context, probe) {
    const settings = context.run.registry;
    if (!context.run.mode.runner) {
      await ensureRegistryReady(settings, { engine: context.engine(), logger: sharedStepLogger(context) });
      return;
    }
    if (probe.registryError !== undefined) throw runnerRegistryError(context, probe.registryError);
    const caPem = (await context.caPem()) ?? '';
    const password = await settings.secrets.registryPassword();
    if (context.run.builder.driver === 'docker') {
      context.report(
        await ensureDaemonTrust({
          certsDir: settings.daemonCertsDir,
          address: settings.address,
          caPem,
          caDisplayPath: settings.ca.certDisplayPath,
        }),
      );
    }
    if (password !== undefined) {
      context.report(
        await ensureDockerLogin({
          ...dockerLoginOptions(settings, runCommand),
          credentials: { username: settings.user, password },
        }),
      );
    }
  },
};

async function probeRegistry(context: PublishContext): Promise<RegistryProbe> {
  const settings = context.run.registry;
  const caPem = await context.caPem();
  if (caPem === undefined) return { problems: [`no CA yet at ${settings.ca.certDisplayPath}`] };
  const problems: string[] = [];
  if (context.certificateDue && !context.run.mode.runner) {
    problems.push('the registry certificate is missing or due for renewal');
  }
  const [ping, trust, login, password] = await Promise.all([
    (async () => (await context.registry()).ping())().catch((error: unknown) => error as Error),
    checkDaemonTrust({
      certsDir: settings.daemonCertsDir,
      address: settings.address,
      caPem,
      caDisplayPath: settings.ca.certDisplayPath,
    }),
    context.dockerLogin().catch(() => undefined),
    settings.secrets.registryPassword(),
  ]);
  let registryError: unknown;
  if (ping instanceof Error) {
    registryError = ping;
    problems.push(errorMessage(ping));
  } else if (ping.authRequired && !ping.authenticated) {
    registryError = new HomefaasError(
      'ERR_SECRET_MISSING',
      `No password for registry user ${settings.user}: ${settings.address} asks for one.`,
      { hint: 'Set REGISTRY_PASSWORD, or REGISTRY_PASSWORD_FILE to the path of a file that contains it.' },
    );
    problems.push(`no password for registry user ${settings.user}`);
  } else if (!ping.authRequired) {
    problems.push(`https://${settings.address}/v2/ does not ask for credentials`);
  }
  // Only BuildKit inside dockerd reads certs.d; a docker-container builder trusts the CA through its config.
  if (!trust.ok && (context.run.builder.driver === 'docker' || !context.run.mode.runner))
    problems.push(trust.detail);
  const loggedIn =
    login?.username === settings.user && (password === undefined || login.password === password);
  if (!loggedIn) problems.push(`Docker is not logged in to ${settings.address} as ${settings.user}`);
  return { problems, ...(registryError === undefined ? {} : { registryError }) };
}

function runnerRegistryError(context: PublishContext, error: unknown): HomefaasError {
  const hint = isHomefaasError(error) && error.hint ? `${error.hint} ` : '';
  return new HomefaasError(
    isHomefaasError(error) ? error.code : 'ERR_REGISTRY_UNREACHABLE',
    `The registry ${context.run.registry.address} cannot be used from this runner: ${errorMessage(error)}`,
    {
      hint: `${hint}${RUNNER_HINT}, and that REGISTRY_PASSWORD (or REGISTRY_PASSWORD_FILE) is set here.`,
      cause: error,
    },
  );
}
