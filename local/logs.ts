/**
 * Where function and runtime log lines go. Every line is one JSON object: a function's own JSON fields
 * tagged with `fn`, or `{fn, message}` for a plain text line; runtime notices carry `runtime: 'local'`.
 */
export type LogLine = Record<string, unknown>;
export type LogSink = (line: LogLine) => void;
export type LogOption = 'console' | 'silent' | LogSink;

export function createLogSink(option: LogOption | undefined): LogSink {
  if (option === 'silent') return () => {};
  if (typeof option === 'function') return option;
  return (line) => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
}

/** Tags one line a function wrote with the function name; JSON lines keep their own fields. */
export function functionLogLine(functionName: string, text: string, stream: 'stdout' | 'stderr'): LogLine {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { fn: functionName, ...parsed };
    } catch {
      // not JSON after all: wrapped below
    }
  }
  return stream === 'stderr' ? { fn: functionName, stream, message: text } : { fn: functionName, message: text };
}

/** A runtime notice (warnings, delivery failures, restarts) in the same stream as the function logs. */
export function runtimeLine(level: 'INFO' | 'WARN' | 'ERROR', message: string, extra: LogLine = {}): LogLine {
  return { runtime: 'local', level, message, ...extra };
}

/** Splits a byte stream into lines, keeping a partial last line until its newline arrives. */
export class LineSplitter {
  private pending = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString();
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.onLine(line.replace(/\r$/, ''));
  }

  flush(): void {
    if (this.pending.trim() !== '') this.onLine(this.pending);
    this.pending = '';
  }
}
