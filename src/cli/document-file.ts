/** Files the CLI reads documents from (users, manifests): JSON or YAML, a bad file is one line naming it. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { CliError } from './output.js';

/** The parsed content of a JSON or YAML file (YAML is a superset of JSON); `flag` names it in errors. */
export async function readDocumentFile(path: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new CliError(`${flag} ${path} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}
