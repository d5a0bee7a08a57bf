export default async function teardown(): Promise<void> {
  await globalThis.__E2E_RUNTIME__?.stop();
}
