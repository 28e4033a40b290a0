// Runs @pd/testing's event store contract against MapEventStore under node:test.
import { describe, it } from 'node:test';
import { eventStoreContract, registerContract } from '@pd/testing';
import { MapEventStore } from './mapEventStore.mjs';

registerContract(
  eventStoreContract(() => new MapEventStore()),
  { describe, it },
);
