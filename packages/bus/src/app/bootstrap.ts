import { Application, type ApplicationOptions } from './application.js';

/** Options of {@link bootstrap}: an {@link ApplicationOptions} plus whether to start it. */
export interface BootstrapOptions<TStores extends object = Record<string, never>>
  extends ApplicationOptions<TStores> {
  /** Start the application before returning it (default `true`). */
  readonly start?: boolean;
}

/**
 * Builds an {@link Application} from its parts (a bus and a registry are created when not given)
 * and starts it: gateways, broker, workers. The stores passed in are kept and exposed as
 * `app.stores`, typed.
 *
 * @example
 * const app = await bootstrap({
 *   bus, registry, broker,
 *   gateways: [new InboundEventGateway(subscriber, bus).route('shipping', ParcelShipped, toCommand)],
 *   workers: [new OutboxRelay(outbox, publishToBroker)],
 *   stores: { eventStore },
 * });
 */
export async function bootstrap<TStores extends object = Record<string, never>>(
  options: BootstrapOptions<TStores> = {},
): Promise<Application<TStores>> {
  const { start = true, ...parts } = options;
  const app = new Application<TStores>(parts);
  if (start) await app.start();
  return app;
}
