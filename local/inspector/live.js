/**
 * Live updates: server-sent events from `/_local/stream` (batches of changes). When the stream cannot be kept open
 * the page polls instead (`onRefresh` every few seconds) and tries the stream again at each tick. `onRefresh` also
 * runs after a reconnect, since what happened while disconnected is unknown.
 */

/**
 * @typedef {{ kind: 'execution', name: string, stateMachine: string, status: string }
 *   | { kind: 'event', id: string, type: string, subject: string | null, resources: string[] }
 *   | { kind: 'queue', arn: string }} Change
 */

const POLL_MS = 5000;

/**
 * @param {{
 *   onChanges: (changes: Change[]) => void,
 *   onRefresh: () => void,
 *   onStatus: (state: 'live' | 'reconnecting' | 'polling', text: string) => void,
 * }} handlers
 */
export function connectLive({ onChanges, onStatus, onRefresh }) {
  /** @type {EventSource | undefined} */
  let source;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let poller;
  let connectedOnce = false;
  let failures = 0;

  const poll = () => {
    onStatus('polling', `Polling every ${POLL_MS / 1000} s`);
    poller ??= setInterval(() => {
      onRefresh();
      if (!source && 'EventSource' in window) open();
    }, POLL_MS);
  };

  const open = () => {
    const current = new EventSource('/_local/stream');
    source = current;
    current.addEventListener('ready', () => {
      failures = 0;
      if (poller) clearInterval(poller);
      poller = undefined;
      onStatus('live', 'Live');
      if (connectedOnce) onRefresh();
      connectedOnce = true;
    });
    current.addEventListener('changes', (event) => {
      onChanges(JSON.parse(/** @type {MessageEvent<string>} */ (event).data).changes);
    });
    current.addEventListener('error', () => {
      failures += 1;
      if (current.readyState === EventSource.CLOSED || failures > 3) {
        current.close();
        source = undefined;
        failures = 0;
        poll();
      } else onStatus('reconnecting', 'Reconnecting…');
    });
  };

  if ('EventSource' in window) open();
  else poll();
}
