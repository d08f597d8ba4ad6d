/**
 * The README's "Configuration" table stays true: it lists exactly the fields of the config schema,
 * and every default it states as a plain value (a boolean, a number, a string, `null`, `{}`, `[]`)
 * is the default `parseSecurityConfig({})` gives.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseSecurityConfig, securityConfigSchema } from '../../src/core/config.js';

interface Row {
  readonly fields: string[];
  readonly defaults: string;
}

/** The rows of the table under `## Configuration`: the backticked names and the default cell. */
function configurationRows(): Row[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| field |')));
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      // A cell may hold an escaped pipe (`string \| null`): split on the unescaped ones only.
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      const fields = [...cells[1]!.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!);
      return { fields, defaults: cells[3]! };
    });
}

/** A default cell as a value, or `undefined` when it is prose ("see …", "console (warn+)"). */
function plainValue(text: string): unknown {
  const literal = /^`(.*)`$/.exec(text)?.[1] ?? text;
  if (literal === 'true' || literal === 'false') return literal === 'true';
  if (literal === 'null') return null;
  if (literal === '{}') return {};
  if (literal === '[]') return [];
  if (/^\d+$/.test(literal)) return Number(literal);
  if (/^'[^']*'$/.test(literal)) return literal.slice(1, -1);
  return undefined;
}

test('the README configuration table lists exactly the schema fields', () => {
  const documented = configurationRows().flatMap((row) => row.fields);
  expect(new Set(documented).size).toBe(documented.length); // no field twice
  expect([...documented].sort()).toEqual(Object.keys(securityConfigSchema.shape).sort());
});

test('every plain default in the table is the default the schema gives', () => {
  const defaults = parseSecurityConfig({}) as unknown as Record<string, unknown>;
  let checked = 0;
  for (const row of configurationRows()) {
    const values = row.defaults.split(',').map((cell) => plainValue(cell.trim()));
    row.fields.forEach((field, i) => {
      const stated = values.length === row.fields.length ? values[i] : values[0];
      if (stated === undefined) return;
      checked++;
      const actual = defaults[field];
      // Sets and maps default to empty collections; the table says `{}` or "empty".
      const comparable = actual instanceof Set ? [...actual] : actual;
      expect({ field, value: comparable }).toEqual({ field, value: stated });
    });
  }
  expect(checked).toBeGreaterThan(25);
});
