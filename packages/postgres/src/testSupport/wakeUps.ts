import { PostgresEventNotifier, type SqlExecutor } from '@pd/postgres';

/** Counts the wake-ups a `PostgresEventNotifier` on `schema` receives; resolves once listening. */
export async function countWakeUps(
  db: SqlExecutor,
  schema: string,
): Promise<{ readonly count: () => number; readonly close: () => Promise<void> }> {
  const notifier = new PostgresEventNotifier(db, { schema });
  let wakeUps = 0;
  notifier.onAppended(() => {
    wakeUps += 1;
  });
  await notifier.ready();
  return { count: () => wakeUps, close: () => notifier.close() };
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
}
