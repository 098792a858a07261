// Runs the gateway double as a process, for the README's demo on a machine with no OpenFaaS:
//   node --import tsx test/gateway-double/serve.ts faasd <file to write the URL to>
// (node itself, not npx: a signal to the started pid then reaches the server, not a wrapper above it).
// The password comes from OPENFAAS_PASSWORD (or the file named by OPENFAAS_PASSWORD_FILE).
import { readFileSync, writeFileSync } from 'node:fs';
import { type DoubleProvider, startGatewayDouble } from './index';

const [provider = 'faasd', urlFile] = process.argv.slice(2);
const password = process.env.OPENFAAS_PASSWORD_FILE
  ? readFileSync(process.env.OPENFAAS_PASSWORD_FILE, 'utf8').trim()
  : process.env.OPENFAAS_PASSWORD;
const parent = process.ppid;

async function main(): Promise<void> {
  const gateway = await startGatewayDouble({ provider: provider as DoubleProvider, password });
  if (urlFile) writeFileSync(urlFile, gateway.url);
  process.stdout.write(`gateway double (${provider}) listening on ${gateway.url}\n`);
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Ends with the process that started it, even one killed without the chance to stop it.
  setInterval(() => {
    if (!isRunning(parent)) stop();
  }, 1000).unref();
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

void main();
