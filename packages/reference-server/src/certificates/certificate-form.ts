import type { InputError } from '@mtls-gateway/contract';
import {
  type InputErrorOptions,
  inputErrorsOf,
  schemaValidators,
  type ValidateFunction,
} from '@mtls-gateway/contract/validation';
import type { FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../errors.js';
import { type MultipartFormBounds, readMultipartForm } from '../http/multipart-form.js';
import type { GatewaySpec } from '../http/openapi.js';

/**
 * Reads the multipart forms of `POST|PUT /certificates/byFile` (and `by-file`): a `file` part with the
 * PKCS#12 and either a JSON `certificate` part (`{"name", "password"}`, plus `"id"` on PUT) or plain `name`,
 * `password` (and `id`) fields. The `certificate` part may come as a field or as a file part with its own
 * `Content-Type: application/json` (what browsers' `FormData` with a `Blob` sends).
 *
 */

/** Which form: an upload (`name` required) or a replacement (`id` required). */
export type CertificateFormKind = 'create' | 'replace';

/** The parsed form. */
export interface CertificateForm {
  /** The PKCS#12 file. */
  file: Buffer;
  name?: string | undefined;
  password: string;
  /** Replacement only: the certificate to replace. */
  id?: number | undefined;
}

/**
 * Limits of one form (from the server's multipart configuration). Besides these, each metadata part has its
 * own cap (see {@link readCertificateForm}).
 */
export interface CertificateFormLimits {
  /** Largest `file` part in bytes (`MTLS_MULTIPART_FILE_LIMIT`); also bounds metadata sent as file parts. */
  fileSizeBytes: number;
  /** Largest non-file part in bytes (`MTLS_MULTIPART_FIELD_LIMIT`). */
  fieldSizeBytes: number;
  /** The whole multipart body in bytes; default: the route's body limit (`MTLS_BODY_LIMIT`). */
  totalSizeBytes?: number | undefined;
}

/**
 * Cap of the JSON `certificate` part. The longest valid metadata — a 1024-character password, a 128-character
 * name and an id, every character `\u`-escaped (6 bytes) — is under 7 KiB; the rest leaves room for
 * whitespace.
 */
export const CERTIFICATE_PART_MAX_BYTES = 16 * 1024;

/** UTF-8 needs at most 4 bytes per character: a value within its `maxLength` always fits `4 × maxLength`. */
const UTF8_MAX_BYTES_PER_CHARACTER = 4;

const FIELD_NAMES: Record<CertificateFormKind, readonly string[]> = {
  create: ['file', 'certificate', 'name', 'password'],
  replace: ['file', 'certificate', 'id', 'name', 'password'],
};

interface FormValidators {
  create: ValidateFunction;
  replace: ValidateFunction;
  /** Byte caps of the metadata parts, from the spec's `maxLength`s. */
  partCaps: Record<string, number>;
}

/** `maxLength` of a component schema of the spec, or `fallback`. */
function maxLengthOf(spec: GatewaySpec, schema: string, fallback: number): number {
  const schemas = spec.document.components?.schemas as Record<string, { maxLength?: unknown }> | undefined;
  const maxLength = schemas?.[schema]?.maxLength;
  return typeof maxLength === 'number' && maxLength > 0 ? maxLength : fallback;
}

const validatorsBySpec = new WeakMap<GatewaySpec, FormValidators>();

/**
 * The `certificate` part is checked with the spec's own schemas (`CertificateFileMetadata`,
 * `CertificateFileReplacementMetadata`), plain fields with the same schemas after `id` is read as a number;
 * every problem is listed.
 */
function validatorsFor(spec: GatewaySpec): FormValidators {
  let validators = validatorsBySpec.get(spec);
  if (!validators) {
    const schemas = schemaValidators(spec.document);
    validators = {
      create: schemas.component('CertificateFileMetadata', { allErrors: true }),
      replace: schemas.component('CertificateFileReplacementMetadata', { allErrors: true }),
      // Bytes, not characters: a value the schema accepts is never cut, and the schema then gives the
      // precise 400 for one that is a little too long.
      partCaps: {
        certificate: CERTIFICATE_PART_MAX_BYTES,
        name: UTF8_MAX_BYTES_PER_CHARACTER * maxLengthOf(spec, 'CertificateName', 128),
        password: UTF8_MAX_BYTES_PER_CHARACTER * maxLengthOf(spec, 'P12Password', 1024),
        id: UTF8_MAX_BYTES_PER_CHARACTER * maxLengthOf(spec, 'IdString', 16),
      },
    };
    validatorsBySpec.set(spec, validators);
  }
  return validators;
}

/** Names inside the `certificate` part are prefixed with it; an unknown property is reported at its object. */
function formErrorOptions(prefix: string): InputErrorOptions {
  return { namePrefix: prefix, unknownProperty: 'schema' };
}

function invalid(detail: string, errors: InputError[]): InvalidRequestError {
  return new InvalidRequestError(detail, errors);
}

function parseJsonPart(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('The certificate part is not valid JSON.', [
      { location: 'body', name: 'certificate', message: 'is not valid JSON' },
    ]);
  }
}

