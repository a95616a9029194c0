/**
 * The console's pages, addressed by the URL fragment (`#/certificates/42`): the static server only ever
 * serves `index.html`, and nothing secret is ever part of an address.
 */

export type Route =
  | { page: 'certificates' }
  | { page: 'certificate'; id: string }
  | { page: 'upload' }
  | { page: 'mappings' }
  | { page: 'forward' };

/** The route of a `location.hash`; anything unknown is the certificates page. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const [first, second] = path.split('/');
  if (first === 'certificates' && second && /^\d+$/.test(second)) return { page: 'certificate', id: second };
  if (first === 'upload' || first === 'mappings' || first === 'forward') return { page: first };
  return { page: 'certificates' };
}

/** The `href` of a route. */
export function routeHref(route: Route): string {
  return route.page === 'certificate' ? `#/certificates/${route.id}` : `#/${route.page}`;
}
