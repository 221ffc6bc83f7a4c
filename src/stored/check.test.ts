import { describe, expect, it } from 'vitest';
import { anyJson, arrayOf, boolean, nullable, number, object, oneOf, optional, readJsonColumn, recordOf, string, type Check } from './check.js';

interface Track {
  number: number;
  kind: 'audio' | 'data';
  title: string | null;
  flags: string[];
  cue?: { sheet: string };
}

const track: Check<Track> = object<Track>({
  number, kind: oneOf('audio', 'data'), title: nullable(string), flags: arrayOf(string), cue: optional(object<{ sheet: string }>({ sheet: string })),
});

describe('readJsonColumn', () => {
  it('returns the value typed when it has the shape, leaving out properties the shape does not declare', () => {
    expect(readJsonColumn('t.c', '{"number":1,"kind":"audio","title":null,"flags":["DCP"],"extra":true}', track))
      .toEqual({ readable: true, value: { number: 1, kind: 'audio', title: null, flags: ['DCP'] } });
    expect(readJsonColumn('t.c', '{"number":2,"kind":"data","title":"x","flags":[],"cue":{"sheet":"a.cue"}}', track))
      .toEqual({ readable: true, value: { number: 2, kind: 'data', title: 'x', flags: [], cue: { sheet: 'a.cue' } } });
  });

  it('says which column is not JSON', () => {
    const read = readJsonColumn('passages.import_metadata', '{not json', track);
    expect(read.readable).toBe(false);
    expect(!read.readable && read.problem).toMatch(/^passages\.import_metadata is not JSON \(.+\)$/);
  });

  it.each([
    ['[]', 't.c: the value must be an object, got []'],
    ['{"kind":"audio","title":null,"flags":[]}', 't.c: number must be a number, got nothing'],
    ['{"number":"1","kind":"audio","title":null,"flags":[]}', 't.c: number must be a number, got "1"'],
    ['{"number":1,"kind":"video","title":null,"flags":[]}', 't.c: kind must be one of "audio", "data", got "video"'],
    ['{"number":1,"kind":"audio","title":null,"flags":["a",2]}', 't.c: flags[1] must be a string, got 2'],
    ['{"number":1,"kind":"audio","title":null,"flags":[],"cue":{"sheet":null}}', 't.c: cue.sheet must be a string, got null'],
    [`{"number":1,"kind":"audio","title":${JSON.stringify('x'.repeat(60))},"flags":"DCP"}`, 't.c: flags must be an array, got "DCP"'],
  ])('says where %s is wrong, and how', (text, problem) => {
    expect(readJsonColumn('t.c', text, track)).toEqual({ readable: false, problem });
  });

  it('cuts a long value short in what it says', () => {
    const read = readJsonColumn('t.c', JSON.stringify({ number: 'x'.repeat(100) }), object<{ number: number }>({ number }));
    expect(!read.readable && read.problem).toBe(`t.c: number must be a number, got "${'x'.repeat(39)}…`);
  });

  it('checks every value of a record, true or false, and takes any JSON where asked', () => {
    expect(readJsonColumn('t.c', '{"a":true,"b":false}', recordOf(boolean))).toEqual({ readable: true, value: { a: true, b: false } });
    expect(readJsonColumn('t.c', '{"a":1,"b":"2"}', recordOf(number))).toEqual({ readable: false, problem: 't.c: b must be a number, got "2"' });
    expect(readJsonColumn('t.c', '[1,{"a":null}]', anyJson)).toEqual({ readable: true, value: [1, { a: null }] });
  });
});
