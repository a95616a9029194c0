/**
 * Sign-in: an account id and a Bearer token of the gateway. The token goes to `sessionStorage` only (see
 * `lib/session.ts`); the form never submits anywhere, so it never lands in a URL.
 */
import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { FieldErrors, invalidProps, ProblemBox } from '../components/ui.js';
import type { ShownProblem } from '../lib/problems.js';
import type { Session } from '../lib/session.js';
import { PageHeading } from './page-heading.js';

interface SignInPageProps {
  onSignIn: (session: Session) => void;
  problem: ShownProblem | undefined;
}

export function SignInPage({ onSignIn, problem }: SignInPageProps) {
  const [accountId, setAccountId] = useState('');
  const [token, setToken] = useState('');
  const [missing, setMissing] = useState<Record<string, string[]>>({});
  const errors = { ...problem?.fieldErrors, ...missing };

  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const needed: Record<string, string[]> = {};
    if (!accountId.trim()) needed.accountId = ['Give the account id.'];
    if (!token.trim()) needed.token = ['Give a Bearer token of the gateway.'];
    setMissing(needed);
    if (Object.keys(needed).length === 0) onSignIn({ accountId, token });
  };

  return (
    <div class="sign-in">
      <PageHeading>Sign in</PageHeading>
      <p>
        The console calls the gateway with a Bearer token for the account. It is kept in this tab's session
        storage until you sign out or close the tab.
      </p>
      <ProblemBox problem={problem} />
      <form method="post" onSubmit={onSubmit} noValidate aria-label="Sign in">
        <div class="field">
          <label for="accountId">Account id</label>
          <input
            {...invalidProps('accountId', errors.accountId)}
            name="account"
            autoComplete="username"
            value={accountId}
            onInput={(event) => setAccountId(event.currentTarget.value)}
          />
          <FieldErrors fieldId="accountId" messages={errors.accountId} />
        </div>
        <div class="field">
          <label for="token">Bearer token</label>
          <input
            {...invalidProps('token', errors.token)}
            type="password"
            autoComplete="current-password"
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
          <FieldErrors fieldId="token" messages={errors.token} />
        </div>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </div>
  );
}
