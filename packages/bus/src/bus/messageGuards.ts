import type { AnyCommand } from '@pd/cqrs';
import type { AnyDomainEvent } from '@pd/ddd';

// Structural, not instanceof: two loaded copies of @pd/ddd or @pd/cqrs must still interoperate.

/** True for a domain event (anything with the domain event surface). */
export function isDomainEvent(value: unknown): value is AnyDomainEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<'eventType' | 'eventId' | 'stamp', unknown>>;
  return (
    typeof v.eventType === 'string' &&
    typeof v.eventId === 'string' &&
    typeof v.stamp === 'function'
  );
}

/** True for a command (anything with the command surface). */
export function isCommand(value: unknown): value is AnyCommand {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<'commandType' | 'commandId' | 'withTracing', unknown>>;
  return (
    typeof v.commandType === 'string' &&
    typeof v.commandId === 'string' &&
    typeof v.withTracing === 'function'
  );
}
