/** A one-line progress bar on stderr for long runs (only on a terminal; CI logs get a line per phase instead). */

export interface Progress {
  tick(done: number, note?: string): void;
  end(summary?: string): void;
}

export function progress(label: string, total: number): Progress {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let last = 0;
  const draw = (done: number, note: string) => {
    const width = 30;
    const filled = Math.min(width, Math.round((done / Math.max(1, total)) * width));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${seconds}s ${note}\x1b[K`,
    );
  };
  if (!tty) process.stderr.write(`${label}: ${total} ...\n`);
  return {
    tick(done, note = '') {
      const now = performance.now();
      if (!tty || (now - last < 100 && done < total)) return;
      last = now;
      draw(done, note);
    },
    end(summary = '') {
      if (tty) {
        draw(total, summary);
        process.stderr.write('\n');
      } else if (summary) process.stderr.write(`${label}: ${summary}\n`);
    },
  };
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
