import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../../functions/lambdaCredentials.js';

const VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const only = (values: Record<string, string>) => {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
};

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the Lambda bundles\' credentials (functions/lambdaCredentials.ts, in place of the SDK\'s default chain)', () => {
  it('reads the role\'s credentials from the environment Lambda sets', async () => {
    only({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    expect(await defaultProvider()()).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('falls back to container credentials, fetched from the endpoint the environment names once, and kept until they near expiry', async () => {
    let fetched = 0;
    /** How long the credentials served next stay valid. */
    let validForMs = 3_600_000;
    const server = createServer((request, response) => {
      fetched++;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(request.headers.authorization === 'container-token'
        ? { AccessKeyId: `ASIACONTAINER${fetched}`, SecretAccessKey: 'container-secret', Token: 'container-session', Expiration: new Date(Date.now() + validForMs).toISOString() }
        : { Code: 'Unauthorized' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      only({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token' });
      const provider = defaultProvider();
      expect(await provider()).toMatchObject({ accessKeyId: 'ASIACONTAINER1', secretAccessKey: 'container-secret', sessionToken: 'container-session' });
      await Promise.all([provider(), provider(), provider()]);
      expect(fetched).toBe(1);
      // Credentials within five minutes of expiry are fetched again, on the next call.
      const nearExpiry = defaultProvider();
      validForMs = 60_000;
      const first = await nearExpiry();
      validForMs = 3_600_000;
      const renewed = await nearExpiry();
      expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
      expect((await nearExpiry()).accessKeyId).toBe(renewed.accessKeyId);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('with neither, fails saying where it looked', async () => {
    only({});
    const failure = defaultProvider()();
    await expect(failure).rejects.toThrow(/No AWS credentials: .*AWS_ACCESS_KEY_ID.*AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/);
    await expect(failure).rejects.not.toThrow(/serverless offline/);
  });

  it('under serverless-offline, says how to give them there', async () => {
    only({});
    const offline = process.env.IS_OFFLINE;
    process.env.IS_OFFLINE = 'true';
    try {
      await expect(defaultProvider()()).rejects.toThrow(/neither is set\. Under serverless offline, export them .*or run `npx tickwork start`/);
    } finally {
      if (offline === undefined) delete process.env.IS_OFFLINE;
      else process.env.IS_OFFLINE = offline;
    }
  });
});