/**
 * Reads and checks a certificate form. Parts beyond the limits answer 413; a missing `file`, an unknown part,
 * a part sent twice or metadata that does not match the spec answer 400 `invalid_request`.
 *
 * Caps, enforced while each part streams (413 `payload_too_large` naming the part and its limit): `file` ≤
 * `fileSizeBytes`; `certificate` ≤ {@link CERTIFICATE_PART_MAX_BYTES}; `name`, `password`, `id` ≤ 4 × their
 * spec `maxLength` (512, 4096 and 64 bytes); a metadata part is also held to `fieldSizeBytes` (or to
 * `fileSizeBytes` when sent as a file). The whole body ≤ `totalSizeBytes`, at most one part more than the
 * form has names (that one is refused 400 as repeated or unknown).
 *
 * @throws {InvalidRequestError} | {PayloadTooLargeError}
 * @example
 * ```ts
 * const form = await readCertificateForm(request, 'create', spec, config.multipart);
 * await certificates.create(accountId, [{ name: form.name!, p12: form.file, password: form.password }]);
 * ```
 */
export async function readCertificateForm(
  request: FastifyRequest,
  kind: CertificateFormKind,
  spec: GatewaySpec,
  limits: CertificateFormLimits,
): Promise<CertificateForm> {
  const allowed = FIELD_NAMES[kind];
  const { partCaps } = validatorsFor(spec);
  let file: Buffer | undefined;
  let metadata: unknown;
  const plain: Record<string, string> = {};
  const seen = new Set<string>();

  const bounds: MultipartFormBounds = {
    // One more than the names, so a repeated or unknown part is seen and named (400) rather than counted.
    maxParts: allowed.length + 1,
    largestPartBytes: Math.max(limits.fileSizeBytes, ...Object.values(partCaps)),
    totalBytes: limits.totalSizeBytes ?? request.routeOptions.bodyLimit,
  };
  await readMultipartForm(request, bounds, async (part) => {
    const name = part.name;
    if (!allowed.includes(name) || seen.has(name)) {
      throw invalid(
        seen.has(name)
          ? `The multipart part "${name}" is sent twice; send it once.`
          : `The multipart part "${name.slice(0, 64)}" is not expected. Send ${allowed.join(', ')}.`,
        [
          {
            location: 'body',
            name: name.slice(0, 64),
            message: seen.has(name) ? 'is sent twice' : 'is not allowed',
          },
        ],
      );
    }
    seen.add(name);
    if (name === 'file') {
      if (!part.isFile) {
        throw invalid('Send the PKCS#12 as a file part (with a filename), not as a text field.', [
          { location: 'body', name: 'file', message: 'must be a file part' },
        ]);
      }
      file = await part.read(limits.fileSizeBytes);
      return;
    }
    const cap = Math.min(
      partCaps[name] ?? limits.fieldSizeBytes,
      part.isFile ? limits.fileSizeBytes : limits.fieldSizeBytes,
    );
    const text = (await part.read(cap)).toString('utf8');
    // The JSON part is parsed here whatever its Content-Type (text field, application/json field or file).
    if (name === 'certificate') metadata = parseJsonPart(text);
    else plain[name] = text;
  });

  if (!file) {
    throw invalid('The multipart part "file" with the PKCS#12 file is required.', [
      { location: 'body', name: 'file', message: 'is required' },
    ]);
  }

  const validate = validatorsFor(spec)[kind];
  let values: Record<string, unknown>;
  if (metadata !== undefined) {
    if (Object.keys(plain).length > 0) {
      throw invalid(
        'Send the name, password and id either in the certificate part or as plain fields, not both.',
        [
          {
            location: 'body',
            name: Object.keys(plain)[0] as string,
            message: 'is already in the certificate part',
          },
        ],
      );
    }
    if (!validate(metadata)) {
      const errors = inputErrorsOf(validate.errors, 'body', formErrorOptions('certificate'));
      throw invalid(`The certificate part is invalid: ${errors[0]?.name} ${errors[0]?.message}.`, errors);
    }
    values = metadata as Record<string, unknown>;
  } else {
    values = { ...plain };
    if (plain.id !== undefined) {
      if (!/^[1-9][0-9]{0,15}$/.test(plain.id)) {
        throw invalid('The id field must be a certificate id (a positive integer).', [
          { location: 'body', name: 'id', message: 'must be a positive integer' },
        ]);
      }
      values.id = Number(plain.id);
    }
    if (!validate(values)) {
      const errors = inputErrorsOf(validate.errors, 'body', formErrorOptions('')).map((error) => ({
        ...error,
        name: error.name?.replace(/^\//, ''),
      }));
      throw invalid(`The form is invalid: ${errors[0]?.name} ${errors[0]?.message}.`, errors);
    }
  }
  return {
    file,
    name: values.name as string | undefined,
    password: values.password as string,
    ...(kind === 'replace' ? { id: values.id as number } : {}),
  };
}
