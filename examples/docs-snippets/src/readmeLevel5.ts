// Mirror of the level-5 block of the root README.md (see readme.ts).
import { SubscriptionRunner } from '@pd/advanced';
import { Saga } from '@pd/advanced/saga';
import { Command } from '@pd/cqrs';
import { DomainEvent } from '@pd/ddd';
import { InMemoryCheckpointStore, InMemoryEventStore } from '@pd/eventsourcing';
import { z } from 'zod';
import { OrderPlaced } from './readme.js';

class ReserveStock extends Command()('ReserveStock', { orderId: z.string() }) {}
class ReleaseStock extends Command()('ReleaseStock', { orderId: z.string() }) {}
class CancelOrder extends Command()('CancelOrder', { orderId: z.string(), reason: z.string() }) {}
class PaymentDeclined extends DomainEvent('PaymentDeclined', {
  orderId: z.string(),
  reason: z.string(),
}) {}
const eventStore = new InMemoryEventStore();
const checkpointStore = new InMemoryCheckpointStore();
const board = new Map<string, string>();

// README block: level 5
class OrderFulfilment extends Saga<{ orderId?: string }> {
  static override readonly sagaType: string = 'OrderFulfilment';
  static override readonly listensTo = [OrderPlaced, PaymentDeclined];

  protected override configure(): void {
    this.on(OrderPlaced, {
      send: (e) => new ReserveStock({ orderId: e.orderId }),
      compensate: (e) => new ReleaseStock({ orderId: e.orderId }), // undone if a later step fails
    });
    this.on(PaymentDeclined, {
      send: (e) => new CancelOrder({ orderId: e.orderId, reason: e.reason }),
      fail: true, // compensates, newest first
    });
  }
}

const runner = new SubscriptionRunner({ eventStore, checkpointStore }).subscribe({
  id: 'order-board',
  eventTypes: [OrderPlaced],
  handler: (events) => {
    for (const e of events) board.set(e.streamId, e.type); // at least once, in global order
  },
});
await runner.runOnce(); // or run it as a worker under bootstrap: it resumes from its checkpoint

// end README block

export { OrderFulfilment };
