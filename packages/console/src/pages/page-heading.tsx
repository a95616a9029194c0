import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * The page's `<h1>`, focused when the page opens: keyboard and screen-reader users start at the new page
 * instead of where the previous one left them. It also names the tab.
 */
export function PageHeading({ children, title }: { children: ComponentChildren; title?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const text = title ?? (typeof children === 'string' ? children : '');
  useEffect(() => {
    heading.current?.focus();
  }, []);
  useEffect(() => {
    if (text) document.title = `${text} · mTLS Gateway console`;
  }, [text]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
