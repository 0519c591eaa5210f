// The sign-in form. The key is posted in the form body (never in a URL) and never written back into the
// page: after a refusal the field is empty again.
import { html, type Html } from '../html.ts';
import { layout } from './layout.ts';

export function signInPage(options: { error?: string; next: string | null; sessionHours: number }): Html {
  const { error, next, sessionHours } = options;
  return layout({
    title: 'Sign in',
    session: null,
    body: html`<section class="sign-in" aria-labelledby="sign-in-title">
  <h1 id="sign-in-title">Sign in</h1>
  <p>Use an API key with the scope <code>audit:read</code> or <code>erasure:read</code>. The key is exchanged for a
  session of ${sessionHours} ${sessionHours === 1 ? 'hour' : 'hours'}; the browser keeps only the session, never the key.</p>
  ${error === undefined ? null : html`<p class="alert" role="alert" id="sign-in-error">${error}</p>`}
  <form method="post" action="/console/sign-in" class="stack">
    <label for="api-key">API key</label>
    <input id="api-key" name="apiKey" type="password" required maxlength="512" autocomplete="off" spellcheck="false"
      autocapitalize="off"${error === undefined ? null : html` aria-describedby="sign-in-error" aria-invalid="true"`} autofocus>
    ${next === null ? null : html`<input type="hidden" name="next" value="${next}">`}
    <button type="submit">Sign in</button>
  </form>
</section>`,
  });
}
