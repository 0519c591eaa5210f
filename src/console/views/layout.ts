// The page around every console view: one stylesheet, a skip link, the navigation, who is signed in and
// the sign-out form (with the session's CSRF token). No script.
import { html, type Html } from '../html.ts';
import type { ActiveConsoleSession } from '../session.ts';

export const STYLESHEET = '/console/assets/console.css';

export type Section = 'overview' | 'requests' | 'none';

export function layout(options: { title: string; session: ActiveConsoleSession | null; section?: Section; body: Html }): Html {
  const { title, session, section = 'none', body } = options;
  const current = (s: Section) => (s === section ? html` aria-current="page"` : null);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Erasure gateway console</title>
<link rel="stylesheet" href="${STYLESHEET}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/console/">Erasure gateway</a>
  ${session === null
    ? null
    : html`<nav aria-label="Console">
    <a href="/console/"${current('overview')}>Overview</a>
    <a href="/console/requests"${current('requests')}>Requests</a>
  </nav>
  <div class="who">
    <span>Signed in as <strong>${session.identity.name}</strong> <span class="scopes">(${session.identity.scopes.join(', ')})</span></span>
    <form method="post" action="/console/sign-out">
      <input type="hidden" name="_csrf" value="${session.csrf}">
      <button type="submit" class="link">Sign out</button>
    </form>
  </div>`}
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>
`;
}
