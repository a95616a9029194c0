import type { components } from '@mtls-gateway/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../errors.js';
import type { GatewayContext, GatewayRoutePlugin } from '../http/context.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import { readCertificateForm } from './certificate-form.js';
import { registerCertificateMetrics } from './certificate-metrics.js';
import type { CertificateService, CertificateWriteOptions } from './certificate-service.js';

type Schemas = components['schemas'];

/** Options of {@link createCertificateRoutes}. */
export interface CertificateRoutesOptions {
  /** Use this service instead of the context's (tests inject faults through it). */
  service?: CertificateService | undefined;
}

interface AccountParams {
  accountId: string;
}

interface CertificateParams extends AccountParams {
  certificateId: string;
}

interface WriteQuery {
  allowExpired?: boolean;
}

function writeOptions(request: FastifyRequest, extra: CertificateWriteOptions = {}): CertificateWriteOptions {
  return { allowExpired: (request.query as WriteQuery).allowExpired === true, ...extra };
}

/**
 * The certificate operations of the spec, by operationId: `listCertificates`, `getCertificate`,
 * `createCertificates`, `updateCertificates`, `updateCertificate`, `deleteCertificate`,
 * `createCertificateFromFile` (+ `…Alias`, `by-file`) and `updateCertificateFromFile` (+ `…Alias`), served
 * by the context's `CertificateService` (the app, not this module, runs its sweep).
 *
 * @example
 * ```ts
 * const app = await buildApp(config, { routes: [createCertificateRoutes(), mappingRoutes] });
 * ```
 */
export function createCertificateRoutes(options: CertificateRoutesOptions = {}): GatewayRoutePlugin {
  return (app, context: GatewayContext) => {
    const certificates = options.service ?? context.certificates;
    const limits = context.config.multipart;
    registerCertificateMetrics(context.metrics, context.db);

    registerSpecRoute(app, 'listCertificates', async (request) => {
      const { accountId } = request.params as AccountParams;
      const { includeDeleted } = request.query as { includeDeleted?: boolean };
      return certificates.list(accountId, { includeDeleted: includeDeleted === true });
    });

    registerSpecRoute(app, 'getCertificate', async (request) => {
      const { accountId, certificateId } = request.params as CertificateParams;
      return certificates.get(accountId, Number(certificateId));
    });

    registerSpecRoute(app, 'createCertificates', async (request, reply) => {
      const { accountId } = request.params as AccountParams;
      const uploads = request.body as Schemas['CertificateUploadList'];
      const result = await certificates.create(accountId, uploads, writeOptions(request));
      return reply.code(201).send(result);
    });

    registerSpecRoute(app, 'updateCertificates', async (request) => {
      const { accountId } = request.params as AccountParams;
      const updates = request.body as Schemas['CertificateUpdateList'];
      return certificates.update(accountId, updates, writeOptions(request));
    });

    registerSpecRoute(app, 'updateCertificate', async (request) => {
      const { accountId, certificateId } = request.params as CertificateParams;
      const replacement = request.body as Schemas['CertificateReplacement'];
      const id = Number(certificateId);
      if (replacement.id !== undefined && replacement.id !== id) {
        throw new InvalidRequestError(
          `The body names certificate ${replacement.id} but the path names ${certificateId}. Leave id out or make them equal.`,
          [{ location: 'body', name: '/id', message: 'must equal the certificateId of the path' }],
        );
      }
      return certificates.update(
        accountId,
        [{ id, p12: replacement.p12, password: replacement.password, name: replacement.name }],
        writeOptions(request, {
          pointer: () => '/p12',
          describeItem: () => `The file of certificate ${id}`,
        }),
      );
    });

    registerSpecRoute(app, 'deleteCertificate', async (request) => {
      const { accountId, certificateId } = request.params as CertificateParams;
      return certificates.delete(accountId, Number(certificateId));
    });

    const createFromFile = async (request: FastifyRequest, reply: FastifyReply) => {
      const { accountId } = request.params as AccountParams;
      const form = await readCertificateForm(request, 'create', context.spec, limits);
      const name = form.name as string;
      const result = await certificates.create(
        accountId,
        [{ name, p12: form.file, password: form.password }],
        writeOptions(request, { pointer: () => 'file', describeItem: () => `The file of "${name}"` }),
      );
      return reply.code(201).send(result);
    };
    registerSpecRoute(app, 'createCertificateFromFile', createFromFile);
    registerSpecRoute(app, 'createCertificateFromFileAlias', createFromFile);

    const updateFromFile = async (request: FastifyRequest) => {
      const { accountId } = request.params as AccountParams;
      const form = await readCertificateForm(request, 'replace', context.spec, limits);
      const id = form.id as number;
      return certificates.update(
        accountId,
        [{ id, p12: form.file, password: form.password, name: form.name }],
        writeOptions(request, { pointer: () => 'file', describeItem: () => `The file of certificate ${id}` }),
      );
    };
    registerSpecRoute(app, 'updateCertificateFromFile', updateFromFile);
    registerSpecRoute(app, 'updateCertificateFromFileAlias', updateFromFile);
  };
}

/** The certificate routes with default options. */
export const certificateRoutes: GatewayRoutePlugin = createCertificateRoutes();
