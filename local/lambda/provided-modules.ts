/**
 * The modules the Lambda Node.js runtime provides (`/var/runtime/node_modules`): the AWS SDK v3. CDK's
 * NodejsFunction leaves `@aws-sdk/*` (and `@smithy/*`) out of the bundle for that reason, so locally the
 * workers find them through NODE_PATH, in a directory that links to the project's copies of those two
 * scopes only, so that a dependency a bundle forgot still fails locally as it would in AWS.
 */
import { existsSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { shortId } from '../template/resolver';

const PROVIDED_SCOPES = ['@aws-sdk', '@smithy'];

/** Returns the directory to put on NODE_PATH, or undefined when the project has no AWS SDK installed. */
export function providedModulesPath(projectDir: string): string | undefined {
  let nodeModules: string;
  try {
    const pkg = require.resolve('@aws-sdk/client-dynamodb/package.json', { paths: [projectDir, __dirname] });
    nodeModules = dirname(dirname(dirname(pkg)));
  } catch {
    return undefined;
  }
  const dir = join(tmpdir(), `local-lambda-runtime-${shortId(nodeModules)}`, 'node_modules');
  mkdirSync(dir, { recursive: true });
  for (const scope of PROVIDED_SCOPES) {
    const target = join(nodeModules, scope);
    const link = join(dir, scope);
    if (!existsSync(target)) continue;
    try {
      if (readlinkSync(link) === target) continue;
    } catch {
      // no link yet
    }
    try {
      symlinkSync(target, link, 'dir');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return dir;
}
