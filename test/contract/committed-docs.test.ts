/**
 * docs/api/openapi.json and docs/api/asyncapi.json are committed so integrators (and the local runtime's
 * /openapi.json) read them without building anything; they must be exactly what the generators write now.
 */
import { CONTRACTS } from '../../scripts/contracts/main';
import { readContract, renderContract } from '../../scripts/contracts/render';

/** The first line where two texts differ, to show in the failure. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line < 0 ? Math.min(a.length, b.length) : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

test.each(CONTRACTS.map((contract) => [contract.file, contract] as const))(
  '%s is up to date (run `npm run contracts` after changing routes, contracts or events)',
  (file, { build }) => {
    const committed = readContract(file);
    if (committed === undefined) throw new Error(`${file} does not exist: run \`npm run contracts\` and commit it`);
    const generated = renderContract(file, build());
    if (committed !== generated) {
      throw new Error(
        `${file} is stale: run \`npm run contracts\` and commit it (${firstDifference(committed, generated)})`,
      );
    }
  },
);
