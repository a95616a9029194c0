/**
 * Every failure shown the same way: the gateway problem's title, detail and `code` (plus the request id to
 * quote), with the problem's `errors` placed next to the form fields they name.
 */
import { type components, MtlsGatewayError, type ProblemCode } from '@mtls-gateway/sdk';

type InputError = components['schemas']['InputError'];

/** What the problem box and the fields show. */
export interface ShownProblem {
  title: string;
  detail: string;
  code: string;
  status: number | undefined;
  requestId: string | undefined;
  /** Messages per form field (the keys the form passed to {@link toShownProblem}). */
  fieldErrors: Record<string, string[]>;
  /** Input errors that name no field of the form: listed in the problem box. */
  otherErrors: string[];
}

/**
 * Gateway names of inputs → the console's field keys: headers set by the SDK from form fields, and query
 * flags. Body inputs are JSON pointers (`/url`, `/0/name`): their last segment is the key.
 */
const INPUT_FIELDS: Record<string, string> = {
  'lp-forward-url': 'url',
  'lp-service-name': 'serviceName',
  'lp-method-override': 'method',
  'lp-authorization-override': 'authorizationOverride',
  'lp-content-type-override': 'contentType',
  isvalidateurlenabled: 'validateUrl',
  accountid: 'accountId',
};

/** Problems without `errors` that still concern one field. */
const CODE_FIELDS: Partial<Record<ProblemCode, string>> = {
  p12_wrong_password: 'password',
  p12_corrupt: 'file',
  p12_no_private_key: 'file',
  p12_multiple_keys: 'file',
  p12_no_certificate: 'file',
  p12_key_mismatch: 'file',
  p12_unsupported_key: 'file',
  p12_unsupported_format: 'file',
  p12_expired: 'file',
  p12_not_yet_valid: 'file',
  p12_too_costly: 'file',
  name_conflict: 'name',
  mapping_conflict: 'url',
  destination_blocked: 'url',
};

/** How the gateway names the file of an upload: `file` (multipart) or `p12` (JSON). */
const FILE_INPUTS = new Set(['file', 'p12']);

/** The console's field key for an input error of the gateway. */
export function fieldOfInput(error: Pick<InputError, 'location' | 'name'>): string {
  const name = error.name ?? '';
  if (error.location === 'body') {
    const segments = name.split('/').filter((segment) => segment !== '' && !/^\d+$/.test(segment));
    return segments.at(-1) ?? '';
  }
  return INPUT_FIELDS[name.toLowerCase()] ?? name;
}

function describeInput(error: InputError): string {
  return error.name
    ? `${error.location} ${error.name}: ${error.message}`
    : `${error.location}: ${error.message}`;
}

/**
 * Turns anything thrown by a call into what the console shows. `fields` are the keys of the form the call
 * came from: input errors naming one of them go next to it, the others into {@link ShownProblem.otherErrors}.
 */
export function toShownProblem(error: unknown, fields: readonly string[] = []): ShownProblem {
  const fieldErrors: Record<string, string[]> = {};
  const otherErrors: string[] = [];
  const place = (field: string, message: string): boolean => {
    if (!fields.includes(field)) return false;
    fieldErrors[field] = [...(fieldErrors[field] ?? []), message];
    return true;
  };

  if (!(error instanceof MtlsGatewayError)) {
    return {
      title: 'Something went wrong',
      detail: error instanceof Error ? error.message : String(error),
      code: 'console_error',
      status: undefined,
      requestId: undefined,
      fieldErrors,
      otherErrors,
    };
  }
  const problem = error.problem;
  const codeField = CODE_FIELDS[error.code as ProblemCode];
  for (const input of problem?.errors ?? []) {
    // A refused file names the file part; its code may say the field to fix is another (the password).
    const inputField = fieldOfInput(input);
    const field = codeField && FILE_INPUTS.has(inputField) ? codeField : inputField;
    if (!place(field, input.message.replace(/^[a-z0-9_]+: /, ''))) otherErrors.push(describeInput(input));
  }
  if (codeField && Object.keys(fieldErrors).length === 0) place(codeField, problem?.detail ?? error.message);
  return {
    title: problem?.title ?? error.name,
    detail: problem?.detail ?? error.message,
    code: error.code,
    status: error.status,
    requestId: error.requestId,
    fieldErrors,
    otherErrors,
  };
}
