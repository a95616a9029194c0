/**
 * Negative requests generated from the spec: for every input of an operation (parameters, JSON body
 * properties, multipart parts and the fields of a JSON part), one fault at a time — missing when required,
 * a value of the wrong type, longer than `maxLength`, outside its `enum`, not matching its `pattern` — as
 * fast-check arbitraries of values the input's own schema refuses (AJV decides, so a value the spec
 * accepts is never sent as a fault).
 */
import fc from 'fast-check';
import type { RequestParts } from './requests.js';
import { formShape, resolveSchema, type Schema, type SpecOperation, validatorFor } from './spec.js';

/** The marker of an input left out. */
export const ABSENT: unique symbol = Symbol('absent');
export type InputValue = unknown | typeof ABSENT;

export type InputLocation = 'path' | 'query' | 'header' | 'body';
export type FaultKind = 'missing' | 'wrong type' | 'too long' | 'outside enum' | 'pattern';

/** One input of a request. */
export interface InputSlot {
  location: InputLocation;
  /** The parameter name, the multipart part name, or a JSON pointer into the JSON body (`/0/name`). */
  name: string;
  required: boolean;
  schema: Schema;
  /** Parameters and plain multipart fields are text: their values are checked with type coercion. */
  text: boolean;
  /** A multipart part or a field of a JSON part: varied only when the baseline sends it. */
  onlyWhenSent: boolean;
  /** The baseline's value (to pad for `too long`). */
  current(parts: RequestParts): unknown;
  apply(parts: RequestParts, value: InputValue): void;
}

/** One fault to inject. */
export interface Mutation {
  slot: InputSlot;
  kind: FaultKind;
  values: fc.Arbitrary<InputValue>;
}

const LONGEST_STRING_FAULT = 10_000;

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function textValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Printable ASCII without surrounding spaces, and never `.` or `..` (a path would be normalised). */
const printable = fc
  .string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
    minLength: 1,
    maxLength: 24,
  })
  .filter((value) => value !== '.' && value !== '..');

function refusedBy(slot: InputSlot): (value: unknown) => boolean {
  const validate = validatorFor(slot.schema);
  return (value) => {
    if (slot.text && typeof value === 'string') {
      // A text input is valid when its text coerces to a valid value of the schema's type.
      const type = typeOf(resolveSchema(slot.schema));
      if (type === 'integer' || type === 'number') {
        return value.trim() === '' || !Number.isFinite(Number(value)) || !validate(Number(value));
      }
      if (type === 'boolean') return value !== 'true' && value !== 'false';
    }
    return !validate(value);
  };
}

/**
 * The values of `candidates` the slot refuses — or `undefined` when a sample holds none (a filter that never
 * passes would make fast-check search forever, e.g. printable text against a pattern that only forbids NUL).
 */
function refusedValues(
  candidates: fc.Arbitrary<unknown>,
  refused: (value: unknown) => boolean,
): fc.Arbitrary<unknown> | undefined {
  const sample = fc.sample(candidates, { numRuns: 200, seed: 7 });
  return sample.some(refused) ? candidates.filter(refused) : undefined;
}

function push(
  mutations: Mutation[],
  slot: InputSlot,
  kind: FaultKind,
  values: fc.Arbitrary<unknown> | undefined,
) {
  if (values) mutations.push({ slot, kind, values });
}

function mutationsOfSlot(slot: InputSlot, baseline: RequestParts): Mutation[] {
  const schema = resolveSchema(slot.schema);
  const type = typeOf(schema);
  const refused = refusedBy(slot);
  const mutations: Mutation[] = [];
  if (slot.required && slot.location !== 'path') {
    mutations.push({ slot, kind: 'missing', values: fc.constant(ABSENT) });
  }
  if (schema.format === 'binary') return mutations;

  if (slot.text) {
    if (type === 'integer' || type === 'number' || type === 'boolean') {
      push(mutations, slot, 'wrong type', refusedValues(printable, refused));
    }
  } else {
    const otherTypes = fc.oneof(
      fc.integer({ min: -5, max: 5 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
      fc.dictionary(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 3 }), { maxKeys: 1 }),
      fc.string({ maxLength: 3 }),
    );
    push(mutations, slot, 'wrong type', refusedValues(otherTypes, refused));
  }
  if (type === 'string' && schema.maxLength !== undefined && schema.maxLength < LONGEST_STRING_FAULT) {
    const current = slot.current(baseline);
    const seed = typeof current === 'string' && current.length > 0 ? current : 'a';
    const pad = seed.at(-1) ?? 'a';
    const max = schema.maxLength;
    push(
      mutations,
      slot,
      'too long',
      refusedValues(
        fc.integer({ min: max + 1, max: max + 8 }).map((length) => seed.padEnd(length, pad).slice(0, length)),
        refused,
      ),
    );
  }
  if (schema.enum !== undefined) {
    push(mutations, slot, 'outside enum', refusedValues(fc.stringMatching(/^[A-Z][A-Z_]{1,11}$/), refused));
  } else if (type === 'string' && (schema.pattern !== undefined || schema.format !== undefined)) {
    push(mutations, slot, 'pattern', refusedValues(printable, refused));
  }
  return mutations;
}

