/**
 * Which mapping (and so which certificate) the gateway would use for a request, computed with the
 * contract's own rule (`selectMapping`, the function the reference server and the mock decide with) over the
 * account's mappings. The check endpoint answers only yes or no; this names the certificate.
 */
import { selectMapping } from '@mtls-gateway/contract';
import type { Mapping } from '@mtls-gateway/sdk';

/**
 * The mapping forwarding would choose for `url`: among enabled mappings of `serviceName` (of every service
 * when none is given, as the gateway does without `LP-service-name`), the exact URL, else the longest
 * applicable `*` prefix; `undefined` when none applies or the choice is ambiguous.
 */
export function predictMapping(
  mappings: readonly Mapping[],
  target: { serviceName?: string | undefined; url: string },
): Mapping | undefined {
  const candidates = mappings.filter(
    (mapping) =>
      mapping.enable &&
      !mapping.deleted &&
      (target.serviceName === undefined ||
        target.serviceName === '' ||
        mapping.serviceName === target.serviceName),
  );
  return selectMapping(candidates, target.url);
}
