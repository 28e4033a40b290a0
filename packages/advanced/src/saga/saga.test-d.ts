import { type AnySaga, Saga, type SagaClass, type SagaManager, SagaState } from '@pd/advanced/saga';
import { describe, expectTypeOf, it } from 'vitest';
import { OrderFulfilment, OrderPlaced, ReserveStock } from './testSupport/orderFulfilment.js';

describe('saga types', () => {
  it('types the event in declarative and imperative handlers', () => {
    class Typed extends Saga<{ count: number }> {
      static override readonly sagaType = 'Typed';
      protected override configure(): void {
        this.on(OrderPlaced, {
          send: (e) => {
            expectTypeOf(e).toEqualTypeOf<OrderPlaced>();
            return new ReserveStock({ orderId: e.orderId });
          },
          failReason: (e) => e.orderId,
          fail: true,
        });
        this.on(OrderPlaced, (e) => {
          expectTypeOf(e.amount).toEqualTypeOf<number>();
          expectTypeOf(this.data.count).toEqualTypeOf<number>();
        });
        // @ts-expect-error a handler queues commands with dispatch(); it does not return them
        this.on(OrderPlaced, (e) => new ReserveStock({ orderId: e.orderId }));
        // @ts-expect-error data updates are checked against the saga's data type
        this.updateData({ count: 'many' });
      }
    }
    expectTypeOf(Typed).toExtend<SagaClass>();
  });

  it('accepts concrete saga classes where a SagaClass is expected, and types start()', () => {
    expectTypeOf(OrderFulfilment).toExtend<SagaClass<AnySaga>>();
    expectTypeOf<SagaManager['start']>().returns.toEqualTypeOf<Promise<string>>();
    // @ts-expect-error an abstract base is not a runnable saga class
    const abstractClass: SagaClass = Saga;
    void abstractClass;
  });

  it('types the saga data on the state', () => {
    const state = SagaState.create<{ orderId?: string }>({ sagaType: 'T', correlationId: 'c' });
    expectTypeOf(state.data.orderId).toEqualTypeOf<string | undefined>();
  });
});
