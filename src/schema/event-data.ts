// Typed event payloads: one GraphQL object type per event type (TextEvent, ToolCallEvent, ...), generated from the
// zod schemas the worker validates every event with (src/events/types.ts), joined in the union AgentRunEventData
// and reachable as AgentRunEvent.data next to the untyped payload.
import { z } from 'zod';
import { builder } from '../builder.js';
import { EVENT_TYPES, RUN_STATUSES, payloadSchemas, type EventType, type RunEvent } from '../events/types.js';
import { AgentRunEventRef, AgentRunStatusEnum } from './agent-run.js';

/** What every generated type resolves from: one (possibly nested) object of a stored payload. */
type PayloadRef = ReturnType<ReturnType<typeof builder.objectRef<PayloadView>>['implement']>;

interface PayloadView {
  eventType: EventType;
  value: Record<string, unknown>;
}

const pascal = (name: string) =>
  name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/(^|_)([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
export const eventTypeName = (type: EventType) => `${pascal(type)}Event`;

const asRecord = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Peels optional / nullable / default wrappers: what remains decides the GraphQL type. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  let inner = schema;
  let nullable = false;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable || inner instanceof z.ZodDefault) {
    nullable = true;
    inner = inner.unwrap() as z.ZodType;
  }
  return { inner, nullable };
}

const sameValues = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function enumRef(owner: string, key: string, values: readonly string[]) {
  if (sameValues(values, RUN_STATUSES)) return AgentRunStatusEnum;
  return builder.enumType(`${owner}${pascal(key)}`, { values: [...values] });
}

type Guard<T> = (v: unknown) => v is T;
const isString: Guard<string> = (v): v is string => typeof v === 'string';
const isNumber: Guard<number> = (v): v is number => typeof v === 'number';
const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
const listOf = <T>(ok: Guard<T>): Guard<T[]> => (v): v is T[] => Array.isArray(v) && v.every(ok);

function objectRef(owner: string, schema: z.ZodObject, description?: string, looseKeys = new Set<string>()): PayloadRef {
  return builder.objectRef<PayloadView>(owner).implement({
    description,
    fields: (t) =>
      Object.fromEntries(
        Object.entries(schema.shape).map(([key, field]) => {
          const { inner, nullable: optional } = unwrap(field as z.ZodType);
          const nullable = optional || looseKeys.has(key);
          const raw = (p: PayloadView) => p.value[key];
          // A stored payload that no longer fits is an error on this field (the nullable `data` above absorbs it).
          const value = <T>(ok: Guard<T>) => (p: PayloadView): T => {
            const v = raw(p);
            if (ok(v)) return v;
            throw new Error(`${owner}.${key} does not fit its schema`);
          };
          const maybe = <T>(ok: Guard<T>) => (p: PayloadView): T | null => (raw(p) == null ? null : value(ok)(p));
          const view = (p: PayloadView, v: unknown): PayloadView => ({ eventType: p.eventType, value: asRecord(v) });
          if (inner instanceof z.ZodString)
            return [key, nullable ? t.string({ nullable, resolve: maybe(isString) }) : t.string({ resolve: value(isString) })];
          if (inner instanceof z.ZodNumber && inner.isInt)
            return [key, nullable ? t.int({ nullable, resolve: maybe(isNumber) }) : t.int({ resolve: value(isNumber) })];
          if (inner instanceof z.ZodNumber)
            return [key, nullable ? t.float({ nullable, resolve: maybe(isNumber) }) : t.float({ resolve: value(isNumber) })];
          if (inner instanceof z.ZodBoolean)
            return [key, nullable ? t.boolean({ nullable, resolve: maybe(isBoolean) }) : t.boolean({ resolve: value(isBoolean) })];
          if (inner instanceof z.ZodEnum) {
            const values = inner.options.map(String);
            const type = enumRef(owner, key, values);
            const isMember: Guard<string> = (v): v is string => typeof v === 'string' && values.includes(v);
            return [key, nullable ? t.field({ type, nullable, resolve: maybe(isMember) }) : t.field({ type, resolve: value(isMember) })];
          }
          if (inner instanceof z.ZodObject) {
            const type = objectRef(`${owner}${pascal(key)}`, inner);
            return [key, t.field({ type, nullable: true, resolve: (p) => (raw(p) == null ? null : view(p, raw(p))) })];
          }
          if (inner instanceof z.ZodArray) {
            const element = unwrap(inner.element as z.ZodType).inner;
            if (element instanceof z.ZodString)
              return [key, nullable ? t.stringList({ nullable, resolve: maybe(listOf(isString)) }) : t.stringList({ resolve: value(listOf(isString)) })];
            if (element instanceof z.ZodNumber)
              return [key, nullable ? t.floatList({ nullable, resolve: maybe(listOf(isNumber)) }) : t.floatList({ resolve: value(listOf(isNumber)) })];
            if (element instanceof z.ZodObject) {
              const type = objectRef(`${owner}${pascal(key)}Item`, element);
              const isList: Guard<unknown[]> = (v): v is unknown[] => Array.isArray(v);
              return [key, t.field({ type: [type], nullable: true, resolve: (p) => maybe(isList)(p)?.map((item) => view(p, item)) ?? null })];
            }
          }
          // Free-form values (a tool's input, ...) stay JSON.
          return [key, t.field({ type: 'JSON', nullable: true, resolve: (p) => raw(p) ?? null })];
        }),
      ),
  });
}

/**
 * GraphQL rejects one selection asking for a field that is `String` in one union member and `String!` in another
 * (`... on StatusEvent { message } ... on ErrorEvent { message }`), so a key that is optional in some payload
 * schema is nullable in every event type that has it.
 */
const optionalSomewhere = new Set(
  EVENT_TYPES.flatMap((type) => Object.entries(payloadSchemas[type].shape).filter(([, f]) => unwrap(f as z.ZodType).nullable).map(([key]) => key)),
);

const eventRefs = EVENT_TYPES.map((type) =>
  objectRef(eventTypeName(type), payloadSchemas[type], `The payload of a ${type} event (same fields as \`payload\`, typed).`, optionalSomewhere),
);

const AgentRunEventDataUnion = builder.unionType('AgentRunEventData', {
  description: 'The typed payload of an event: one object type per event type.',
  types: eventRefs,
  resolveType: (view) => eventTypeName(view.eventType),
});

builder.objectFields(AgentRunEventRef, (t) => ({
  data: t.field({
    type: AgentRunEventDataUnion,
    nullable: true,
    description: 'The payload, typed by event type (null only for a stored payload that no longer fits its type).',
    resolve: (e: RunEvent) => ({ eventType: e.type, value: asRecord(e.payload) }),
  }),
}));
