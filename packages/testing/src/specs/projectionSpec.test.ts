import { AssertionError } from 'node:assert';
import type { Projection } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';
import { projectionSpec } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import { AccountOpened, Balances, MoneyDeposited, MoneyWithdrawn } from '../__fixtures__/bank.js';

class DepositCount implements Projection<{ deposits: number; amount: number }> {
  state = { deposits: 0, amount: 0 };
  async apply(event: AnyDomainEvent): Promise<void> {
    if (event instanceof MoneyDeposited) {
      this.state = { deposits: this.state.deposits + 1, amount: this.state.amount + event.amount };
    }
  }
  async rebuild(): Promise<void> {}
}

describe('projectionSpec', () => {
  it('feeds an EventSourcedProjection real stored events in global order across streams', async () => {
    const projection = await projectionSpec(new Balances())
      .given('Account-1', [
        new AccountOpened({ owner: 'a', currency: 'EUR' }),
        new MoneyDeposited({ amount: 5 }),
      ])
      .given('Account-2', [
        new AccountOpened({ owner: 'b', currency: 'EUR' }),
        new MoneyDeposited({ amount: 7 }),
      ])
      .given('Account-1', [new MoneyWithdrawn({ amount: 2 })])
      .thenState({ total: 10 });
    expect([...projection.byStream]).toEqual([
      ['Account-1', 3],
      ['Account-2', 7],
    ]);
    expect(projection.checkpoint, 'the projection saw 5 global positions').toBe(5);
  });

  it('accepts a predicate', async () => {
    await projectionSpec(new Balances())
      .given([new AccountOpened({ owner: 'a', currency: 'EUR' })])
      .thenState((p) => p.byStream.get('spec-1') === 0);
  });

  it('drives a cqrs Projection with the domain events and compares its state', async () => {
    await projectionSpec(new DepositCount())
      .given([
        new MoneyDeposited({ amount: 2 }),
        new MoneyWithdrawn({ amount: 1 }),
        new MoneyDeposited({ amount: 3 }),
      ])
      .thenState({ deposits: 2, amount: 5 });
  });

  it('fails readably when the state differs or applying throws', async () => {
    const wrong = await projectionSpec(new DepositCount())
      .given([new MoneyDeposited({ amount: 2 })])
      .thenState({ amount: 3 })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AssertionError);
    expect((wrong as Error).message).toContain('amount is 2, expected 3');

    class Exploding extends Balances {
      override async apply(): Promise<void> {
        throw new Error('boom');
      }
    }
    const spec = projectionSpec(new Exploding()).given([new MoneyDeposited({ amount: 1 })]);
    expect(await spec.thenThrows('boom')).toBeInstanceOf(Error);
    const error = await spec.thenState({ total: 0 }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('applying the events threw Error: boom');
  });
});
