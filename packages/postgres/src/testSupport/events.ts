// Domain events and an aggregate used by this package's tests.
import { DomainEvent } from '@pd/ddd';
import { EventSourcedAggregateRoot } from '@pd/eventsourcing';
import { z } from 'zod';

export class Deposited extends DomainEvent('Deposited', {
  amount: z.number(),
  note: z.string().optional(),
}) {}
export class Withdrawn extends DomainEvent('Withdrawn', { amount: z.number() }) {}
export class Anything extends DomainEvent('Anything', { data: z.unknown() }) {}

export const deposit = (amount: number): Deposited => new Deposited({ amount });
export const deposits = (count: number, start = 1): Deposited[] =>
  Array.from({ length: count }, (_, i) => new Deposited({ amount: start + i }));

/** An event-sourced running total, for unit-of-work and snapshot tests. */
export class Tally extends EventSourcedAggregateRoot(
  'Tally',
  { total: z.number().default(0) },
  {
    events: [Deposited],
    apply: { Deposited: (state, e) => ({ total: state.total + e.amount }) },
  },
) {
  add(amount: number): void {
    this.record(new Deposited({ amount }));
  }
}
