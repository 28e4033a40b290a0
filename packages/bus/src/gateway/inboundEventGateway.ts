import {
  type AnyCommand,
  type AnyIntegrationEvent,
  createMessageContext,
  type MessageClass,
  runInMessageContext,
} from '@pd/cqrs';
import {
  type AnyDomainEvent,
  type Clock,
  domainDefaults,
  isPdError,
  ValidationError,
} from '@pd/ddd';
import type { Lifecycle } from '../app/worker.js';
import type { DeliveryControl, MessageSubscriber } from '../broker/messageSubscriber.js';
import type { MessageBus } from '../bus/messageBus.js';
import { isCommand, isDomainEvent } from '../bus/messageGuards.js';
import type { DeadLetterSink } from '../deadLetter/deadLetterSink.js';
import { type BusLogger, ConsoleBusLogger } from '../logging/logger.js';

/**
 * An integration event class the gateway can read: its static `fromJSON` validates the wire
 * envelope `{ type, eventId, occurredAt, payload }`, and its constructor validates a flat payload.
 */
export type InboundIntegrationEventClass<TEvent extends AnyIntegrationEvent> =
  MessageClass<TEvent> & {
    fromJSON(json: unknown): AnyIntegrationEvent;
  };

/** Turns an inbound integration event into what this bounded context understands. */
export type InboundTranslator<TEvent extends AnyIntegrationEvent> = (
  event: TEvent,
) => AnyDomainEvent | AnyCommand | Promise<AnyDomainEvent | AnyCommand>;

/** Options of {@link InboundEventGateway}. */
export interface InboundEventGatewayOptions {
  /** Default: a {@link ConsoleBusLogger}. */
  readonly logger?: BusLogger;
  /** Where malformed (poison) messages are parked besides being logged. */
  readonly deadLetter?: DeadLetterSink;
  /** Stamps `failedAt` on dead letters. Default: the domain defaults' clock. */
  readonly clock?: Clock;
}

/** The part of a {@link MessageBus} the gateway uses. */
export type InboundDispatcher = Pick<MessageBus, 'send' | 'publish'>;

/**
 * The anti-corruption layer at the inbound edge: reads integration events from a
 * {@link MessageSubscriber}, translates each into a domain event or a command, and hands it to the
 * {@link MessageBus}. Acknowledgement follows what a broker needs:
 *
 * - success → **ack**;
 * - malformed payload (it fails the integration event's validation) → **ack** + error log (and the
 *   dead-letter sink, if any): redelivering a poison message can never succeed;
 * - translation or dispatch failure (a handler failing under the bus's `'collect'` policy, a
 *   command failing) → **nack**, so the broker redelivers.
 *
 * A payload may be the integration event's JSON envelope (`{ type, eventId, occurredAt, payload }`,
 * what pd's brokers publish) or just its fields (from a foreign producer: the topic implies the
 * type). The translation and dispatch run in a message context named after the integration event,
 * so commands they send are caused by it.
 *
 * @example
 * const gateway = new InboundEventGateway(subscriber, bus)
 *   .route('shipping', ParcelShipped, (ie) => new MarkOrderShipped({ orderId: ie.orderId }));
 * await gateway.start();
 */
export class InboundEventGateway implements Lifecycle {
  readonly #subscriber: MessageSubscriber;
  readonly #bus: InboundDispatcher;
  readonly #logger: BusLogger;
  readonly #deadLetter: DeadLetterSink | undefined;
  readonly #clock: Clock | undefined;
  readonly #routes = new Map<string, string>();
  /** Deliveries being handled: `stop` waits for them. */
  readonly #receiving = new Set<Promise<void>>();

  constructor(
    subscriber: MessageSubscriber,
    bus: InboundDispatcher,
    options: InboundEventGatewayOptions = {},
  ) {
    this.#subscriber = subscriber;
    this.#bus = bus;
    this.#logger = options.logger ?? new ConsoleBusLogger();
    this.#deadLetter = options.deadLetter;
    this.#clock = options.clock;
  }

