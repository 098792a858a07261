/**
 * GETs `url` until a function answers with JSON (a container under qemu takes a while to start), bounded.
 * Test code only.
 */
export async function waitForAnswer(
  url: string,
  timeoutMs = 120_000,
): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.json() };
    } catch (error) {
      last = error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(`${url} did not answer in ${timeoutMs / 1000} s: ${String(last)}`);
}
