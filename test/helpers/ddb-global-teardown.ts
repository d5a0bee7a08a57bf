export default async function teardown(): Promise<void> {
  await globalThis.__DDB_LOCAL__?.stop();
}
