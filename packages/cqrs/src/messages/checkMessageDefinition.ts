import { assertNoReserved, type Shape, ValidationError } from '@pd/ddd';

/**
 * Checks a message class definition (command, query, integration event) when it is made: a
 * non-empty type name without surrounding spaces, and no field that would hide a base-class
 * member. `definition` names what is being defined in the error.
 */
export function checkMessageDefinition(
  typeName: unknown,
  shape: Shape,
  reserved: readonly string[],
  definition: string,
): asserts typeName is string {
  if (typeof typeName !== 'string' || typeName.trim() === '' || typeName.trim() !== typeName) {
    throw ValidationError.of(definition, 'typeName', 'a type name must be a non-empty string');
  }
  assertNoReserved(typeName, shape, reserved);
}
