/**
 * Generated files are formatted like the rest of the code, with the project's Prettier config.
 */
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const GENERATOR_FILE = fileURLToPath(import.meta.url);

/**
 * The Prettier options for a file at `file`: the config found from there, else the one of the
 * repository this generator belongs to (a generation into a temp dir is formatted the same way).
 */
export async function prettierOptionsFor(file: string): Promise<prettier.Options> {
  const config = (await prettier.resolveConfig(file)) ?? (await prettier.resolveConfig(GENERATOR_FILE)) ?? {};
  return { ...config, parser: 'typescript', filepath: file };
}

/** Formats TypeScript text; a syntax error here is a generator bug and names the file. */
export async function formatTypeScript(text: string, options: prettier.Options): Promise<string> {
  try {
    return await prettier.format(text, options);
  } catch (error) {
    throw new Error(`codegen: the output for ${options.filepath ?? '(unknown)'} does not parse`, { cause: error });
  }
}
