// The operations of the API's own OpenAPI document (/api/docs-json), with $refs resolved: what the
// authorisation matrix checks it covers and what the fuzzer generates requests from.

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  example?: unknown;
  additionalProperties?: boolean | Schema;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  /** "METHOD /path" exactly as in the document. */
  key: string;
  method: string;
  path: string;
  parameters: Parameter[];
  /** The JSON body's schema, resolved; undefined when the operation takes no JSON body. */
  body?: Schema;
  /** Content types of the request body other than JSON (uploads). */
  otherBodyTypes: string[];
  /** The multipart field that carries a file, for uploads. */
  fileField?: string;
}

interface Document {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function operationsOf(document: Document): Operation[] {
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 8) return schema;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve(document.components?.schemas?.[name], depth + 1);
    }
    if (schema.allOf) {
      return schema.allOf
        .map((part) => resolve(part, depth + 1) ?? {})
        .reduce<Schema>(
          (all, part) => ({
            ...all,
            ...part,
            properties: { ...all.properties, ...part.properties },
            required: [...(all.required ?? []), ...(part.required ?? [])],
          }),
          {},
        );
    }
    const properties = schema.properties
      ? Object.fromEntries(
          Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, depth + 1) ?? {}]),
        )
      : undefined;
    return { ...schema, properties, items: resolve(schema.items, depth + 1) };
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]): Operation => {
        const content: Record<string, { schema?: Schema }> = op.requestBody?.content ?? {};
        return {
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          parameters: (op.parameters ?? []).map((p: Parameter) => ({
            ...p,
            schema: resolve(p.schema) ?? {},
          })),
          body: content['application/json'] ? (resolve(content['application/json'].schema) ?? {}) : undefined,
          otherBodyTypes: Object.keys(content).filter((type) => type !== 'application/json'),
          fileField: Object.entries(resolve(content['multipart/form-data']?.schema)?.properties ?? {}).find(
            ([, property]) => property.format === 'binary',
          )?.[0],
        };
      }),
  );
}
