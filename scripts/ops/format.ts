/** Text output of the operations tools (`--json` prints the structured results instead). */
import type { InspectedMessage, MessageSummary, QueueListing, RedriveReport } from './dead-letters';
import type { RepublishReport, RepublishResult } from './republish';

export function age(seconds: number | null): string {
  if (seconds === null) return 'age ?';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m ago`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h ago`;
}

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

export function messageLine(m: MessageSummary): string {
  const attempts = m.attempts === null ? '' : `  attempts ${m.attempts}`;
  const subject = m.subject ? `  ${m.subject}` : '';
  return `  ${m.messageId}  ${m.kind}  ${age(m.ageSeconds)}${attempts}${subject}\n      from ${m.origin}\n      error ${clip(m.error, 200)}`;
}

export function formatList(target: string, queues: readonly QueueListing[]): string {
  const lines = [`Dead-letter queues (${target})`];
  const total = queues.reduce((n, q) => n + q.depth, 0);
  for (const q of queues) {
    const inFlight = q.inFlight ? ` (${q.inFlight} in flight)` : '';
    lines.push('', `${q.hop}  ${q.depth} message(s)${inFlight}  ${q.name}`);
    for (const m of q.messages) lines.push(messageLine(m));
  }
  lines.push('', total === 0 ? 'No dead letters.' : `${total} dead letter(s).`);
  return lines.join('\n');
}

function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function original(m: InspectedMessage): unknown {
  switch (m.record.kind) {
    case 'lambda-destination':
      return { requestPayload: m.record.requestPayload, responsePayload: m.record.responsePayload };
    case 'eventbridge-target':
      return m.record.event;
    case 'poison-outbox':
      return m.record.payload;
    case 'stream-batch':
      return m.streamRecords ?? m.streamRecordsError ?? m.record.batch;
    case 'unknown':
      return m.attributes;
  }
}

export function formatInspect(
  queue: string,
  messages: readonly InspectedMessage[],
  missing: readonly string[],
): string {
  const lines = [`${queue}: ${messages.length} message(s)`];
  for (const m of messages) {
    lines.push(
      '',
      `${m.messageId}  ${m.kind}  ${age(m.ageSeconds)}${m.sentAt ? ` (${m.sentAt})` : ''}`,
      `  from      ${m.origin}`,
      `  error     ${m.error}`,
      `  attempts  ${m.attempts ?? '?'}`,
      `  redrive   ${m.redrive}`,
      m.record.kind === 'stream-batch'
        ? '  records (read from the stream now, as the mapping filters them):'
        : '  original:',
      indentJson(original(m)),
    );
  }
  for (const id of missing) lines.push('', `${id}: not in the queue`);
  return lines.join('\n');
}

export function formatRedrive(report: RedriveReport): string {
  const lines = [`${report.queue.hop} (${report.queue.name})${report.dryRun ? ': dry run' : ''}`];
  for (const r of report.results) {
    const via = r.fallback ? ' (the stream no longer had the records: their outbox items were republished)' : '';
    lines.push(
      `  ${r.messageId}  ${r.kind}  ${r.outcome.toUpperCase()}${via}`,
      `      ${r.action}`,
      `      ${r.detail}`,
    );
  }
  for (const id of report.missing) lines.push(`  ${id}  NOT FOUND in the queue`);
  const count = (o: string) => report.results.filter((r) => r.outcome === o).length;
  lines.push(
    report.results.length === 0 && report.missing.length === 0
      ? 'Nothing to redrive.'
      : `${count('redriven')} redriven, ${count('failed')} failed, ${count('skipped')} skipped${report.dryRun ? `, ${count('planned')} planned` : ''}${report.missing.length ? `, ${report.missing.length} not found` : ''}.`,
  );
  return lines.join('\n');
}

export function republishHeader(target: string, where: { table: string; bus: string }, dryRun: boolean): string {
  return `Republish from the outbox of ${where.table} to ${where.bus} (${target})${dryRun ? ': dry run, nothing published' : ''}`;
}

/** One line per event; the error on a second line. */
export function republishLines(results: readonly RepublishResult[]): string {
  return results
    .map((r) => {
      const what = [r.type, r.subject, r.time].filter(Boolean).join('  ');
      const line = `  ${r.eventId}  ${r.outcome.toUpperCase()}${what ? `  ${what}` : ''}`;
      return r.error ? `${line}\n      ${clip(r.error.replace(/\s+/g, ' '), 300)}` : line;
    })
    .join('\n');
}

export function republishFooter(report: RepublishReport): string {
  const c = report.counts;
  const parts = report.dryRun ? [`${c.planned} to publish`] : [`${c.published} published`, `${c.failed} failed`];
  if (c.invalid) parts.push(`${c.invalid} invalid (not valid events of the catalog: not published)`);
  if (c.missing) parts.push(`${c.missing} not found`);
  const lines: string[] = [];
  if (report.results.length === 0) {
    lines.push('from' in report.selection ? 'No outbox event in that window.' : 'Nothing to republish.');
  }
  if (report.scanned !== null) lines.push(`${report.scanned} outbox item(s) scanned.`);
  if (report.unreadable.length) {
    lines.push(
      `${report.unreadable.length} outbox item(s) have no readable event time and were left out: ${report.unreadable.slice(0, 20).join(', ')}${report.unreadable.length > 20 ? ', …' : ''}`,
    );
  }
  lines.push(`${parts.join(', ')}.`);
  return lines.join('\n');
}
