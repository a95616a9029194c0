import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyRequest } from 'fastify';
import { type InputError, InvalidRequestError, PayloadTooLargeError } from '../http/errors.js';
import type { GatewaySpec } from '../http/openapi.js';

/**
 * Reads the multipart forms of `POST|PUT /certificates/byFile` (and `by-file`): a `file` part with the
 * PKCS#12 and either a JSON `certificate` part (`{"name", "password"}`, plus `"id"` on PUT) or plain `name`,
 * `password` (and `id`) fields. The `certificate` part may come as a field or as a file part with its own
 * `Content-Type: application/json` (what browsers' `FormData` with a `Blob` sends).
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

/** Limits of one form (from the server's multipart configuration). */
export interface CertificateFormLimits {
  /** Largest `file` (and `certificate`) part in bytes. */
  fileSizeBytes: number;
  /** Largest plain field in bytes. */
  fieldSizeBytes: number;
}

const FIELD_NAMES: Record<CertificateFormKind, readonly string[]> = {
  create: ['file', 'certificate', 'name', 'password'],
  replace: ['file', 'certificate', 'id', 'name', 'password'],
};

const SCHEMA_ID = 'https://mtls-gateway.dev/openapi.json';

interface FormValidators {
  create: ValidateFunction;
  replace: ValidateFunction;
}

const validatorsBySpec = new WeakMap<GatewaySpec, FormValidators>();

/**
 * The `certificate` part is checked with the spec's own schemas (`CertificateFileMetadata`,
 * `CertificateFileReplacementMetadata`), plain fields with the same schemas after `id` is read as a number.
 */
function validatorsFor(spec: GatewaySpec): FormValidators {
  let validators = validatorsBySpec.get(spec);
  if (!validators) {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, logger: false });
    ajv.addSchema({ ...spec.document, $id: SCHEMA_ID });
    validators = {
      create: ajv.compile({ $ref: `${SCHEMA_ID}#/components/schemas/CertificateFileMetadata` }),
      replace: ajv.compile({ $ref: `${SCHEMA_ID}#/components/schemas/CertificateFileReplacementMetadata` }),
    };
    validatorsBySpec.set(spec, validators);
  }
  return validators;
}

function toInputErrors(errors: readonly ErrorObject[], prefix: string): InputError[] {
  return errors.map((error) => {
    const missing = (error.params as { missingProperty?: unknown }).missingProperty;
    const property = error.keyword === 'required' ? `/${String(missing)}` : error.instancePath;
    return {
      location: 'body' as const,
      name: `${prefix}${property}`,
      message: error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid'),
    };
  });
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
  let file: Buffer | undefined;
  let metadata: unknown;
  const plain: Record<string, string> = {};
  const seen = new Set<string>();

  // Two file parts: the PKCS#12 and a `certificate` part a FormData client sends as a Blob.
  const parts = request.parts({
    limits: { files: 2, fileSize: limits.fileSizeBytes, fieldSize: limits.fieldSizeBytes },
  });
  for await (const part of parts) {
    const name = part.fieldname;
    if (!allowed.includes(name) || seen.has(name)) {
      if (part.type === 'file') part.file.resume();
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
    if (part.type === 'file') {
      // toBuffer rejects with FST_REQ_FILE_TOO_LARGE (413) past the limit.
      const content = await part.toBuffer();
      if (name === 'file') file = content;
      else if (name === 'certificate') metadata = parseJsonPart(content.toString('utf8'));
      else plain[name] = content.toString('utf8');
      continue;
    }
    if (part.valueTruncated) {
      throw new PayloadTooLargeError(
        `The multipart field "${name}" is larger than the limit of ${limits.fieldSizeBytes} bytes.`,
      );
    }
    if (name === 'file') {
      throw invalid('Send the PKCS#12 as a file part (with a filename), not as a text field.', [
        { location: 'body', name: 'file', message: 'must be a file part' },
      ]);
    }
    if (name === 'certificate') {
      // @fastify/multipart has already parsed a field declared as application/json.
      metadata = typeof part.value === 'string' ? parseJsonPart(part.value) : part.value;
    } else {
      plain[name] = String(part.value);
    }
  }

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
      const errors = toInputErrors(validate.errors ?? [], 'certificate');
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
      const errors = toInputErrors(validate.errors ?? [], '').map((error) => ({
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
