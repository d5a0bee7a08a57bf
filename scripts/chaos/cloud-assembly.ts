/**
 * Synthesizes the CDK app once before the scenarios (each runtime then starts with `--synth never`), waiting for
 * another CDK CLI that is synthesizing into the same cdk.out (a developer's `npm start`, another test run).
 */
import { resolve } from 'node:path';
import { ensureCloudAssembly, SynthError, type SynthResult } from '../../local/synth';

export async function prepareCloudAssembly(projectDir: string, timeoutMs = 180_000): Promise<SynthResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await ensureCloudAssembly({ projectDir, cdkOut: resolve(projectDir, 'cdk.out'), mode: 'auto' });
    } catch (error) {
      const busy = error instanceof SynthError && /Another CLI .* is currently synthing/.test(error.output);
      if (!busy || Date.now() > deadline) {
        const output = error instanceof SynthError ? `\n${error.output.trim()}` : '';
        throw new Error(`${(error as Error).message}${output}`);
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}
