import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Money, type OrderEvent, Order as StateBasedOrder } from '@pd-examples/level1-domain';
import { describe, expect, it } from 'vitest';
import { Order } from './order.js';

/** The text between `// #region commands` and `// #endregion commands`, whitespace-normalised. */
function commandMethods(file: string): string {
  const source = readFileSync(file, 'utf8');
  const match = /\/\/ #region commands\n([\s\S]*?)\/\/ #endregion commands/.exec(source);
  if (!match?.[1]) throw new Error(`no commands region in ${file}`);
  return match[1].replace(/\s+/g, ' ').trim();
}

const level1File = fileURLToPath(new URL('../../level1-domain/src/order.ts', import.meta.url));
const level4File = fileURLToPath(new URL('./order.ts', import.meta.url));

describe('level 1 → level 4: only the base changes', () => {
  it('keeps the command methods textually identical', () => {
    const level1 = commandMethods(level1File);
    expect(level1).toContain('static place(');
    expect(commandMethods(level4File)).toBe(level1);
  });

  it('gives the same state and the same events for the same commands', () => {
    const eur = Money.of(2_500, 'EUR');
    const v1 = StateBasedOrder.place('ada', eur);
    v1.pay('pay-1', eur);
    const v4 = Order.place('ada', eur);
    v4.pay('pay-1', eur);
    const { id: _1, version: _v1, ...state1 } = v1.toJSON();
    const { id: _4, version: _v4, ...state4 } = v4.toJSON();
    expect(state4).toEqual(state1);
    // Same events, same payloads — apart from the order id each order minted for itself.
    const payloads = (events: readonly { payload(): object }[]) =>
      events.map((e) => ({ ...e.payload(), orderId: 'same' }));
    expect(payloads(v4.peekEvents())).toEqual(payloads(v1.peekEvents()));
  });

  it('rebuilds an order from the events a level-1 order recorded', () => {
    const v1 = StateBasedOrder.place('ada', Money.of(900, 'USD'));
    v1.cancel('out of stock');
    const rebuilt = Order.fromHistory(v1.id, v1.pullEvents() as OrderEvent[]);
    expect(rebuilt.status).toBe('cancelled');
    expect(rebuilt.version).toBe(2);
  });
});
