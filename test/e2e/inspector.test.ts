/**
 * The local saga inspector (`/_local/`) in a real browser: Debian's chromium driven by playwright-core. A declined
 * order's saga is drawn from the template's definition with the failed step caught, the compensations run and the
 * other states not reached; a new order appears in the list live; the page's own routes serve only what they should.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { apiUrl, createStockedProduct, finalOrder, http, placeOrder, uniqueCustomer, waitFor } from './client';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');
/** Every wait in the browser has this deadline (the saga itself is already final when the page opens). */
const PAGE_DEADLINE_MS = 20_000;

/** What the evaluated functions use of the browser (this project's TypeScript has no DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { fill: string };
}

let context: BrowserContext | undefined;
let profile: string | undefined;

function browser(): BrowserContext {
  if (!context) throw new Error('the browser did not start (see beforeAll)');
  return context;
}

/** A page that records what would make the test meaningless: script errors and requests leaving the runtime. */
async function openPage(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser().newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A 404 the page asked for on purpose (an execution without an order record) is not a problem.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console error: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(apiUrl()) && !request.url().startsWith('data:'))
      problems.push(`request outside the runtime: ${request.url()}`);
  });
  await page.goto(`${apiUrl()}${path}`);
  return { page, problems };
}

describe('inspector page', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}. The inspector's browser test drives Debian's chromium with ` +
          'playwright-core (`npx playwright install` cannot download browsers here): run `apt-get install -y chromium` ' +
          '(.ci/run does), or point CHROMIUM_PATH at a Chromium binary.',
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'inspector-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      timeout: PAGE_DEADLINE_MS,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context.setDefaultTimeout(PAGE_DEADLINE_MS);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("draws a declined order's saga: the failed step caught, the compensations run, the rest not reached", async () => {
    const sku = await createStockedProduct(2);
    const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }], 'tok_chargeDeclined');
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    expect(await finalOrder(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
    const execution = await waitFor(`the saga of ${orderId} to end`, async () => {
      const found = await http<{ status: string; stateMachine: string }>('GET', `/_local/executions/${orderId}`);
      return found.status === 200 && found.body.status !== 'RUNNING' ? found.body : undefined;
    });
    const definition = await http<{ States: Record<string, unknown> }>(
      'GET',
      `/_local/state-machines/${encodeURIComponent(execution.stateMachine)}/definition`,
    );

    const { page, problems } = await openPage(`/_local/#/orders/${orderId}`);
    await page.locator('#graph[data-status="SUCCEEDED"] svg.graph').waitFor();
    const outcome = (state: string) => page.locator(`#graph [data-state="${state}"]`).getAttribute('data-outcome');

    // The forward steps: reserved, then the payment failed and a Catch took it to the compensations.
    expect(await outcome('Route')).toBe('succeeded');
    expect(await outcome('ReserveInventory')).toBe('succeeded');
    expect(await outcome('AuthorizePayment')).toBe('caught');
    // The compensations that ran, and the end state.
    expect(await outcome('Reason_PAYMENT_DECLINED')).toBe('succeeded');
    expect(await outcome('ReleaseInventory')).toBe('compensated');
    expect(await outcome('CancelOrder')).toBe('compensated');
    expect(await outcome('OrderCancelled')).toBe('succeeded');
    // Nothing was paid, so VoidPayment is skipped; the order was never confirmed.
    for (const state of ['ConfirmOrder', 'OrderConfirmed', 'VoidPayment', 'Reason_PAYMENT_FAILED']) {
      expect([state, await outcome(state)]).toEqual([state, 'not-reached']);
    }
    // Every state of the definition is drawn, and the path went along the Catch edge.
    expect(await page.locator('#graph [data-state]').count()).toBe(Object.keys(definition.body.States).length);
    const catchEdge = page.locator('#graph path[data-from="AuthorizePayment"][data-to="Reason_PAYMENT_DECLINED"]');
    expect(await catchEdge.getAttribute('data-kind')).toBe('catch');
    expect(await catchEdge.getAttribute('data-taken')).toBe('true');
    // The colours come from the stylesheet: a compensation does not look like a state that was not reached.
    const fill = (state: string) =>
      page
        .locator(`#graph [data-state="${state}"] rect.box`)
        .evaluate((rect) => (globalThis as unknown as BrowserWindow).getComputedStyle(rect).fill);
    expect(await fill('CancelOrder')).not.toBe(await fill('VoidPayment'));
    expect(await fill('AuthorizePayment')).not.toBe(await fill('ReserveInventory'));

    // The failing step is selected first, with its error; a click shows another state's input and timing.
    const details = page.locator('aside.state-details');
    await details.locator('h3', { hasText: 'AuthorizePayment' }).waitFor();
    expect(await details.textContent()).toContain('PaymentDeclined');
    await page.locator('#graph [data-state="ReleaseInventory"]').click();
    await details.locator('h3', { hasText: 'ReleaseInventory' }).waitFor();
    expect(await details.locator('[data-outcome]').first().textContent()).toBe('compensated');
    expect(await details.textContent()).toContain('Duration');
    expect(await details.textContent()).toContain(orderId);

    // The event timeline tells the order's story across subjects (order, payment) with the consumers reached.
    const timeline = page.locator('table.timeline');
    for (const type of ['OrderPlaced', 'InventoryReserved', 'PaymentDeclined', 'InventoryReleased', 'OrderCancelled']) {
      await timeline.locator(`tr[data-event-type="${type}"]`).first().waitFor();
    }
    expect(await timeline.locator('tr[data-event-type="OrderPlaced"]').textContent()).toContain('delivered');

    await page.screenshot({ path: join(ARTIFACTS, 'inspector-declined-order.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lists a new order live, without reloading, until it is confirmed', async () => {
    const { page, problems } = await openPage('/_local/#/orders');
    await page.locator('#live[data-live="live"]').waitFor();
    const sku = await createStockedProduct(1);
    const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }]);
    const row = page.locator(`tr[data-order="${placed.body.orderId}"]`);
    // The order is CONFIRMED a moment before its execution closes: wait for both, as they arrive.
    await row.locator('.badge-confirmed').waitFor();
    await row.locator('.badge-exec-succeeded').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('inspector routes', () => {
  it('serves the page, its modules and the layout library with their content types, and nothing outside them', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${apiUrl()}${path}`, { redirect: 'manual' });
      await response.arrayBuffer();
      return { status: response.status, type: response.headers.get('content-type') ?? '' };
    };
    expect(await get('/_local/')).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
    expect((await get('/_local')).status).toBe(308);
    expect(await get('/_local/inspector/app.js')).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(await get('/_local/inspector/styles.css')).toEqual({ status: 200, type: 'text/css; charset=utf-8' });
    expect(await get('/_local/vendor/elk.bundled.js')).toEqual({ status: 200, type: 'text/javascript; charset=utf-8' });
    for (const path of [
      '/_local/inspector/..%2f..%2fpackage.json',
      '/_local/inspector/%2e%2e/runtime.ts',
      '/_local/inspector/views/..%2F..%2Finspect%2Froutes.ts',
      '/_local/inspector/%00app.js',
      '/_local/inspector/',
      '/_local/vendor/elk-worker.js',
    ]) {
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    }
  });

  it('streams changes as server-sent events and serves the definition it draws', async () => {
    const abort = new AbortController();
    const stream = await fetch(`${apiUrl()}/_local/stream`, { signal: abort.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    abort.abort();
    const { body } = await http<{ stateMachines: { name: string; startAt: string }[] }>(
      'GET',
      '/_local/state-machines',
    );
    const saga = body.stateMachines.find((m) => m.startAt === 'Route');
    expect(saga).toBeDefined();
    const definition = await http<{ StartAt: string; States: Record<string, { Type: string }> }>(
      'GET',
      `/_local/state-machines/${encodeURIComponent(saga?.name ?? '')}/definition`,
    );
    expect(definition.body.States.AuthorizePayment?.Type).toBe('Task');
  });

  it('serves /openapi.json from docs/api when it exists, else a 404 that says how to make it', async () => {
    const response = await http('GET', '/openapi.json');
    if (existsSync(join(__dirname, '..', '..', 'docs', 'api', 'openapi.json'))) {
      expect(response.status).toBe(200);
      expect(response.body).toHaveProperty('openapi');
    } else {
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.body)).toContain('npm run contracts');
    }
  });
});
