/**
 * The console: sign-in, then the pages of the signed-in account behind a header with the navigation.
 * Every call goes through the SDK to the gateway on the page's own origin (the gateway serves the console).
 */
import { createMtlsGatewayClient } from '@mtls-gateway/sdk';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { SignedInContext } from './client-context.js';
import { type ShownProblem, toShownProblem } from './lib/problems.js';
import { parseRoute, type Route, routeHref } from './lib/route.js';
import { clearSession, loadSession, type Session, saveSession } from './lib/session.js';
import type { DevMock } from './mock.js';
import { CertificatePage } from './pages/certificate-page.js';
import { CertificatesPage } from './pages/certificates-page.js';
import { ForwardPage } from './pages/forward-page.js';
import { MappingsPage } from './pages/mappings-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { UploadPage } from './pages/upload-page.js';

/** Development only: the mock answers; how to sign in, and a file to upload. */
function DevBanner({ mock }: { mock: DevMock }) {
  return (
    <p class="dev-banner" data-testid="dev-banner">
      Development: the browser mock answers (no gateway). Sign in with account <code>{mock.accountId}</code>{' '}
      and any token. Try uploads with{' '}
      <a href={mock.demoP12Url} download="console-demo.p12">
        console-demo.p12
      </a>{' '}
      (password <code>{mock.demoP12Password}</code>).
    </p>
  );
}

function makeClient(session: Session) {
  return createMtlsGatewayClient({
    baseUrl: window.location.origin,
    accountId: session.accountId,
    auth: { bearer: session.token },
  });
}

function useHashRoute(): [Route, string] {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const update = () => setHash(window.location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return [parseRoute(hash), hash];
}

const NAVIGATION: Array<{ route: Route; label: string }> = [
  { route: { page: 'certificates' }, label: 'Certificates' },
  { route: { page: 'upload' }, label: 'Upload' },
  { route: { page: 'mappings' }, label: 'Mappings' },
  { route: { page: 'forward' }, label: 'Forward tester' },
];

export function App({ devMock }: { devMock?: DevMock | undefined }) {
  const [session, setSession] = useState(() => loadSession(window.sessionStorage));
  const [signInProblem, setSignInProblem] = useState<ShownProblem | undefined>(undefined);
  const [notice, setNotice] = useState<{ text: string; href: string } | undefined>(undefined);
  const [route, hash] = useHashRoute();
  const client = useMemo(() => (session ? makeClient(session) : undefined), [session]);

  // The first call checks the token and account: a wrong one stays on the sign-in page with the problem.
  const signIn = async (candidate: Session) => {
    setSignInProblem(undefined);
    try {
      await makeClient(candidate).certificates.list();
      setSession(saveSession(window.sessionStorage, candidate));
    } catch (error) {
      setSignInProblem(toShownProblem(error, ['accountId']));
    }
  };
  const signOut = () => {
    clearSession(window.sessionStorage);
    setSession(undefined);
    window.location.hash = '';
  };
  // A notice (deleted, saved…) belongs to the page it was written for.
  const notify = (text: string, target: Route) => {
    const href = routeHref(target);
    setNotice({ text, href });
    window.location.hash = href;
  };
  const currentHref = routeHref(route);
  // Leaving the page a notice was written for drops it.
  useEffect(() => {
    setNotice((current) => (current && current.href === currentHref ? current : undefined));
  }, [currentHref]);

  if (!session || !client) {
    return (
      <main id="content">
        {devMock ? <DevBanner mock={devMock} /> : null}
        <SignInPage onSignIn={(candidate) => void signIn(candidate)} problem={signInProblem} />
      </main>
    );
  }
  return (
    <SignedInContext.Provider value={{ client, session }}>
      <button
        type="button"
        class="skip-link"
        // The fragment is the console's route: a skip link moves focus instead of navigating.
        onClick={() => document.getElementById('content')?.focus()}
      >
        Skip to content
      </button>
      <header class="top">
        <p class="brand">mTLS Gateway console</p>
        <nav aria-label="Console">
          <ul>
            {NAVIGATION.map((item) => {
              const href = routeHref(item.route);
              const current =
                item.route.page === route.page ||
                (item.route.page === 'certificates' && route.page === 'certificate');
              return (
                <li key={href}>
                  <a href={href} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <p class="account">
          Account <strong data-testid="signed-in-account">{session.accountId}</strong>{' '}
          <button type="button" class="small" onClick={signOut}>
            Sign out
          </button>
        </p>
      </header>
      {devMock ? <DevBanner mock={devMock} /> : null}
      <main id="content" key={hash} tabIndex={-1}>
        {notice && notice.href === currentHref ? (
          <p class="notice" role="status">
            {notice.text}
          </p>
        ) : null}
        {route.page === 'certificates' ? <CertificatesPage /> : null}
        {route.page === 'certificate' ? <CertificatePage id={route.id} onNotice={notify} /> : null}
        {route.page === 'upload' ? <UploadPage onNotice={notify} /> : null}
        {route.page === 'mappings' ? <MappingsPage /> : null}
        {route.page === 'forward' ? <ForwardPage /> : null}
      </main>
    </SignedInContext.Provider>
  );
}
