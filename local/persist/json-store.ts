/**
 * Small JSON documents on disk for `--persist`: queues, stream checkpoints, executions.
 * Writes go to a temporary file that is then renamed, so a crash never leaves half a document behind.
 * Without a directory every call is a no-op, and the runtime keeps its state in memory only.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class JsonStore {
  constructor(readonly dir: string | undefined) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  read<T>(relativePath: string): T | undefined {
    if (!this.dir) return undefined;
    try {
      return JSON.parse(readFileSync(join(this.dir, relativePath), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  write(relativePath: string, value: unknown): void {
    if (!this.dir) return;
    const file = join(this.dir, relativePath);
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
  }

  remove(relativePath: string): void {
    if (!this.dir) return;
    rmSync(join(this.dir, relativePath), { force: true });
  }

  /** File names (not paths) of the `.json` documents in a sub-directory. */
  list(relativeDir: string): string[] {
    if (!this.dir) return [];
    try {
      return readdirSync(join(this.dir, relativeDir)).filter((name) => name.endsWith('.json'));
    } catch {
      return [];
    }
  }
}

/** A file-name-safe form of an arbitrary key (execution names may contain characters a file system rejects). */
export function safeFileName(key: string): string {
  return encodeURIComponent(key).replace(/\*/g, '%2A');
}
