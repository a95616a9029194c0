/**
 * The signed-in session: the account and its Bearer token, kept in `sessionStorage` — gone when the tab
 * closes, never in the URL, never logged. Storage is passed in so the rules can be tested without a browser.
 */

/** Who the console calls the gateway as. */
export interface Session {
  accountId: string;
  token: string;
}

/** The `sessionStorage` key. */
export const SESSION_KEY = 'mtls-console.session';

type SessionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The stored session, or `undefined` when none (or a damaged one) is stored. */
export function loadSession(storage: SessionStorage): Session | undefined {
  const text = storage.getItem(SESSION_KEY);
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Session>;
    if (
      typeof value.accountId === 'string' &&
      typeof value.token === 'string' &&
      value.accountId &&
      value.token
    ) {
      return { accountId: value.accountId, token: value.token };
    }
  } catch {
    // A damaged entry is dropped below: the user signs in again.
  }
  storage.removeItem(SESSION_KEY);
  return undefined;
}

/** Stores a session after trimming its fields; throws when either is empty. */
export function saveSession(storage: SessionStorage, session: Session): Session {
  const trimmed = { accountId: session.accountId.trim(), token: session.token.trim() };
  if (!trimmed.accountId || !trimmed.token) throw new Error('An account id and a token are both needed.');
  storage.setItem(SESSION_KEY, JSON.stringify(trimmed));
  return trimmed;
}

/** Forgets the session (sign out). */
export function clearSession(storage: SessionStorage): void {
  storage.removeItem(SESSION_KEY);
}
