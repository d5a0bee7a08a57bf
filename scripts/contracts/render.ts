/**
 * Writes a contract document the way the repository's formatter (Biome) would, so `npm run lint` accepts the
 * generated file as is and the staleness test can compare text exactly.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

const BIOME = require.resolve('@biomejs/biome/bin/biome');

/** The document as the committed file's text: JSON, formatted by Biome with this repository's settings. */
export function renderContract(file: string, document: unknown): string {
  return execFileSync(process.execPath, [BIOME, 'format', `--stdin-file-path=${file}`], {
    cwd: ROOT,
    input: JSON.stringify(document, null, 2),
    encoding: 'utf8',
  });
}

/** The committed text of a contract file, or undefined when it does not exist yet. */
export function readContract(file: string): string | undefined {
  try {
    return readFileSync(join(ROOT, file), 'utf8');
  } catch {
    return undefined;
  }
}

export function writeContract(file: string, document: unknown): void {
  const text = renderContract(file, document);
  const changed = readContract(file) !== text;
  writeFileSync(join(ROOT, file), text);
  console.log(`${file} ${changed ? 'regenerated' : 'is up to date'}`);
}
