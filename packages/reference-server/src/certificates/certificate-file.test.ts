import { describe, expect, it } from 'vitest';
import { CertificateFileRejectedError } from '../errors.js';
import { openCertificateFiles } from './certificate-file.js';
import {
  inProcessP12Opener,
  type OpenP12Task,
  type P12Opener,
  P12WorkersUnavailableError,
} from './p12-worker-pool.js';
import { P12Factory } from './testing/p12-fixtures.js';

const factory = new P12Factory();
const good = factory.valid('good', { keyIndex: 0 });
const other = factory.valid('other', { keyIndex: 0 });

/** Opens in process and records every file it was given. */
function recordingOpener(): P12Opener & { tasks: OpenP12Task[] } {
  const tasks: OpenP12Task[] = [];
  return {
    tasks,
    open(task) {
      tasks.push(task);
      return inProcessP12Opener.open(task);
    },
  };
}

describe('openCertificateFiles', () => {
  it('opens every file, in order, through the opener it is given', async () => {
    const opener = recordingOpener();
    const now = new Date();
    const opened = await openCertificateFiles(
      [
        { p12: good.bytes, password: good.password },
        { p12: other.bytes.toString('base64'), password: other.password },
      ],
      { opener, now, allowExpired: true },
    );
    expect(opened.map((file) => file.subject)).toEqual([
      expect.stringContaining('CN=good'),
      expect.stringContaining('CN=other'),
    ]);
    expect(opened[0]?.material.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(opener.tasks.map((task) => [task.password, task.now, task.allowExpired])).toEqual([
      [good.password, now, true],
      [other.password, now, true],
    ]);
  });

  it('stops at the first unusable file: the files after it are never opened', async () => {
    const opener = recordingOpener();
    const error = await openCertificateFiles(
      [
        { p12: good.bytes, password: good.password },
        { p12: good.bytes, password: 'not the password' },
        { p12: other.bytes, password: other.password },
        { p12: Buffer.from('junk'), password: 'x' },
      ],
      { opener, describeItem: (index) => `Item ${index} (test)` },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertificateFileRejectedError);
    expect(error).toMatchObject({
      code: 'p12_wrong_password',
      errors: [{ location: 'body', name: '/1/p12', message: expect.stringMatching(/^p12_wrong_password: /) }],
    });
    expect((error as Error).message).toMatch(
      /^Item 1 \(test\): .*The 2 items after it were not checked\. Nothing was stored\.$/,
    );
    expect(opener.tasks).toHaveLength(2);
  });

  it('refuses a p12 value that is not base64 as p12_corrupt without opening anything', async () => {
    const opener = recordingOpener();
    await expect(
      openCertificateFiles([{ p12: 'not base64!', password: 'x' }], { opener, pointer: () => 'file' }),
    ).rejects.toMatchObject({ code: 'p12_corrupt', errors: [{ name: 'file' }] });
    expect(opener.tasks).toHaveLength(0);
  });

  it('refuses an expired certificate unless allowExpired', async () => {
    const expired = factory.outOfValidity('expired', 'expired');
    const files = [{ p12: expired.bytes, password: expired.password }];
    await expect(openCertificateFiles(files)).rejects.toMatchObject({ code: 'p12_expired' });
    await expect(openCertificateFiles(files, { allowExpired: true })).resolves.toHaveLength(1);
  });

  it('lets a busy opener refuse the request as it is (the HTTP layer answers 503)', async () => {
    const busy = new P12WorkersUnavailableError('busy', 5);
    const opener: P12Opener = { open: () => Promise.reject(busy) };
    await expect(
      openCertificateFiles([{ p12: good.bytes, password: good.password }], { opener }),
    ).rejects.toBe(busy);
  });
});
