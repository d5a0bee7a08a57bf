/**
 * Dead letters: every queue the template uses as a DLQ or failure destination (`GET /_local/dlq`), its messages
 * (what kind of record, the error, when), and a Redrive button (`POST /_local/dlq/{queue}/redrive`) whose report
 * is shown next to it. Live: reloaded when a queue receives a record.
 */
import { getJson, postJson } from '../api.js';
import { badge, dateTime, functionName, h, pretty, shortName, throttle } from '../dom.js';

/**
 * @typedef {{ messageId: string, body: any, attributes: Record<string, string>, sentAt: string,
 *   receiveCount: number }} DeadLetter
 * @typedef {{ queue: string, arn: string, url: string, usedBy: string[], messages: DeadLetter[] }} DeadLetterQueue
 * @typedef {{ queue: string, redriven: string[], failed: { messageId: string, error: string }[],
 *   skipped: { messageId: string, reason: string }[] }} RedriveReport
 */

/**
 * What a dead letter is and why it is there.
 * @param {DeadLetter} m
 * @returns {{ kind: string, error: string }}
 */
export function describeDeadLetter(m) {
  const body = m.body && typeof m.body === 'object' ? m.body : undefined;
  if (m.attributes.RULE_ARN) {
    return {
      kind: `EventBridge event (rule ${shortName(m.attributes.RULE_ARN)})`,
      error: [m.attributes.ERROR_CODE, m.attributes.ERROR_MESSAGE].filter(Boolean).join(': '),
    };
  }
  const response = body?.responsePayload;
  const responseError = response?.errorType ? `${response.errorType}: ${response.errorMessage ?? ''}` : '';
  if (body?.DDBStreamBatchInfo) {
    const info = body.DDBStreamBatchInfo;
    return {
      kind: `Stream batch (${info.batchSize ?? '?'} records) of ${functionName(body.requestContext?.functionArn ?? '')}`,
      error: responseError || body.requestContext?.condition || body.responseContext?.functionError || '',
    };
  }
  if (body?.requestContext?.functionArn) {
    return {
      kind: `Failed async invocation of ${functionName(body.requestContext.functionArn)}`,
      error: responseError || body.requestContext.condition || '',
    };
  }
  return { kind: 'Message', error: m.attributes.ERROR_MESSAGE ?? '' };
}

/** @param {HTMLElement} root @param {(total: number) => void} onTotal */
export function deadLettersView(root, onTotal) {
  let disposed = false;
  /** @type {Map<string, RedriveReport | string>} */
  const reports = new Map();
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const list = h('div', { class: 'queues' });
  root.append(
    h(
      'section',
      { 'aria-labelledby': 'dlq-title' },
      h('h1', { id: 'dlq-title' }, 'Dead letters'),
      h(
        'p',
        { class: 'lede' },
        'Every queue the template uses as a dead-letter queue or failure destination. Redrive sends each record back to where it failed; a message leaves the queue only when its redrive worked.',
      ),
      status,
      list,
    ),
  );

  async function refresh() {
    try {
      /** @type {{ queues: DeadLetterQueue[] }} */
      const body = await getJson('/_local/dlq');
      if (disposed) return;
      const total = body.queues.reduce((n, q) => n + q.messages.length, 0);
      onTotal(total);
      status.textContent = `${body.queues.length} queues, ${total} message${total === 1 ? '' : 's'}`;
      list.replaceChildren(...body.queues.map(renderQueue));
    } catch (error) {
      if (!disposed) status.textContent = `Could not load the dead letters: ${String(error)}`;
    }
  }

  /** @param {DeadLetterQueue} q */
  function renderQueue(q) {
    const titleId = `q-${q.queue}`;
    const report = reports.get(q.queue);
    const button = h(
      'button',
      {
        type: 'button',
        class: 'primary',
        disabled: q.messages.length === 0,
        'aria-describedby': titleId,
        onclick: async () => {
          button.setAttribute('disabled', '');
          button.textContent = 'Redriving…';
          try {
            reports.set(q.queue, await postJson(`/_local/dlq/${encodeURIComponent(q.queue)}/redrive`));
          } catch (error) {
            reports.set(q.queue, String(error));
          }
          await refresh();
        },
      },
      'Redrive',
    );
    return h(
      'article',
      { class: 'panel queue', 'data-queue': q.queue },
      h(
        'div',
        { class: 'panel-head' },
        h(
          'h2',
          { id: titleId, title: q.arn },
          shortName(q.queue),
          ' ',
          badge(`${q.messages.length}`, q.messages.length ? 'dlq-full' : 'dlq-empty'),
        ),
        button,
      ),
      h('p', { class: 'muted small' }, `Used by: ${q.usedBy.join('; ')}`),
      report ? renderReport(report) : null,
      q.messages.length === 0
        ? h('p', { class: 'muted' }, 'Empty.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Sent', 'Kind', 'Error', 'Receives', 'Message'].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h(
                'tbody',
                {},
                q.messages.map((m) => {
                  const { kind, error } = describeDeadLetter(m);
                  return h(
                    'tr',
                    { 'data-message': m.messageId },
                    h('td', { class: 'small' }, dateTime(m.sentAt)),
                    h('td', {}, kind),
                    h('td', { class: 'error-text' }, error || '—'),
                    h('td', { class: 'num' }, m.receiveCount),
                    h(
                      'td',
                      {},
                      h(
                        'details',
                        { class: 'json' },
                        h('summary', {}, h('code', {}, m.messageId.slice(0, 8))),
                        h('pre', { tabindex: 0 }, pretty({ attributes: m.attributes, body: m.body })),
                      ),
                    ),
                  );
                }),
              ),
            ),
          ),
    );
  }

  /** @param {RedriveReport | string} report */
  function renderReport(report) {
    if (typeof report === 'string')
      return h('p', { class: 'report error-text', role: 'status' }, `Redrive failed: ${report}`);
    return h(
      'div',
      { class: 'report', role: 'status' },
      h(
        'p',
        {},
        `Last redrive: ${report.redriven.length} redriven, ${report.failed.length} failed, ${report.skipped.length} skipped.`,
      ),
      report.failed.length || report.skipped.length
        ? h(
            'ul',
            { class: 'small' },
            report.failed.map((f) => h('li', { class: 'error-text' }, `${f.messageId}: ${f.error}`)),
            report.skipped.map((f) => h('li', {}, `${f.messageId}: skipped (${f.reason})`)),
          )
        : null,
    );
  }

  const refreshSoon = throttle(refresh, 200);
  void refresh();
  return {
    title: 'Dead letters',
    /** @param {import('../live.js').Change[]} changes */
    onChanges(changes) {
      if (changes.some((c) => c.kind === 'queue')) refreshSoon();
    },
    refresh,
    dispose() {
      disposed = true;
    },
  };
}
