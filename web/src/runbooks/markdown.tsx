import { lazy, Suspense } from 'react';

// react-markdown and its parser (unified, micromark: ~120 kB) are needed only where a runbook
// is shown: load them then, so the first page of the console stays light.
const ReactMarkdown = lazy(() => import('react-markdown'));

/** Markdown rendered as React elements, once the renderer has loaded. */
export const Markdown = ({ children }: { children: string }) => (
  <Suspense fallback={null}>
    <ReactMarkdown>{children}</ReactMarkdown>
  </Suspense>
);
