/**
 * The signed-in client, handed to every page: the SDK client of the account, and the session it was made from.
 */
import type { MtlsGatewayClient } from '@mtls-gateway/sdk';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './lib/session.js';

export interface SignedIn {
  client: MtlsGatewayClient;
  session: Session;
}

export const SignedInContext = createContext<SignedIn | undefined>(undefined);

/** The signed-in client; only pages behind the sign-in use it. */
export function useSignedIn(): SignedIn {
  const value = useContext(SignedInContext);
  if (!value) throw new Error('useSignedIn outside of a signed-in page');
  return value;
}
