import {
  Command,
  type CommandBus,
  type CommandDispatcher,
  type DispatchOutcome,
  InMemoryUnitOfWork,
  Query,
  type QueryBus,
  type ResultOf,
  type UnitOfWork,
} from '@pd/cqrs';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

class PlaceOrder extends Command<{ orderId: string }>()('PlaceOrder', { customerId: z.string() }) {}
class Forget extends Command()('Forget', {}) {}
class GetOrder extends Query<{ id: string } | undefined>()('GetOrder', { orderId: z.string() }) {}
class ShopUow extends InMemoryUnitOfWork {
  readonly shop = 'shop';
}

declare const bus: CommandBus;
declare const queries: QueryBus;

describe('command and query result inference', () => {
  it('infers ResultOf from the message class', () => {
    expectTypeOf<ResultOf<PlaceOrder>>().toEqualTypeOf<{ orderId: string }>();
    expectTypeOf<ResultOf<Forget>>().toEqualTypeOf<void>();
    expectTypeOf<ResultOf<GetOrder>>().toEqualTypeOf<{ id: string } | undefined>();
  });

  it('types send, dispatch and ask without casts', () => {
    expectTypeOf(bus.send(new PlaceOrder({ customerId: 'c' }))).resolves.toEqualTypeOf<{
      orderId: string;
    }>();
    expectTypeOf(bus.send(new Forget({}))).resolves.toEqualTypeOf<void>();
    expectTypeOf(bus.dispatch(new PlaceOrder({ customerId: 'c' }))).resolves.toEqualTypeOf<
      DispatchOutcome<{ orderId: string }>
    >();
    expectTypeOf(queries.ask(new GetOrder({ orderId: 'o' }))).resolves.toEqualTypeOf<
      { id: string } | undefined
    >();
    expectTypeOf(bus).toExtend<CommandDispatcher>();
  });

  it('types the handler’s command and unit of work from the registration', () => {
    bus.register(
      PlaceOrder,
      (cmd, uow) => {
        expectTypeOf(cmd).toEqualTypeOf<PlaceOrder>();
        expectTypeOf(cmd.customerId).toEqualTypeOf<string>();
        expectTypeOf(uow).toEqualTypeOf<ShopUow>();
        return { orderId: 'o' };
      },
      { uow: () => new ShopUow() },
    );
    bus.register(Forget, async () => {}, { uow: () => new InMemoryUnitOfWork() });
    queries.register(GetOrder, async (q) => ({ id: q.orderId }));
  });

  it('rejects handlers whose result does not match the message’s result type', () => {
    // @ts-expect-error the handler must return { orderId: string }
    bus.register(PlaceOrder, () => ({ orderId: 1 }), { uow: () => new InMemoryUnitOfWork() });
    // @ts-expect-error an async handler is checked too
    bus.register(PlaceOrder, async () => 'nope', { uow: () => new InMemoryUnitOfWork() });
    // @ts-expect-error the query answers { id: string } | undefined
    queries.register(GetOrder, () => 42);
    // @ts-expect-error the uow factory is required
    bus.register(Forget, () => undefined, {});
    // @ts-expect-error the handler may not ask for a more specific unit of work than the factory makes
    bus.register(Forget, (_cmd, _uow: ShopUow) => undefined, {
      uow: (): UnitOfWork => new InMemoryUnitOfWork(),
    });
  });
});
