import { type Application, bootstrap, MessageBus } from '@pd/bus';
import { type CommandDispatcher, type DispatchOutcome, InMemoryUnitOfWork } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import { describe, expectTypeOf, it } from 'vitest';
import { ConfirmOrder, GetOrderTotal, OrderPlaced, PlaceOrder } from '../testSupport/shop.js';

const bus = new MessageBus();
const uow = () => new InMemoryUnitOfWork();

describe('MessageBus types', () => {
  it('infers the result of send and dispatch from the command', () => {
    expectTypeOf(bus.send(new PlaceOrder({ orderId: 'o', total: 1 }))).resolves.toEqualTypeOf<{
      orderId: string;
    }>();
    expectTypeOf(bus.send(new ConfirmOrder({ orderId: 'o' }))).resolves.toEqualTypeOf<void>();
    expectTypeOf(bus.dispatch(new PlaceOrder({ orderId: 'o', total: 1 }))).resolves.toEqualTypeOf<
      DispatchOutcome<{ orderId: string }>
    >();
  });

  it('infers the answer of ask from the query', () => {
    expectTypeOf(bus.ask(new GetOrderTotal({ orderId: 'o' }))).resolves.toEqualTypeOf<
      number | undefined
    >();
  });

  it('rejects a command handler with the wrong result type', () => {
    bus.registerCommand(PlaceOrder, (cmd) => ({ orderId: cmd.orderId }), { uow });
    // @ts-expect-error the handler must return { orderId: string }
    bus.registerCommand(PlaceOrder, () => ({ id: 1 }), { uow });
    // @ts-expect-error a query handler must answer number | undefined
    bus.registerQuery(GetOrderTotal, () => 'many');
  });

  it('types event handlers from the event class, and by-name handlers as any domain event', () => {
    bus.on(OrderPlaced, (event) => {
      expectTypeOf(event).toEqualTypeOf<OrderPlaced>();
      expectTypeOf(event.total).toEqualTypeOf<number>();
    });
    bus.onType('Legacy', (event) => {
      expectTypeOf(event).toEqualTypeOf<AnyDomainEvent>();
    });
    // @ts-expect-error OrderPlaced has no field `sku`
    bus.on(OrderPlaced, (event) => event.sku);
  });

  it('is a CommandDispatcher, and so is an Application', async () => {
    expectTypeOf(bus).toExtend<CommandDispatcher>();
    const app = await bootstrap({ bus, stores: { events: [1, 2, 3] } });
    expectTypeOf(app).toExtend<CommandDispatcher>();
    expectTypeOf(app).toEqualTypeOf<Application<{ events: number[] }>>();
    expectTypeOf(app.stores.events).toEqualTypeOf<number[]>();
    expectTypeOf(app.send(new PlaceOrder({ orderId: 'o', total: 1 }))).resolves.toEqualTypeOf<{
      orderId: string;
    }>();
  });
});
