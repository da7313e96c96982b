// Validates response bodies against the public contract in ../shared/picora/openapi.json (read in place).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

export const CONTRACT_PATH = path.resolve(import.meta.dirname, '../../../shared/picora/openapi.json');

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>; components: { responses: Record<string, unknown> } };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export function loadContract(): { validator: ContractValidator } | { skip: string } {
  if (!existsSync(CONTRACT_PATH)) return { skip: `contract not found at ${CONTRACT_PATH}` };
  const doc = JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as Doc;
  return { validator: new ContractValidator(doc) };
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export class ContractValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor(private readonly doc: Doc) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...doc, $id: 'picora-contract' } as object);
  }

  /** The compiled response schema, or null when the contract gives none for that status. */
  schemaFor(method: string, apiPath: string, status: number): ValidateFunction | null {
    const key = `${method} ${apiPath} ${status}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const op = this.doc.paths[apiPath]?.[method.toLowerCase()];
    if (!op) throw new Error(`the contract has no ${method} ${apiPath}`);
    let response = op.responses?.[String(status)] as { $ref?: string; content?: Record<string, { schema?: unknown }> } | undefined;
    let pointer = `#/paths/${escape(apiPath)}/${method.toLowerCase()}/responses/${status}`;
    if (response?.$ref) {
      const name = response.$ref.split('/').pop()!;
      response = this.doc.components.responses[name] as typeof response;
      pointer = `#/components/responses/${escape(name)}`;
    }
    const fn = response?.content?.['application/json']?.schema
      ? this.ajv.compile({ $ref: `picora-contract${pointer}/content/application~1json/schema` })
      : null;
    this.cache.set(key, fn);
    return fn;
  }

  /** Throws with the contract's complaints when the body does not match; false when there is no schema. */
  check(method: string, apiPath: string, status: number, body: unknown): boolean {
    const fn = this.schemaFor(method, apiPath, status);
    if (!fn) return false;
    if (!fn(body)) throw new Error(`${method} ${apiPath} ${status} breaks the contract: ${this.ajv.errorsText(fn.errors)}\n${JSON.stringify(body)}`);
    return true;
  }
}
