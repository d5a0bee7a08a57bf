/**
 * A write-ahead list of pending work (asynchronous invocations, event deliveries) for `--persist`.
 *
 * Each item is appended when accepted and marked done when finished, with one synchronous append each, so
 * work accepted before a crash is redone after the restart (at least once, as AWS delivers). The file is
 * compacted to the pending items when it is opened.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface JournalRecord<T> {
  readonly op: 'add' | 'done';
  readonly id: string;
  readonly item?: T;
}

export class Journal<T> {
  private readonly pendingItems = new Map<string, T>();
  private readonly file: string | undefined;

  constructor(file: string | undefined) {
    this.file = file;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const record = JSON.parse(line) as JournalRecord<T>;
          if (record.op === 'add' && record.item !== undefined) this.pendingItems.set(record.id, record.item);
          else this.pendingItems.delete(record.id);
        } catch {
          // a torn last line after a crash: that item was never acknowledged
        }
      }
    }
    const tmp = `${file}.tmp`;
    writeFileSync(
      tmp,
      [...this.pendingItems].map(([id, item]) => `${JSON.stringify({ op: 'add', id, item })}\n`).join(''),
    );
    renameSync(tmp, file);
  }

  /** Items accepted before the last stop and not finished. */
  pending(): [string, T][] {
    return [...this.pendingItems];
  }

  add(id: string, item: T): void {
    if (!this.file) return;
    this.pendingItems.set(id, item);
    appendFileSync(this.file, `${JSON.stringify({ op: 'add', id, item })}\n`);
  }

  done(id: string): void {
    if (!this.file || !this.pendingItems.delete(id)) return;
    appendFileSync(this.file, `${JSON.stringify({ op: 'done', id })}\n`);
  }
}
