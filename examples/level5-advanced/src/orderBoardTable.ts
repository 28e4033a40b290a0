import type { StoredEvent } from '@pd/eventsourcing';
import type { SqlQueryable } from '@pd/postgres';
import {
  OrderCancelled,
  OrderPaid,
  OrderPlaced,
  type OrderStatus,
} from '@pd-examples/level1-domain';
import type { OrderView } from '@pd-examples/level2-cqrs';

/**
 * The order board of level 4, kept in a PostgreSQL table instead of a `Map`, so it survives
 * restarts. A `SubscriptionRunner` feeds it (at least once, in global order) and keeps its
 * checkpoint; every write is an idempotent upsert keyed on the order id, so a redelivered batch
 * changes nothing.
 */
export class OrderBoardTable {
  readonly #table: string;

  constructor(
    private readonly db: SqlQueryable,
    schema: string,
  ) {
    // `schema` went through `migrate`'s identifier check before this is built.
    this.#table = `"${schema}".order_board`;
  }

  /** Creates the table if needed (the read model is ours; pd's migrations own the rest). */
  async ensure(): Promise<void> {
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.#table} (
      order_id text PRIMARY KEY,
      customer_id text NOT NULL,
      total text NOT NULL,
      status text NOT NULL,
      position bigint NOT NULL
    )`);
  }

  /** The subscription handler: applies a batch of stored (already upcast) events. */
  async apply(events: readonly StoredEvent[]): Promise<void> {
    for (const stored of events) {
      const position = stored.globalPosition;
      if (stored.type === OrderPlaced.typeName) {
        const e = OrderPlaced.fromJSON(stored);
        await this.db.query(
          `INSERT INTO ${this.#table} (order_id, customer_id, total, status, position)
           VALUES ($1, $2, $3, 'placed', $4)
           ON CONFLICT (order_id) DO NOTHING`,
          [e.orderId, e.customerId, String(e.total), position],
        );
      } else if (stored.type === OrderPaid.typeName) {
        await this.#setStatus(OrderPaid.fromJSON(stored).orderId, 'paid', position);
      } else if (stored.type === OrderCancelled.typeName) {
        await this.#setStatus(OrderCancelled.fromJSON(stored).orderId, 'cancelled', position);
      }
    }
  }

  async get(orderId: string): Promise<OrderView | undefined> {
    const [row] = await this.db.query<{
      order_id: string;
      customer_id: string;
      total: string;
      status: OrderStatus;
    }>(`SELECT order_id, customer_id, total, status FROM ${this.#table} WHERE order_id = $1`, [
      orderId,
    ]);
    return (
      row && {
        orderId: row.order_id,
        customerId: row.customer_id,
        total: row.total,
        status: row.status,
      }
    );
  }

  /** Orders per status, and the total number of rows. */
  async summary(): Promise<{ rows: number; byStatus: Record<string, number> }> {
    const rows = await this.db.query<{ status: string; n: number | string }>(
      `SELECT status, count(*) AS n FROM ${this.#table} GROUP BY status ORDER BY status`,
    );
    const byStatus: Record<string, number> = {};
    let total = 0;
    for (const row of rows) {
      byStatus[row.status] = Number(row.n);
      total += Number(row.n);
    }
    return { rows: total, byStatus };
  }

  async #setStatus(orderId: string, status: OrderStatus, position: number): Promise<void> {
    // Only move forward: a redelivered older event must not undo a newer one.
    await this.db.query(
      `UPDATE ${this.#table} SET status = $2, position = $3 WHERE order_id = $1 AND position < $3`,
      [orderId, status, position],
    );
  }
}
