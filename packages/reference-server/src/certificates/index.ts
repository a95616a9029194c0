/**
 * Certificates of the reference server: uploads (JSON and multipart), replacements, soft deletes, reads with
 * a status computed when read, the key material forwarding presents, and the sweep that cleans up after
 * interrupted writes. `CertificateRepository` holds the SQL; `CertificateService` the write protocol between
 * rows and secrets.
 *
 * @example
 * ```ts
 * import { CertificateService, certificateRoutes } from './certificates/index.js';
 * const certificates = new CertificateService({ db, secrets });
 * const app = await buildApp(config, { routes: [certificateRoutes] });
 * ```
 */

export type {
  CertificateFileInput,
  OpenCertificateFilesOptions,
  OpenedCertificateFile,
} from './certificate-file.js';
export { openCertificateFiles } from './certificate-file.js';
export type { CertificateForm, CertificateFormKind, CertificateFormLimits } from './certificate-form.js';
export { readCertificateForm } from './certificate-form.js';
export type {
  CertificateResource,
  CertificateRow,
  CertificateSaveResult,
  CertificateStatus,
} from './certificate-record.js';
export { computeCertificateStatus, renderCertificate } from './certificate-record.js';
export type { CertificateFacts, NameHolder, PendingCertificate } from './certificate-repository.js';
export { CertificateRepository, isNameTaken } from './certificate-repository.js';
export type { CertificateRoutesOptions } from './certificate-routes.js';
export { certificateRoutes, createCertificateRoutes } from './certificate-routes.js';
export type {
  CertificateReplacementInput,
  CertificateServiceOptions,
  CertificateSweepResult,
  CertificateUploadInput,
  CertificateWriteOptions,
  LoadedCertificate,
  ServiceLogger,
} from './certificate-service.js';
export { CertificateService, DEFAULT_PENDING_TIMEOUT_MS } from './certificate-service.js';
export type {
  OpenP12Result,
  OpenP12Task,
  P12Opener,
  P12WorkerPoolOptions,
} from './p12-worker-pool.js';
export {
  DEFAULT_P12_TIMEOUT_MS,
  defaultP12WorkerThreads,
  inProcessP12Opener,
  P12WorkerPool,
  P12WorkersUnavailableError,
} from './p12-worker-pool.js';