  /**
   * Subscribes to `topic`: each message is read as `eventClass`, translated by `translate` and
   * sent (a command) or published (a domain event) on the bus. One route per topic; a second one
   * throws `DuplicateSubscriptionError` (from the subscriber).
   */
  route<TEvent extends AnyIntegrationEvent>(
    topic: string,
    eventClass: MessageClass<TEvent>,
    translate: InboundTranslator<NoInfer<TEvent>>,
  ): this {
    if (typeof topic !== 'string' || topic === '') {
      throw ValidationError.of('InboundEventGateway.route', 'topic', 'expected a non-empty topic');
    }
    if (typeof (eventClass as { fromJSON?: unknown })?.fromJSON !== 'function') {
      throw ValidationError.of(
        'InboundEventGateway.route',
        'eventClass',
        'expected an integration event class',
      );
    }
    if (typeof translate !== 'function') {
      throw ValidationError.of('InboundEventGateway.route', 'translate', 'expected a function');
    }
    this.#subscriber.subscribe(topic, (payload, delivery) => {
      const receiving = this.#receive(
        topic,
        eventClass as unknown as InboundIntegrationEventClass<TEvent>,
        translate,
        payload,
        delivery,
      );
      this.#receiving.add(receiving);
      const done = () => {
        this.#receiving.delete(receiving);
      };
      receiving.then(done, done);
      return receiving;
    });
    this.#routes.set(topic, eventClass.typeName);
    return this;
  }

  /** Routed topics with the integration event type each expects. */
  get routes(): ReadonlyMap<string, string> {
    return new Map(this.#routes);
  }

  async start(): Promise<void> {
    await this.#subscriber.start();
  }

  /**
   * Stops taking deliveries, then waits for the ones being handled (their commands commit or roll
   * back, and each is acknowledged or rejected) before it resolves.
   */
  async stop(): Promise<void> {
    await this.#subscriber.stop();
    while (this.#receiving.size > 0) await Promise.allSettled([...this.#receiving]);
  }

  async #receive<TEvent extends AnyIntegrationEvent>(
    topic: string,
    eventClass: InboundIntegrationEventClass<TEvent>,
    translate: InboundTranslator<TEvent>,
    payload: unknown,
    delivery: DeliveryControl,
  ): Promise<void> {
    let event: TEvent;
    try {
      event = read(eventClass, payload);
    } catch (error) {
      if (!isPdError(error, 'VALIDATION')) throw error;
      await this.#poison(topic, payload, error);
      delivery.ack();
      return;
    }
    try {
      const context = createMessageContext({
        message: event,
        kind: 'event',
        messageType: event.eventType,
        messageId: event.eventId,
      });
      await runInMessageContext(context, async () => {
        const translated = await translate(event);
        if (isCommand(translated)) await this.#bus.send(translated);
        else if (isDomainEvent(translated)) await this.#bus.publish(translated);
        else
          throw ValidationError.of(
            'InboundEventGateway',
            'translate',
            'must return a domain event or a command',
          );
      });
      delivery.ack();
    } catch (error) {
      this.#logger.error(
        `pd: inbound ${event.eventType} on ${topic} failed, rejecting for redelivery`,
        {
          topic,
          eventType: event.eventType,
          eventId: event.eventId,
          error,
        },
      );
      delivery.nack(error);
    }
  }

  async #poison(topic: string, payload: unknown, error: unknown): Promise<void> {
    this.#logger.error(`pd: malformed message on ${topic} acknowledged and dropped (poison)`, {
      topic,
      error,
    });
    await this.#deadLetter?.add({
      source: 'inbound-gateway',
      topic,
      payload,
      error,
      attempts: 1,
      failedAt: (this.#clock ?? domainDefaults().clock).now(),
    });
  }
}

/** Reads the JSON envelope when there is one, otherwise the flat fields (the topic implies the type). */
function read<TEvent extends AnyIntegrationEvent>(
  eventClass: InboundIntegrationEventClass<TEvent>,
  payload: unknown,
): TEvent {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw ValidationError.of(eventClass.typeName, '', 'expected a JSON object');
  }
  if ('payload' in payload && typeof (payload as { payload: unknown }).payload === 'object') {
    return eventClass.fromJSON(payload) as TEvent;
  }
  const Ctor = eventClass as unknown as new (payload: unknown) => TEvent;
  return new Ctor(payload);
}
