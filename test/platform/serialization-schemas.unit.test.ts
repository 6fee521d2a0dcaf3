import { Type } from '@sinclair/typebox';
import fastJsonStringify from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { ProductResponse } from '../../src/modules/products/products.schemas.js';
import { serializationSchema } from '../../src/platform/http/serialization-schemas.js';

type Serializer = (document: unknown) => string;
const compile = (schema: unknown) => fastJsonStringify(schema as object) as Serializer;
const generatedCode = (schema: unknown) =>
  String((fastJsonStringify(schema as object, { mode: 'debug' }) as unknown as { code: string }).code);

const product = {
  id: 7,
  name: 'Chew "toy" \u00e9',
  description: 'line\nbreak',
  price: '12.50',
  category: 3,
  category_name: 'Dogs',
  animal_type: 'dog',
  stock: 4,
  specifications: { weight_kg: 12.5, 'odd "key"': ['a', null, { deep: true }], skipped: undefined },
  rating_avg: 4.5,
  rating_count: 2,
  created_at: '2026-01-02T03:04:05.678Z',
  updated_at: '2026-01-02T03:04:05.678Z',
};

describe('serializationSchema', () => {
  it('when a product is written from the copy, then the bytes are those of the schema as written', () => {
    const asWritten = compile(ProductResponse);
    const fast = compile(serializationSchema(ProductResponse));
    for (const document of [
      product,
      { ...product, category_name: null, rating_avg: null, specifications: {} },
      { ...product, rating_avg: 3, specifications: { nested: { list: [1, 2.25, 'x'] } } },
    ]) {
      expect(fast(document)).toBe(asWritten(document));
      expect(JSON.parse(fast(document))).toEqual(JSON.parse(JSON.stringify(document)));
    }
  });

  it('when the copy is compiled, then no union is settled by a validator call per value', () => {
    expect(generatedCode(ProductResponse)).toContain('getSchemaValidator');
    expect(generatedCode(serializationSchema(ProductResponse))).not.toContain('getSchemaValidator');
  });

  it('when a union of scalars is rewritten, then it becomes a type list, format and description kept', () => {
    const when = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'paid' });
    expect(serializationSchema(when)).toEqual({
      type: ['string', 'null'],
      format: 'date-time',
      description: 'paid',
    });
    expect(serializationSchema(Type.Union([Type.Literal('a'), Type.Literal('b')]))).toEqual({
      type: ['string'],
    });
    const serialize = compile(serializationSchema(Type.Object({ at: when })));
    expect(serialize({ at: null })).toBe('{"at":null}');
    expect(serialize({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('when a branch checks more than its type, then the union is left for the serializer to decide', () => {
    const constrained = Type.Union([Type.String({ minLength: 2 }), Type.Null()]);
    const withObject = Type.Union([Type.Object({ a: Type.Integer() }), Type.Null()]);
    const mixedFormats = Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'email' })]);
    for (const schema of [constrained, withObject, mixedFormats]) {
      expect(serializationSchema(schema)).toHaveProperty('anyOf');
    }
    const typed = { type: 'string', anyOf: [{ type: 'string' }, { type: 'null' }] };
    expect(serializationSchema(typed)).toEqual(typed);
  });

  it('when a schema is rewritten, then the original is untouched and shared parts stay shared', () => {
    const before = JSON.stringify(ProductResponse);
    const inner = Type.Union([Type.Integer(), Type.Null()]);
    const outer = Type.Object({ a: inner, b: Type.Array(inner) });
    const done = new WeakMap<object, unknown>();
    const copy = serializationSchema(outer, done) as {
      properties: { a: unknown; b: { items: unknown } };
    };
    serializationSchema(ProductResponse, done);
    expect(copy.properties.a).toBe(copy.properties.b.items);
    expect(serializationSchema(inner, done)).toBe(copy.properties.a);
    expect(JSON.stringify(ProductResponse)).toBe(before);
    expect(outer.properties.a).toHaveProperty('anyOf');
  });

  it('when an object takes any key and value, then it is written by JSON.stringify alone', () => {
    const record = Type.Record(Type.String(), Type.Unknown(), { $id: 'Bag' });
    expect(serializationSchema(record)).toEqual({ $id: 'Bag' });
    const serialize = compile(serializationSchema(Type.Object({ bag: record, n: Type.Integer() })));
    expect(serialize({ bag: { 'a"b': [1, { c: null }] }, n: 1 })).toBe(
      '{"bag":{"a\\"b":[1,{"c":null}]},"n":1}',
    );
    const keyed = Type.Record(Type.String({ pattern: '^[a-z]+$' }), Type.Unknown());
    expect(serializationSchema(keyed)).toHaveProperty('patternProperties');
  });
});
