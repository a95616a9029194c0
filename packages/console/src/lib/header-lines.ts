/** Headers typed one per line (`Name: value`), as the forward tester takes them. */

export interface ParsedHeaders {
  headers: Record<string, string>;
  /** Lines that are not `Name: value`, or name a header the console must not send. */
  errors: string[];
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses `text`; `Authorization` is refused (it would carry the gateway credential, not the remote's). */
export function parseHeaderLines(text: string): ParsedHeaders {
  const headers: Record<string, string> = {};
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!TOKEN.test(name)) {
      errors.push(`Line ${index + 1} is not "Name: value".`);
      return;
    }
    if (name.toLowerCase() === 'authorization') {
      errors.push(
        'Authorization would go to the gateway: put the remote\'s credential in "Authorization for the remote".',
      );
      return;
    }
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  });
  return { headers, errors };
}