function parameterSlots(operation: SpecOperation): InputSlot[] {
  return operation.parameters
    .filter((parameter) => parameter.in !== 'cookie')
    .map((parameter): InputSlot => {
      const location = parameter.in as 'path' | 'query' | 'header';
      const where = location === 'header' ? 'headers' : location;
      return {
        location,
        name: parameter.name,
        required: parameter.required,
        schema: parameter.schema,
        text: true,
        onlyWhenSent: false,
        current: (parts) => parts[where][parameter.name],
        apply: (parts, value) => {
          if (value === ABSENT) delete parts[where][parameter.name];
          else parts[where][parameter.name] = textValue(value);
        },
      };
    });
}

function jsonBodySlots(schema: Schema): InputSlot[] {
  const body = resolveSchema(schema);
  const slots: InputSlot[] = [
    {
      location: 'body',
      name: '',
      required: true,
      schema,
      text: false,
      onlyWhenSent: false,
      current: (parts) => (parts.body?.kind === 'json' ? parts.body.value : undefined),
      apply: (parts, value) => {
        parts.body =
          value === ABSENT
            ? { kind: 'raw', contentType: 'application/json', data: '' }
            : { kind: 'json', value };
      },
    },
  ];
  const isArray = typeOf(body) === 'array';
  const item = resolveSchema(isArray ? (body.items ?? {}) : body);
  for (const [property, propertySchema] of Object.entries(item.properties ?? {})) {
    const container = (parts: RequestParts): Record<string, unknown> | undefined => {
      if (parts.body?.kind !== 'json') return undefined;
      const value = parts.body.value as unknown;
      return (isArray ? (value as unknown[])[0] : value) as Record<string, unknown> | undefined;
    };
    slots.push({
      location: 'body',
      name: `${isArray ? '/0' : ''}/${property}`,
      required: item.required?.includes(property) ?? false,
      schema: propertySchema,
      text: false,
      onlyWhenSent: false,
      current: (parts) => container(parts)?.[property],
      apply: (parts, value) => {
        const target = container(parts);
        if (!target) return;
        if (value === ABSENT) delete target[property];
        else target[property] = value;
      },
    });
  }
  return slots;
}

function multipartSlots(schema: Schema): InputSlot[] {
  // The shape the baseline sends (a JSON `certificate` part for the file forms).
  const form = formShape(schema);
  const slots: InputSlot[] = [];
  for (const [name, partSchema] of Object.entries(form.properties ?? {})) {
    const part = resolveSchema(partSchema);
    if (typeOf(part) === 'object') {
      // A JSON part (`certificate`): a part that is not a JSON object, and each of its fields.
      const read = (parts: RequestParts): Record<string, unknown> | undefined => {
        const value = parts.body?.kind === 'multipart' ? parts.body.parts[name]?.value : undefined;
        return typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : undefined;
      };
      const write = (parts: RequestParts, value: unknown) => {
        if (parts.body?.kind !== 'multipart') return;
        parts.body.parts[name] = { value: JSON.stringify(value), contentType: 'application/json' };
      };
      slots.push({
        location: 'body',
        name,
        required: false,
        schema: partSchema,
        text: false,
        onlyWhenSent: true,
        current: read,
        apply: (parts, value) => {
          if (value !== ABSENT) write(parts, value);
        },
      });
      for (const [field, fieldSchema] of Object.entries(part.properties ?? {})) {
        slots.push({
          location: 'body',
          name: `${name}/${field}`,
          required: part.required?.includes(field) ?? false,
          schema: fieldSchema,
          text: false,
          onlyWhenSent: true,
          current: (parts) => read(parts)?.[field],
          apply: (parts, value) => {
            const current = read(parts);
            if (!current) return;
            if (value === ABSENT) delete current[field];
            else current[field] = value;
            write(parts, current);
          },
        });
      }
      continue;
    }
    slots.push({
      location: 'body',
      name,
      required: form.required?.includes(name) ?? false,
      schema: partSchema,
      text: part.format !== 'binary',
      onlyWhenSent: true,
      current: (parts) => (parts.body?.kind === 'multipart' ? parts.body.parts[name]?.value : undefined),
      apply: (parts, value) => {
        if (parts.body?.kind !== 'multipart') return;
        if (value === ABSENT) delete parts.body.parts[name];
        else parts.body.parts[name] = { value: textValue(value) };
      },
    });
  }
  return slots;
}

/** Every input of an operation. */
export function inputSlots(operation: SpecOperation): InputSlot[] {
  const slots = parameterSlots(operation);
  const content = operation.requestBody?.content;
  const json = content?.['application/json']?.schema;
  const multipart = content?.['multipart/form-data']?.schema;
  if (json) slots.push(...jsonBodySlots(json));
  else if (multipart) slots.push(...multipartSlots(multipart));
  return slots;
}

/**
 * Every fault of an operation's inputs. Only the parts of a multipart form the baseline sends are varied
 * (the form's alternatives — plain fields or a JSON part — are not combined).
 */
export function mutationsOf(operation: SpecOperation, baseline: RequestParts): Mutation[] {
  return inputSlots(operation)
    .filter((slot) => !slot.onlyWhenSent || slot.current(baseline) !== undefined)
    .flatMap((slot) => mutationsOfSlot(slot, baseline));
}

/** A readable name of a fault: `header LP-forward-url: too long`. */
export function describeMutation(mutation: Mutation): string {
  const name = mutation.slot.name === '' ? '(whole body)' : mutation.slot.name;
  return `${mutation.slot.location} ${name}: ${mutation.kind}`;
}
