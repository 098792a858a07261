// Holds a workspace lock for a while and logs when it enters and leaves, for the lock tests.
// Usage: tsx lock-holder.ts <root> <lock name> <log file> <hold ms>
import { appendFile } from 'node:fs/promises';
import { withLock } from '../publish/publish-lock';

async function main(): Promise<void> {
  const [root, name, log, hold] = process.argv.slice(2) as [string, string, string, string];
  await withLock(root, name, async () => {
    await appendFile(log, `enter ${process.pid}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(hold)));
    await appendFile(log, `leave ${process.pid}\n`);
  });
}

void main();
