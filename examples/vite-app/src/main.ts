/**
 * Lists an account's certificates and uploads PKCS#12 files, through the SDK. In development (`vite`) the
 * browser mock answers; a production build (`vite build`) calls the gateway on the page's own origin (serve
 * both behind one host, or set `VITE_GATEWAY_URL` at build time and allow the origin on the gateway).
 */
import {
  type Certificate,
  createMtlsGatewayClient,
  type MtlsGatewayClient,
  MtlsGatewayError,
} from '@mtls-gateway/sdk';

const element = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`${selector} is missing from index.html`);
  return found;
};
const signIn = element<HTMLFormElement>('#sign-in');
const upload = element<HTMLFormElement>('#upload');
const table = element<HTMLTableElement>('#certificates');
const status = element<HTMLParagraphElement>('#status');
const problem = element<HTMLDivElement>('#problem');

let client: MtlsGatewayClient | undefined;

/** A gateway problem as the user should see it: title, detail and code; anything else as its message. */
function showProblem(error: unknown): void {
  problem.replaceChildren();
  if (error instanceof MtlsGatewayError) {
    const title = document.createElement('strong');
    title.textContent = error.problem?.title ?? error.name;
    const detail = document.createElement('p');
    detail.textContent = error.problem?.detail ?? error.message;
    const code = document.createElement('code');
    code.textContent = error.code;
    problem.append(title, detail, code);
  } else {
    problem.textContent = error instanceof Error ? error.message : String(error);
  }
}

function renderCertificates(certificates: readonly Certificate[]): void {
  const rows = certificates.map((certificate) => {
    const row = document.createElement('tr');
    const cells = [
      certificate.name,
      certificate.status,
      certificate.expirationDate ? new Date(certificate.expirationDate).toISOString().slice(0, 10) : '—',
      certificate.subject ?? '—',
    ];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = String(text);
      row.append(cell);
    }
    return row;
  });
  table.tBodies[0]?.replaceChildren(...rows);
  table.hidden = false;
  upload.hidden = false;
  status.textContent = `${certificates.length} certificate${certificates.length === 1 ? '' : 's'}`;
}

async function refresh(): Promise<void> {
  if (!client) return;
  renderCertificates(await client.certificates.list());
}

signIn.addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(signIn);
  const token = String(form.get('token'));
  client = createMtlsGatewayClient({
    baseUrl: import.meta.env.VITE_GATEWAY_URL || window.location.origin,
    accountId: String(form.get('account')),
    auth: { bearer: token },
  });
  problem.replaceChildren();
  refresh().catch(showProblem);
});

upload.addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(upload);
  const file = form.get('file');
  if (!client || !(file instanceof File)) return;
  problem.replaceChildren();
  client.certificates
    .createFromFile({ file, name: String(form.get('name')), password: String(form.get('password') ?? '') })
    .then(() => {
      upload.reset();
      return refresh();
    })
    .catch(showProblem);
});

// Development only: the mock starts before the first call. Vite replaces `import.meta.env.DEV` with `false`
// in production builds, and the dynamic import disappears with the branch — mock, msw and ajv included.
if (import.meta.env.DEV) {
  import('./mock.js')
    .then(({ startMock, DEMO_ACCOUNT }) =>
      startMock().then(() => {
        status.textContent = `Development: the browser mock answers (try account ${DEMO_ACCOUNT}, any token).`;
      }),
    )
    .catch(showProblem);
}
