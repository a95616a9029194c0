/**
 * `@mtls-gateway/contract/spec`: the bundled OpenAPI 3.1 document (YAML anchors expanded, references inlined),
 * imported as JSON so that it works in browsers as well as in Node.js. Tools that need a file (Prism, Portman)
 * resolve `@mtls-gateway/contract/mtls.json` instead.
 */
import bundledDocument from './generated/mtls.json' with { type: 'json' };

/**
 * A JSON object as found in the document.
 *
 * @example
 * ```ts
 * const info: JsonObject = openApiDocument.info;
 * ```
 */
export type JsonObject = { [key: string]: unknown };

/**
 * The OpenAPI document, loosely typed: only the parts every reader needs are named.
 *
 * @example
 * ```ts
 * const document: OpenApiDocument = openApiDocument;
 * document.info.version; // '1.0.0'
 * ```
 */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject & { title: string; version: string };
  paths: Record<string, JsonObject>;
  components: JsonObject & { schemas: Record<string, JsonObject> };
}

/**
 * The bundled OpenAPI 3.1 document. Shared by every reader: do not modify it.
 *
 * @example
 * ```ts
 * import { openApiDocument } from '@mtls-gateway/contract/spec';
 * Object.keys(openApiDocument.paths); // ['/mtls/account/{accountId}', …]
 * ```
 */
export const openApiDocument: OpenApiDocument = bundledDocument as unknown as OpenApiDocument;
