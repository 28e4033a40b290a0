import type { AnyDomainEvent } from '@pd/ddd';
import { fail, jsonOf, sameJson } from './failure.js';

/**
 * An expected event: a domain event instance, or its type name and payload. Only the type and the
 * payload are compared; ids, timestamps and tracing ids are ignored.
 *
 * @example
 * [new MoneyWithdrawn({ amount: 5 }), { type: 'AccountTagged', payload: { tag: 'vip' } }]
 */
export type ExpectedEvent =
  | AnyDomainEvent
  | { readonly type: string; readonly payload?: Readonly<Record<string, unknown>> };

/** The comparable form of an event: type and JSON payload. */
export interface EventShape {
  readonly type: string;
  readonly payload: unknown;
}

/** Type and payload of a domain event, command, stored event, JSON envelope or `{ type, payload }`. */
export function shapeOf(event: unknown): EventShape {
  if (typeof event !== 'object' || event === null) {
    return fail(`expected an event, got ${String(event)}`);
  }
  const candidate = event as { eventType?: unknown; payload?: unknown; type?: unknown };
  if (typeof candidate.eventType === 'string' && typeof candidate.payload === 'function') {
    const domainEvent = event as AnyDomainEvent;
    return { type: domainEvent.eventType, payload: jsonOf(domainEvent.payload()) };
  }
  const command = event as { commandType?: unknown; toJSON?: unknown };
  if (typeof command.commandType === 'string' && typeof command.toJSON === 'function') {
    const json = (command.toJSON as () => { payload?: unknown }).call(event);
    return { type: command.commandType, payload: jsonOf(json.payload ?? {}) };
  }
  if (typeof candidate.type === 'string') {
    return { type: candidate.type, payload: jsonOf(candidate.payload ?? {}) };
  }
  return fail(`expected an event, got ${JSON.stringify(jsonOf(event))}`);
}

function line(shape: EventShape, index: number): string {
  return `  ${index + 1}. ${shape.type} ${JSON.stringify(shape.payload)}`;
}

/** Lists events one per line for a failure message. */
export function listEvents(shapes: readonly EventShape[]): string {
  return shapes.length === 0 ? '  (none)' : shapes.map(line).join('\n');
}

/**
 * Asserts that `actual` events equal `expected` by type and payload, in order. The failure
 * message lists both sides and names the first difference.
 */
export function assertEvents(
  what: string,
  actual: readonly unknown[],
  expected: readonly ExpectedEvent[],
): void {
  const actualShapes = actual.map(shapeOf);
  const expectedShapes = expected.map(shapeOf);
  const count = Math.max(actualShapes.length, expectedShapes.length);
  for (let i = 0; i < count; i++) {
    const a = actualShapes[i];
    const e = expectedShapes[i];
    if (a !== undefined && e !== undefined && a.type === e.type && sameJson(a.payload, e.payload)) {
      continue;
    }
    const where =
      a === undefined
        ? `event ${i + 1} (${e?.type}) is missing`
        : e === undefined
          ? `event ${i + 1} (${a.type}) was not expected`
          : a.type !== e.type
            ? `event ${i + 1} is ${a.type}, expected ${e.type}`
            : `event ${i + 1} (${a.type}) has another payload`;
    fail(
      `${what}: ${where}\nexpected:\n${listEvents(expectedShapes)}\nactual:\n${listEvents(actualShapes)}`,
      { actual: actualShapes, expected: expectedShapes },
    );
  }
}
